// Package harness is what every way of running parley shares: an Environment (the mocks, the assistant
// under test wired to them, the customers' world and the journal), a Factory that starts one per
// scenario, Play and RunJourney (a journey played, settled and audited) and Audit (a run's events judged
// by the rule catalogue). Journeys, the step library, the certification engine and load use nothing else,
// so they run unchanged on any implementation:
//
//   - harness/embedded: the mocks in this process, with parley's reference assistant or an assistant
//     written in Go (an http.Handler), a fresh environment per scenario; or, around an assistant already
//     running elsewhere (by URL), the mocks as parley serve runs them for the whole run (ByURL), each
//     scenario with customers of its own (harness/shared);
//   - harness/containers: the mocks, and the reference assistant or a vendor's image, in containers,
//     fresh for each scenario (Factory) or once for the run, played as by URL (Shared).
//
// An environment for any assistant is one line:
//
//	embedded.Factory{Seed: 1}                                  // the reference assistant
//	embedded.Factory{Assistant: embedded.Handler(newBot)}      // newBot(harness.Contract) (http.Handler, error)
//	embedded.StartByURL(embedded.ByURLOptions{Assistant: "http://127.0.0.1:8080"}) // a *ByURL is a Factory
//	containers.Factory{BotImage: "acme/bot:1.4"}
//
// This package imports neither the reference assistant nor Docker, so the step library and the engine
// link only what they use. The certification hooks of an assistant (POST /parley/consent, /parley/notify,
// /parley/campaign) are called through Hooks, which records every call in the journal.
package harness
