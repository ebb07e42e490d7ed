package report

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/internal/golden"
	"github.com/parley-dev/parley/journal"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fixtureEvents is a small conversation: a greeting, the assistant's answer with its Dialogflow and DLP
// calls, and a marketing send outside the window that the fixture's audit report flags.
func fixtureEvents() []journal.Event {
	j := journal.New(journal.NewClock(t0))
	j.Record(journal.SourceCustomer, journal.KindInboundSent, "34600000001", journal.InboundData{ID: "wamid.1", Type: "text", Text: "Hola | buenas"})
	j.Record(journal.SourceDLP, journal.KindDeidentify, "", journal.DLPData{Transport: "grpc", Text: "Hola | buenas", Result: "Hola | buenas"})
	j.Record(journal.SourceDialogflow, journal.KindDetectIntent, "", journal.DetectIntentData{Transport: "grpc", Text: "Hola | buenas", Intent: "saludo", Confidence: 0.92})
	j.Record(journal.SourceWhatsApp, journal.KindOutboundAccepted, "34600000001", journal.OutboundData{ID: "wamid.2", To: "34600000001", WaID: "34600000001", Type: "interactive", Text: "¡Hola! Soy el asistente automático de Tienda Ejemplo.", Buttons: []string{"Sí, acepto", "No"}, InWindow: true, HTTP: 200})
	j.Record(journal.SourceWhatsApp, journal.KindStatusDelivered, "34600000001", journal.StatusData{ID: "wamid.2", Status: "delivered"})
	j.Clock().Advance(25 * time.Hour)
	j.Record(journal.SourceHarness, journal.KindClockAdvanced, "", journal.ClockData{From: t0, To: t0.Add(25 * time.Hour)})
	j.Record(journal.SourceWhatsApp, journal.KindOutboundAccepted, "34600000001", journal.OutboundData{ID: "wamid.3", To: "34600000001", WaID: "34600000001", Type: "template", Template: "oferta", Category: "MARKETING", HTTP: 200})
	return j.Events()
}

func fixtureReport(failOn audit.Severity) Report {
	events := fixtureEvents()
	broken := audit.Report{Results: []audit.Result{
		{Rule: "WA-OPTIN-01", Severity: audit.SeverityCritical, Status: audit.Broken, Findings: []audit.Finding{
			{Rule: "WA-OPTIN-01", Severity: audit.SeverityCritical, Customer: "34600000001", Seqs: []uint64{7}, Explanation: "marketing template oferta sent without an opt-in"}}},
		{Rule: "AI-DISC-01", Severity: audit.SeverityMedium, Status: audit.Passed},
	}}
	clean := audit.Report{Results: []audit.Result{{Rule: "AI-DISC-01", Severity: audit.SeverityMedium, Status: audit.Passed}}}
	scen := []Scenario{
		NewScenario(Outcome{Name: "first contact", Tags: []string{"@AI-DISC-01"}, Exercises: []string{"AI-DISC-01"}, Events: events[:5], Audit: clean, Started: t0, Duration: 420 * time.Millisecond}),
		NewScenario(Outcome{Name: "campaign without opt-in", Exercises: []string{"WA-OPTIN-01"}, Events: events, Audit: broken, Started: t0, Duration: 1500 * time.Millisecond}),
		NewScenario(Outcome{Name: "assistant down", Err: errors.New("starting the environment: connection refused"), Audit: audit.Report{}, Started: t0}),
	}
	rules := []RuleMeta{
		{ID: "WA-OPTIN-01", Title: "No business-initiated message without a prior opt-in", TitleES: "Ningún mensaje iniciado por la empresa sin opt-in previo", Severity: audit.SeverityCritical, Sources: []string{"WhatsApp Business Messaging Policy (opt-in)"}},
		{ID: "AI-DISC-01", Title: "The customer is told they are talking to an automated assistant", TitleES: "Se informa de que es un asistente automático", Severity: audit.SeverityMedium, Sources: []string{"AI Act art. 50(1)"}},
		{ID: "GDPR-RECT-01", Title: "Rectification", TitleES: "Rectificación", Severity: audit.SeverityHigh, Sources: []string{"GDPR art. 16"}},
	}
	return Build(Header{FailOn: failOn, Lang: "en", Seed: 7,
		Assistant: Assistant{Kind: "reference", Name: "parley reference assistant", Violations: []string{"WA-OPTIN-01"}},
		Parley:    Parley{Version: "v0.0.0-test", BinarySHA256: strings.Repeat("ab", 32), Mode: "embedded"},
		Suite:     Suite{Name: "parley journeys", Version: "1", SHA256: strings.Repeat("cd", 32), Total: 3},
		StartedAt: t0, FinishedAt: t0.Add(2 * time.Second)}, rules, scen)
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name        string
		failOn      audit.Severity
		wantVerdict string
	}{
		// The scenario that could not run denies certification whatever the threshold.
		{"errored scenario", audit.SeverityCritical, NotCertified},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := fixtureReport(tc.failOn)
			if r.Verdict != tc.wantVerdict {
				t.Errorf("verdict = %s, want %s", r.Verdict, tc.wantVerdict)
			}
		})
	}
	r := fixtureReport(audit.SeverityLow)
	want := map[string]audit.Status{"WA-OPTIN-01": audit.Broken, "AI-DISC-01": audit.Passed, "GDPR-RECT-01": audit.NotExercised}
	for _, rr := range r.Rules {
		if rr.Status != want[rr.ID] {
			t.Errorf("%s: status %s, want %s", rr.ID, rr.Status, want[rr.ID])
		}
	}
	if s := r.Summary; s.Scenarios != 3 || s.Passed != 1 || s.Failed != 1 || s.Errors != 1 || s.Findings != 1 || s.Blocking != 1 || s.RulesUnseen != 1 {
		t.Errorf("summary = %+v", s)
	}
	f := r.Rules[0].Findings[0]
	if f.Scenario != "campaign without opt-in" || len(f.Evidence) != 1 || f.Evidence[0].Kind != journal.KindOutboundAccepted || !strings.Contains(f.Evidence[0].Summary, "outside the 24-hour window") {
		t.Errorf("finding evidence = %+v", f)
	}
}

func TestVerdictThreshold(t *testing.T) {
	// Without the errored scenario, the verdict depends on the threshold only.
	base := fixtureReport(audit.SeverityLow)
	tests := []struct {
		name   string
		failOn audit.Severity
		want   string
	}{
		{"critical finding blocks at critical", audit.SeverityCritical, NotCertified},
		{"critical finding blocks at low", audit.SeverityLow, NotCertified},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Build(Header{FailOn: tc.failOn}, base.Catalogue(), base.Scenarios[:2])
			if r.Verdict != tc.want {
				t.Errorf("verdict = %s, want %s", r.Verdict, tc.want)
			}
		})
	}
	// A medium finding does not block at high, and does at medium. The scenario exercises every critical
	// and high rule of the catalogue, so what is not blocked is certified.
	sc := base.Scenarios[1]
	sc.Findings = []Finding{{Rule: "AI-DISC-01", Severity: audit.SeverityMedium}}
	sc.RuleStatus = map[string]audit.Status{"AI-DISC-01": audit.Broken, "WA-OPTIN-01": audit.Passed, "GDPR-RECT-01": audit.Passed}
	for failOn, want := range map[audit.Severity]string{audit.SeverityHigh: Certified, audit.SeverityMedium: NotCertified, audit.SeverityCritical: Certified} {
		if got := Build(Header{FailOn: failOn, Suite: Suite{Total: 1}}, base.Catalogue(), []Scenario{sc}).Verdict; got != want {
			t.Errorf("medium finding at --fail-on %s: %s, want %s", failOn, got, want)
		}
	}
	// Info findings never block, and no scenarios at all is never certified.
	sc.Findings[0].Severity = audit.SeverityInfo
	if got := Build(Header{FailOn: audit.SeverityLow, Suite: Suite{Total: 1}}, base.Catalogue(), []Scenario{sc}).Verdict; got != Certified {
		t.Errorf("info finding: %s", got)
	}
	if got := Build(Header{FailOn: audit.SeverityLow}, base.Catalogue(), nil).Verdict; got != NotCertified {
		t.Errorf("empty run: %s", got)
	}
}

func TestTranscript(t *testing.T) {
	r := fixtureReport(audit.SeverityLow)
	tr := r.Scenarios[1].Transcript
	var kinds []string
	for _, tu := range tr {
		kinds = append(kinds, tu.From+":"+tu.Kind)
	}
	want := "customer:inbound.sent assistant:outbound.accepted system:clock.advanced assistant:outbound.accepted"
	if got := strings.Join(kinds, " "); got != want {
		t.Fatalf("turns = %s\nwant    %s", got, want)
	}
	// The DLP and Dialogflow calls sit beside the customer's message they served; status webhooks are not
	// part of the chat.
	if len(tr[0].Calls) != 2 || tr[0].Calls[0].Service != journal.SourceDLP || tr[0].Calls[1].Service != journal.SourceDialogflow {
		t.Errorf("calls of the first turn = %+v", tr[0].Calls)
	}
	if len(tr[3].Findings) != 1 || tr[3].Findings[0] != "WA-OPTIN-01" || len(tr[1].Findings) != 0 {
		t.Errorf("finding not on the offending send: %+v", tr)
	}
	if tr[3].Text != "[template oferta]" || tr[1].Buttons[0] != "Sí, acepto" {
		t.Errorf("texts = %q, %q", tr[3].Text, tr[1].Buttons)
	}
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name   string
		lang   string
		render func(*bytes.Buffer, Report) error
	}{
		{"report.md", "en", func(b *bytes.Buffer, r Report) error { return Markdown(b, r) }},
		{"report.es.md", "es", func(b *bytes.Buffer, r Report) error { return Markdown(b, r) }},
		{"junit.xml", "en", func(b *bytes.Buffer, r Report) error { return JUnit(b, r) }},
		{"cucumber.json", "en", func(b *bytes.Buffer, r Report) error { return Cucumber(b, r) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := fixtureReport(audit.SeverityLow)
			r.Lang = tc.lang
			var b bytes.Buffer
			if err := tc.render(&b, r); err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("testdata", tc.name), b.Bytes())
		})
	}
}

func TestJUnitParses(t *testing.T) {
	var b bytes.Buffer
	if err := JUnit(&b, fixtureReport(audit.SeverityLow)); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Errors   int    `xml:"errors,attr"`
			Skipped  int    `xml:"skipped,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Suites) != 2 || doc.Suites[0].Tests != 3 || doc.Suites[0].Failures != 1 || doc.Suites[0].Errors != 1 ||
		doc.Suites[1].Tests != 3 || doc.Suites[1].Failures != 1 || doc.Suites[1].Skipped != 1 {
		t.Errorf("suites = %+v", doc.Suites)
	}
}

func TestHTML(t *testing.T) {
	for _, lang := range []string{"en", "es"} {
		r := fixtureReport(audit.SeverityLow)
		r.Lang = lang
		var b bytes.Buffer
		if err := HTML(&b, r); err != nil {
			t.Fatal(err)
		}
		page := b.String()
		want := map[string][]string{
			"en": {`<html lang="en">`, "NOT CERTIFIED", `id="matrix"`, "WhatsApp Business Policy", "Hola | buenas", "DLP deidentify", "Dialogflow grpc", "bubble flagged", "⚠ WA-OPTIN-01: marketing template oferta sent without an opt-in"},
			"es": {`<html lang="es">`, "NO CERTIFICADO", "Política de WhatsApp Business", "Ningún mensaje iniciado por la empresa", "crítica"},
		}[lang]
		for _, w := range want {
			if !strings.Contains(page, w) {
				t.Errorf("%s page lacks %q", lang, w)
			}
		}
		// Self-contained: nothing is fetched from elsewhere.
		for _, bad := range []string{"<script", `src="http`, `href="http`, "@import"} {
			if strings.Contains(page, bad) {
				t.Errorf("%s page refers outside itself: %q", lang, bad)
			}
		}
	}
}

// TestCoverageVerdict: nothing failed is not enough to certify; every critical and high rule must have
// been exercised by the whole suite.
func TestCoverageVerdict(t *testing.T) {
	base := fixtureReport(audit.SeverityLow)
	clean := base.Scenarios[0] // passed, exercises AI-DISC-01 (medium) only
	all := clean
	all.RuleStatus = map[string]audit.Status{"AI-DISC-01": audit.Passed, "WA-OPTIN-01": audit.Passed, "GDPR-RECT-01": audit.Passed}
	tests := []struct {
		name     string
		suite    Suite
		scen     []Scenario
		want     string
		required []string
		subset   string
	}{
		{"critical and high rules not exercised", Suite{Total: 1}, []Scenario{clean}, Incomplete, []string{"WA-OPTIN-01", "GDPR-RECT-01"}, ""},
		{"every critical and high rule exercised", Suite{Total: 1}, []Scenario{all}, Certified, []string{}, ""},
		{"chosen by --tags", Suite{Total: 1, Tags: "@AI-DISC-01", Filtered: true}, []Scenario{all}, Incomplete, []string{}, "--tags @AI-DISC-01"},
		{"default tags are not a choice", Suite{Total: 1, Tags: "not @wip"}, []Scenario{all}, Certified, []string{}, ""},
		{"one shard of two", Suite{Total: 2, Shard: "1/2"}, []Scenario{all}, Incomplete, []string{}, "shard 1/2: 1 of the suite's 2 scenarios"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Build(Header{FailOn: audit.SeverityLow, Suite: tc.suite}, base.Catalogue(), tc.scen)
			if r.Verdict != tc.want || strings.Join(r.Summary.Required, ",") != strings.Join(tc.required, ",") || r.Summary.Subset != tc.subset {
				t.Errorf("verdict %s, required %v, subset %q; want %s, %v, %q", r.Verdict, r.Summary.Required, r.Summary.Subset, tc.want, tc.required, tc.subset)
			}
			if err := r.Recheck(); err != nil {
				t.Errorf("a built report fails its own recheck: %v", err)
			}
			r.Verdict = Certified
			if err := r.Recheck(); (err == nil) != (tc.want == Certified) {
				t.Errorf("recheck of a report claiming certified: %v", err)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	full := fixtureReport(audit.SeverityLow)
	a, b := full, full
	a.Scenarios, a.Suite.Shard = full.Scenarios[:1], "1/2"
	b.Scenarios, b.Suite.Shard = full.Scenarios[1:], "2/2"
	a = Build(a.Header(), a.Catalogue(), a.Scenarios)
	b = Build(b.Header(), b.Catalogue(), b.Scenarios)
	if a.Verdict != Incomplete || a.Summary.Subset != "shard 1/2: 1 of the suite's 3 scenarios" {
		t.Fatalf("shard 1 alone passed but is one shard: want incomplete, got %s (subset %q)", a.Verdict, a.Summary.Subset)
	}
	m, err := Merge([]Report{b, a})
	if err != nil {
		t.Fatal(err)
	}
	if m.Verdict != NotCertified || m.Summary.Scenarios != 3 || m.Summary.RulesBroken != 1 || strings.Join(m.Suite.Shards, ",") != "1/2,2/2" {
		t.Errorf("merged = %s %+v shards %v", m.Verdict, m.Summary, m.Suite.Shards)
	}
	tests := []struct {
		name  string
		edit  func(*Report)
		wants string
	}{
		{"another suite", func(r *Report) { r.Suite.SHA256 = "ff" }, "same suite"},
		{"another seed", func(r *Report) { r.Seed = 9 }, "seed"},
		{"another assistant", func(r *Report) { r.Assistant.URL = "http://x" }, "another assistant"},
		{"another binary", func(r *Report) { r.Parley.BinarySHA256 = "00" }, "binary"},
		{"duplicate scenario", func(r *Report) { r.Scenarios = full.Scenarios[1:2] }, "two shards"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := b
			tc.edit(&c)
			if _, err := Merge([]Report{b, c}); err == nil || !strings.Contains(err.Error(), tc.wants) {
				t.Errorf("err = %v, want %q", err, tc.wants)
			}
		})
	}
}

func TestJSONRoundTrip(t *testing.T) {
	r := fixtureReport(audit.SeverityLow)
	b, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := back.JSON()
	if !bytes.Equal(b, b2) {
		t.Errorf("round trip changed the report")
	}
	var generic map[string]any
	_ = json.Unmarshal(b, &generic)
	generic["$schema"] = "https://example.com/other"
	other, _ := json.Marshal(generic)
	if _, err := Read(bytes.NewReader(other)); err == nil {
		t.Error("Read accepted another schema")
	}
}

func TestSignVerify(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	privPEM, pubPEM, err := MarshalKeys(priv)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ParsePrivateKey(privPEM)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKey(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := fixtureReport(audit.SeverityLow).JSON()
	sig := Sign(doc, key)
	if err := Verify(doc, sig, pub); err != nil {
		t.Fatalf("valid signature refused: %v", err)
	}
	edited := bytes.Replace(doc, []byte(`"verdict": "not_certified"`), []byte(`"verdict": "certified"`), 1)
	if bytes.Equal(edited, doc) {
		t.Fatal("the fixture's verdict was not found to edit")
	}
	if err := Verify(edited, sig, pub); !errors.Is(err, ErrBadSignature) {
		t.Errorf("edited verdict: err = %v", err)
	}
	_, other, _ := ed25519.GenerateKey(nil)
	_, otherPub, _ := MarshalKeys(other)
	op, _ := ParsePublicKey(otherPub)
	if err := Verify(doc, sig, op); !errors.Is(err, ErrBadSignature) {
		t.Errorf("other key: err = %v", err)
	}
	if err := Verify(doc, []byte("not base64!"), pub); err == nil {
		t.Error("garbage signature accepted")
	}
	if _, err := ParsePrivateKey(pubPEM); err == nil {
		t.Error("a public key was read as private")
	}
}

func TestHashFS(t *testing.T) {
	fsys := fstest.MapFS{"a/x.feature": {Data: []byte("Feature: x")}, "b/y.feature": {Data: []byte("Feature: y")}, "README.md": {Data: []byte("no")}}
	h1, n, err := HashFS(fsys, ".feature")
	if err != nil || n != 2 {
		t.Fatalf("HashFS = %s, %d, %v", h1, n, err)
	}
	fsys["README.md"] = &fstest.MapFile{Data: []byte("changed")}
	if h2, _, _ := HashFS(fsys, ".feature"); h2 != h1 {
		t.Error("a file of another kind changed the hash")
	}
	fsys["b/y.feature"] = &fstest.MapFile{Data: []byte("Feature: y2")}
	if h3, _, _ := HashFS(fsys, ".feature"); h3 == h1 {
		t.Error("an edited feature did not change the hash")
	}
}

func TestWriteDir(t *testing.T) {
	dir := t.TempDir()
	paths, err := WriteDir(filepath.Join(dir, "out"), fixtureReport(audit.SeverityLow), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{FileJSON, FileMarkdown, FileHTML, FileJUnit, FileCucumber} {
		if st, err := os.Stat(filepath.Join(dir, "out", f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if len(paths) != 5 {
		t.Errorf("paths = %v", paths)
	}
}

func TestFindingsGoOnTheOffendingTurn(t *testing.T) {
	events := fixtureEvents()
	tests := []struct {
		name string
		seqs []uint64
		want int // index of the turn flagged
	}{
		// The auditor lists the context (what the customer wrote) before the assistant's act.
		{"the assistant's reply, not the message it echoed", []uint64{1, 4}, 1},
		{"a call goes on the message it served", []uint64{2}, 0},
		{"the latest act of the assistant", []uint64{1, 4, 7}, 3},
		{"no act of the assistant: the latest event shown", []uint64{1, 6}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := Transcript(events, []Finding{{Rule: "R", Seqs: tc.seqs}})
			for i, tu := range tr {
				if flagged := len(tu.Findings) > 0; flagged != (i == tc.want) {
					t.Errorf("turn %d (%s %s) flagged %t", i, tu.From, tu.Kind, flagged)
				}
			}
		})
	}
}
