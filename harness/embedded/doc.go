// Package embedded runs a parley environment in this process (a harness.Environment): one journal and
// one simulated clock shared by the WhatsApp, Dialogflow and DLP mocks, the assistant under test
// configured only through the bot contract (docs/bot-contract.md), and a sim.World whose customers talk
// through the WhatsApp mock's control interface.
//
// The assistant is parley's reference assistant (the default, with its violation switches), an assistant
// written in Go and given as an http.Handler (Handler), or one already running elsewhere (URL). The
// reference assistant and a Handler are served on 127.0.0.1 with ports the kernel picks, so parallel
// environments never collide: webhooks reach them over HTTPS (Env.WebhookURL), as Meta delivers them,
// with a certificate made for the run that the WhatsApp mock trusts, and that TLS face is probed at TLS
// 1.0 to 1.3 (tls.probe events, WA-SEC-02); the certification hooks use the plain face (Env.BotURL).
//
// Settling: the reference assistant says when it is idle; a Handler is idle when none of its requests
// is in flight and the journal has been still for Options.Quiet; an assistant by URL only by the
// journal staying still.
//
// Factory starts a fresh environment per scenario; matrix_test.go plays the journeys against every
// violation switch of the reference assistant (the detection matrix), and TestThousandCustomers plays a
// thousand customers at once in one environment.
package embedded
