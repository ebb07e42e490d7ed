// Package steps is parley's Gherkin step library for godog, in English and Spanish (godog's "es"
// dialect: Característica, Escenario, Dado, Cuando, Entonces, Y, Pero, Antecedentes, Esquema del
// escenario, Ejemplos). docs/steps.md lists every step; it is generated from Defs and checked by a test.
//
//	godog.TestSuite{
//		ScenarioInitializer: func(sc *godog.ScenarioContext) {
//			steps.Register(sc, embedded.Factory{Seed: 1})
//		},
//		Options: &godog.Options{Format: "pretty", FS: features.FS(), Paths: []string{"."}},
//	}.Run()
//
// What it models:
//   - One world per scenario, kept in the scenario's context.Context (safe under godog's concurrency):
//     Register's Before hook asks a harness.Factory for a fresh harness.Environment (in this process from
//     harness/embedded, in containers from harness/containers: the interface is all the steps use) and
//     the scenario's customers are new to it. The library links neither Docker nor the reference
//     assistant: the program that chooses the environment does.
//   - After every scenario the auditor (audit.Run) judges every event of the scenario's journal; a broken
//     rule fails the scenario with its id, title, explanation, journal events and the customers'
//     transcripts, unless a step stated it ("the audit reports \"WA-OPTOUT-01\"").
//   - Customers' ground truth follows what the step says they mean: accepting or declining an opt-in
//     question when they tap its yes/no button, an opt-out for BAJA/STOP or the opt-out button of a
//     marketing template, a request for a person for AGENTE/AGENT, and explicit steps for paraphrases
//     and data-protection requests (sim.Customer records them).
//   - Every regex is anchored; parameters are typed by godog (int for counts). A step that no expression
//     matches fails before it runs, naming the closest known steps (godog's own "undefined" would pass
//     outside strict mode); no step text matches two expressions, so godog's strict mode runs the suite
//     too. Steps of your own go through WithStep, so the check knows them. Lint checks feature files
//     before a run (language header, syntax, unknown or ambiguous steps, customers never introduced,
//     conversation tables) and RunSuite runs the files without problems, so one broken file never stops
//     the others.
//
// What it does not: time in "within N seconds" is real time measured by the runner from the customer's
// action to the reply reaching their phone, not simulated time, nor the assistant's own processing
// alone (the journal keeps simulated time only); WithLatencyFactor scales the budget for a slow runner,
// and each such step's budget, factor and measure are in the Result and the report. A customer action waits for the assistant to settle before the step ends, so replies
// are judged on everything that arrived. Forged webhooks (WA-SEC-01) are posted straight to the
// assistant and journalled by the steps, since WhatsApp itself always signs.
package steps
