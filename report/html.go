package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/parley-dev/parley/audit"
)

//go:embed report.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"short": short,
	"ms":    func(ms int64) string { return (time.Duration(ms) * time.Millisecond).String() },
	"clock": func(t time.Time) string { return t.Format("2006-01-02 15:04") },
	"join":  strings.Join,
	"lower": strings.ToLower,
}).Parse(htmlSource))

// htmlPage is what the template draws.
type htmlPage struct {
	R          Report
	T          text
	Assistant  string
	Profile    string
	Goals      []string // the goals simulated customers could not reach, by scenario
	Severities []audit.Severity
	Matrix     []matrixRow
	Rules      []htmlRule
	Scenarios  []htmlScenario
}

type matrixRow struct {
	Family string
	Cells  [][]htmlRule // one per severity
}

type htmlRule struct {
	Rule
	Title, Sev, Stat string
}

type htmlScenario struct {
	Scenario
	Index    int
	Stat     string
	Flagged  map[string]Finding // rule id → the scenario's first finding of it, to explain a highlighted turn
	Turns    []htmlTurn
	Duration string
}

type htmlTurn struct {
	Turn
	Explanations []string
}

// HTML writes the report as one self-contained page (styles inline, no scripts, no external resources):
// a verdict banner, the rule matrix by severity and source, the rules with their findings, and every
// scenario's conversation as a chat that expands, with the Dialogflow and DLP calls beside each turn and
// findings highlighted on the message that caused them.
func HTML(w io.Writer, r Report) error {
	r = r.ForDisplay()
	t := texts(r.Lang)
	p := htmlPage{R: r, T: t, Assistant: assistantLine(r.Assistant), Profile: t.ProfileLine(r.Profile), Goals: goalsNotReached(r.Scenarios),
		Severities: []audit.Severity{audit.SeverityCritical, audit.SeverityHigh, audit.SeverityMedium, audit.SeverityLow}}
	var families []string
	byFamily := map[string][][]htmlRule{}
	for _, rr := range sortedRules(r.Rules) {
		hr := htmlRule{Rule: rr, Title: t.RuleTitleOf(rr), Sev: t.SeverityName(rr.Severity), Stat: t.RuleStatus(rr.Status)}
		p.Rules = append(p.Rules, hr)
		fam := t.Family(rr.ID)
		if _, ok := byFamily[fam]; !ok {
			families = append(families, fam)
			byFamily[fam] = make([][]htmlRule, len(p.Severities))
		}
		for i, s := range p.Severities {
			if s == rr.Severity {
				byFamily[fam][i] = append(byFamily[fam][i], hr)
			}
		}
	}
	for _, fam := range families {
		p.Matrix = append(p.Matrix, matrixRow{Family: fam, Cells: byFamily[fam]})
	}
	for i, sc := range r.Scenarios {
		hs := htmlScenario{Scenario: sc, Index: i + 1, Stat: t.ScenarioStatus(sc.Status), Flagged: map[string]Finding{},
			Duration: (time.Duration(sc.Timings.WallMS) * time.Millisecond).String()}
		for _, f := range sc.Findings {
			if _, ok := hs.Flagged[f.Rule]; !ok {
				hs.Flagged[f.Rule] = f
			}
		}
		for _, tu := range sc.Transcript {
			ht := htmlTurn{Turn: tu}
			for _, id := range tu.Findings {
				ht.Explanations = append(ht.Explanations, fmt.Sprintf("%s: %s", id, hs.Flagged[id].Explanation))
			}
			hs.Turns = append(hs.Turns, ht)
		}
		p.Scenarios = append(p.Scenarios, hs)
	}
	return htmlTemplate.Execute(w, p)
}
