// Package report is parley's certification report: one versioned JSON document (report.json, schema in
// docs/report.schema.json) built from the scenarios a certification run played, and the renderings made
// from it alone: a Markdown summary, a self-contained HTML page (verdict banner, the rule matrix by
// severity and source, every scenario's conversation drawn as a chat with the Dialogflow and DLP calls
// beside each turn and findings on the message that caused them), JUnit XML and cucumber JSON for CI.
//
// The JSON is the source of truth: renderings are pure functions of it, so `parley report render`
// re-renders a stored report and `parley report merge` joins the shards of a sharded run (Merge recomputes
// the rule verdicts and the overall verdict from the scenarios). Sign and Verify put an Ed25519 signature
// beside report.json, so a verdict cannot be edited after the run without the signature failing.
//
// What the report does not do: it does not judge anything itself. Every finding comes from the auditor
// (package audit) over the journal of one scenario; the report only groups, explains and draws them.
// Transcripts are rebuilt from the journal (what crossed the mocks), never from the assistant's own logs.
package report
