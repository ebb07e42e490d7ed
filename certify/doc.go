// Package certify is parley's certification engine: it loads a suite (the Gherkin features, a folder of
// them, or the Go journeys), chooses scenarios by tags and shard, plays them in parallel, each in a fresh
// environment from a harness.Factory (embedded, an assistant by URL, containers), audits each once,
// decides each scenario's status in one place (report.Status, over audit.Judge) and builds the report.
//
// Every row of a Scenario Outline is a scenario of its own. An environment factory that shares one
// assistant and one journal across scenarios (SharedJournal) has the whole journal audited again at the
// end, so that no finding is dropped: each is attributed to the scenario that caused it. A factory that
// can tell whether there is an assistant at all (Preflighter) is asked before the first scenario.
//
//	suite, _ := certify.BuiltinFeatures()
//	plan, _ := certify.Select(suite, "", "")
//	rep, err := certify.Run(ctx, certify.Config{Plan: plan, Envs: embedded.Factory{}, Parallel: 4})
//
// The verdict (report.Build) is certified only when nothing failed and every critical and high rule was
// exercised by the whole suite; a subset or a gap in coverage is incomplete.
package certify
