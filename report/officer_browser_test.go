package report

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/internal/golden"
	"github.com/parley-dev/parley/journal"
)

// officerReport is what a compliance officer reads: a passed rule with what backs it, a scenario with two
// customers, a data export sent as a document, a failed step whose error spans lines, and a consent
// given outside the chat (a system bubble).
func officerReport(lang string) Report {
	j := journal.New(journal.NewClock(t0))
	lucia, oliver := "34600000001", "447700900011"
	j.Record(journal.SourceCustomer, journal.KindInboundSent, lucia, journal.InboundData{ID: "wamid.1", Type: "text", Text: "Quiero una copia de mis datos"})
	j.Record(journal.SourceCustomer, journal.KindDataRequest, lucia, journal.DataRequestData{Right: "access", Wording: "Quiero una copia de mis datos"})
	var export strings.Builder
	export.WriteString(`{"controller":"Tienda Ejemplo S.L.","subject":"+34600000001","purposes":["customer service","offers"],"data":[`)
	for i := range 20 {
		if i > 0 {
			export.WriteString(",")
		}
		export.WriteString(`{"field":"message ` + strconv.Itoa(i) + `","value":"hola"}`)
	}
	export.WriteString(`],"retention":"90 days","last_field":"END-OF-EXPORT"}`)
	j.Record(journal.SourceWhatsApp, journal.KindMediaUploaded, "", journal.MediaData{ID: "media.1", MimeType: "text/plain", Filename: "DSR-7QX2.json", Size: export.Len(), Content: []byte(export.String())})
	j.Record(journal.SourceWhatsApp, journal.KindOutboundAccepted, lucia, journal.OutboundData{ID: "wamid.2", To: lucia, WaID: lucia, Type: "document", Text: "DSR-7QX2", MediaID: "media.1", Filename: "DSR-7QX2.json", InWindow: true, HTTP: 200})
	j.Record(journal.SourceHarness, journal.KindConsentGiven, oliver, journal.ConsentData{Purpose: "marketing", Channel: "web"})
	j.Record(journal.SourceCustomer, journal.KindInboundSent, oliver, journal.InboundData{ID: "wamid.3", Type: "text", Text: "Hello"})
	j.Record(journal.SourceWhatsApp, journal.KindOutboundAccepted, oliver, journal.OutboundData{ID: "wamid.4", To: oliver, WaID: oliver, Type: "text", Text: "Hi, I am Tienda Ejemplo's automated assistant.\n\nHow can I help?", InWindow: true, HTTP: 200})
	events := j.Events()
	passed := audit.Report{Results: []audit.Result{{Rule: "GDPR-ACCESS-01", Severity: audit.SeverityHigh, Status: audit.Passed}}}
	scen := []Scenario{
		NewScenario(Outcome{Name: "Access and a greeting, two customers", Exercises: []string{"GDPR-ACCESS-01"}, Events: events, Audit: passed, Started: t0, Duration: 300 * time.Millisecond}),
		NewScenario(Outcome{Name: "Opt-out honoured", Events: events[:1], Audit: audit.Report{}, Started: t0,
			Err: errors.New("Lucía received marketing (template \"promo_verano\")\nLucía (+34600000001, es) said:\n  → \"BAJA\"")}),
	}
	rules := []RuleMeta{{ID: "GDPR-ACCESS-01", Title: "A copy of the data", TitleES: "Copia de los datos", Severity: audit.SeverityHigh,
		Sources: []string{"GDPR art. 15(1)", "GDPR art. 15(3)"}, Checks: "The document sent after an access request holds the customer's number and every value they shared."}}
	return Build(Header{FailOn: audit.SeverityLow, Lang: lang, Assistant: Assistant{Kind: "reference", Name: "parley reference assistant"},
		Suite: Suite{Name: "parley features", Version: "1", Total: 2}, StartedAt: t0, FinishedAt: t0.Add(time.Second)}, rules, scen)
}

// TestHTMLForComplianceOfficer opens the report in headless Chromium as a compliance officer reads it
// and keeps a screenshot of each language under testdata/screenshots (rewritten with -update).
func TestHTMLForComplianceOfficer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	browser := chromium(t)
	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) {
			dir := t.TempDir()
			page := filepath.Join(dir, FileHTML)
			f, err := os.Create(page)
			if err != nil {
				t.Fatal(err)
			}
			if err := HTML(f, officerReport(lang)); err != nil {
				t.Fatal(err)
			}
			f.Close()
			bctx := openBrowser(t, browser, dir)
			must := func(what string, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("chromium, %s: %v", what, err)
				}
			}
			js := func(expr string) string {
				t.Helper()
				v, err := chromedp.Run(bctx, chromedp.Evaluate[string](expr))
				must(expr, err)
				return v
			}
			visible := func(sel string) bool {
				t.Helper()
				v, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`(e => !!e && e.offsetHeight > 0 && e.checkVisibility({visibilityProperty: true}))(document.querySelector(`+strconv.Quote(sel)+`))`))
				must("checking "+sel, err)
				return v
			}
			must("opening the page", chromedp.Do(bctx, chromedp.Navigate("file://"+page)))

			// A passed rule says what it checks, on what authority, and which scenarios exercised it.
			rule := js(`document.querySelector("#rule-GDPR-ACCESS-01").innerText`)
			for _, want := range []string{"holds the customer's number", "GDPR art. 15(1)", "GDPR art. 15(3)", "Access and a greeting, two customers"} {
				if !strings.Contains(rule, want) {
					t.Errorf("passed rule does not show %q: %q", want, rule)
				}
			}
			must("following the scenario link", chromedp.Do(bctx, chromedp.Click(`#rule-GDPR-ACCESS-01 .exercised a`, chromedp.NodeReady)))
			if h := js(`location.hash`); h != "#scenario-1" {
				t.Errorf("the rule's scenario link leads to %q", h)
			}

			// Two customers, two panes, each with only its customer's chat.
			must("opening the scenario", chromedp.Do(bctx, chromedp.Click("#scenario-1 > summary", chromedp.NodeReady)))
			if n := js(`String(document.querySelectorAll("#scenario-1 .pane").length)`); n != "2" {
				t.Fatalf("%s panes for two customers", n)
			}
			left, right := js(`document.querySelectorAll("#scenario-1 .pane")[0].innerText`), js(`document.querySelectorAll("#scenario-1 .pane")[1].innerText`)
			if !strings.Contains(left, "+34600000001") || strings.Contains(left, "Hello") || !strings.Contains(right, "+447700900011") || strings.Contains(right, "copia de mis datos") {
				t.Errorf("panes mix the customers:\n%s\n---\n%s", left, right)
			}
			if !visible(`#scenario-1 .pane:nth-child(2) .bubble`) || js(`String(document.querySelectorAll("#scenario-1 .pane")[1].getBoundingClientRect().left > document.querySelectorAll("#scenario-1 .pane")[0].getBoundingClientRect().left)`) != "true" {
				t.Error("the second customer's pane is not beside the first")
			}
			// A customer's message keeps its paragraphs.
			if b := js(`document.querySelectorAll("#scenario-1 .pane")[1].querySelector(".turn.assistant .bubble").innerText`); strings.Contains(b, `\n`) || !strings.Contains(b, "assistant.\n\nHow") {
				t.Errorf("assistant bubble = %q", b)
			}

			// The export's contents: pretty-printed, a preview, the rest behind a click.
			if !visible("#scenario-1 .doc pre.preview") {
				t.Fatal("the document's contents are not shown")
			}
			preview := js(`document.querySelector("#scenario-1 .doc pre.preview").innerText`)
			if !strings.Contains(preview, `"controller": "Tienda Ejemplo S.L.",`) || strings.Contains(preview, "END-OF-EXPORT") {
				t.Errorf("preview = %q", preview)
			}
			if visible("#scenario-1 .doc details.full pre") {
				t.Error("the whole document is open before a click")
			}
			must("expanding the document", chromedp.Do(bctx, chromedp.Click("#scenario-1 .doc details.full > summary", chromedp.NodeReady)))
			if !visible("#scenario-1 .doc details.full pre") || !strings.Contains(js(`document.querySelector("#scenario-1 .doc details.full pre").innerText`), `"last_field": "END-OF-EXPORT"`) {
				t.Error("the whole document does not show after a click")
			}

			// The failed step's error keeps its lines.
			must("opening the failed scenario", chromedp.Do(bctx, chromedp.Click("#scenario-2 > summary", chromedp.NodeReady)))
			errText := js(`document.querySelector("#scenario-2 .error").innerText`)
			if !strings.Contains(errText, "(template \"promo_verano\")\nLucía (+34600000001, es) said:\n") {
				t.Errorf("error block = %q", errText)
			}

			// The threshold and the system bubbles speak the report's language.
			meta := js(`document.querySelector("table.meta").innerText`)
			system := js(`document.querySelector("#scenario-1 .pane:nth-child(2) .turn.system .bubble").innerText`)
			want := map[string][2]string{"en": {"Fails on\tlow", "gave consent to marketing"}, "es": {"Falla desde\tbaja", "dio su consentimiento para publicidad"}}[lang]
			if !strings.Contains(meta, want[0]) {
				t.Errorf("threshold row = %q, want %q", meta, want[0])
			}
			if !strings.Contains(system, want[1]) {
				t.Errorf("system bubble = %q, want %q", system, want[1])
			}

			shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(90))
			must("taking a screenshot", err)
			if len(shot) < 10_000 {
				t.Errorf("screenshot is only %d bytes", len(shot))
			}
			keep := filepath.Join(os.TempDir(), "parley-artifacts")
			if golden.Updating() {
				keep = filepath.Join("testdata", "screenshots")
			}
			if err := os.MkdirAll(keep, 0o755); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(keep, "report-officer-"+lang+".jpg")
			if err := os.WriteFile(p, shot, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s", p)
		})
	}
}
