package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
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
	FailOn     string // the threshold's severity in the report's language
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
	Exercised        []scenarioLink // the scenarios that exercised the rule, linked to their chats
}

type scenarioLink struct {
	Name  string
	Index int
}

type htmlScenario struct {
	Scenario
	Index    int
	Stat     string
	Flagged  map[string]Finding // rule id → the scenario's first finding of it, to explain a highlighted turn
	Panes    []chatPane
	Duration string
}

// chatPane is one customer's chat: a scenario with two customers shows two phones, not one mixed thread.
type chatPane struct {
	Customer string // wa_id; empty when the scenario has one customer or none
	Turns    []htmlTurn
}

type htmlTurn struct {
	Turn
	Shown        string // the text in the report's language (system turns are translated)
	Explanations []string
	Preview      string // a document's first lines
	More         int    // how many lines of the document the preview leaves out
}

// previewLines is how much of a document a chat shows before the reader expands it.
const previewLines = 12

// HTML writes the report as one self-contained page (styles inline, no scripts, no external resources):
// a verdict banner, the rule matrix by severity and source, the rules with their findings, and every
// scenario's conversation as a chat that expands, with the Dialogflow and DLP calls beside each turn and
// findings highlighted on the message that caused them.
func HTML(w io.Writer, r Report) error {
	r = r.ForDisplay()
	t := texts(r.Lang)
	p := htmlPage{R: r, T: t, FailOn: t.SeverityName(audit.Severity(r.FailOn)), Assistant: assistantLine(r.Assistant), Profile: t.ProfileLine(r.Profile), Goals: goalsNotReached(r.Scenarios),
		Severities: []audit.Severity{audit.SeverityCritical, audit.SeverityHigh, audit.SeverityMedium, audit.SeverityLow}}
	var families []string
	byFamily := map[string][][]htmlRule{}
	index := map[string]int{}
	for i, sc := range r.Scenarios {
		if _, ok := index[sc.Name]; !ok {
			index[sc.Name] = i + 1
		}
	}
	for _, rr := range sortedRules(r.Rules) {
		hr := htmlRule{Rule: rr, Title: t.RuleTitleOf(rr), Sev: t.SeverityName(rr.Severity), Stat: t.RuleStatus(rr.Status)}
		for _, name := range rr.Scenarios {
			hr.Exercised = append(hr.Exercised, scenarioLink{Name: name, Index: index[name]})
		}
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
		var turns []htmlTurn
		for _, tu := range sc.Transcript {
			ht := htmlTurn{Turn: tu, Shown: tu.Text}
			if t.ES && tu.TextES != "" {
				ht.Shown = tu.TextES
			}
			for _, id := range tu.Findings {
				ht.Explanations = append(ht.Explanations, fmt.Sprintf("%s: %s", id, hs.Flagged[id].Explanation))
			}
			if d := tu.Document; d != nil {
				lines := strings.Split(strings.TrimRight(d.Content, "\n"), "\n")
				if len(lines) > previewLines {
					ht.Preview, ht.More = strings.Join(lines[:previewLines], "\n")+"\n…", len(lines)-previewLines
				} else {
					ht.Preview = d.Content
				}
			}
			turns = append(turns, ht)
		}
		hs.Panes = panes(turns)
		p.Scenarios = append(p.Scenarios, hs)
	}
	return htmlTemplate.Execute(w, p)
}

// panes splits a scenario's turns by customer, in the order the customers first appear; a turn that
// names no customer (the clock moving, a call before anyone wrote) is shown in every pane. With one
// customer or none there is one pane, unlabelled.
func panes(turns []htmlTurn) []chatPane {
	var order []string
	for _, tu := range turns {
		if tu.Customer != "" && !slices.Contains(order, tu.Customer) {
			order = append(order, tu.Customer)
		}
	}
	if len(order) < 2 {
		return []chatPane{{Turns: turns}}
	}
	out := make([]chatPane, len(order))
	for i, c := range order {
		out[i].Customer = c
		for _, tu := range turns {
			if tu.Customer == c || tu.Customer == "" {
				out[i].Turns = append(out[i].Turns, tu)
			}
		}
	}
	return out
}
