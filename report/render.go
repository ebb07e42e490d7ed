package report

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/parley-dev/parley/audit"
)

// The files a report folder holds.
const (
	FileJSON     = "report.json"
	FileMarkdown = "report.md"
	FileHTML     = "report.html"
	FileJUnit    = "junit.xml"
	FileCucumber = "cucumber.json"
	FileSig      = "report.json.sig" // the signature of report.json alone, as parley wrote it before manifests
)

// Format is one rendering of a report.
type Format struct {
	File   string
	Render func(w io.Writer, r Report) error
}

// Formats are the renderings WriteDir writes beside report.json.
func Formats() []Format {
	return []Format{{FileMarkdown, Markdown}, {FileHTML, HTML}, {FileJUnit, JUnit}, {FileCucumber, Cucumber}}
}

// WriteDir writes report.json and every rendering into dir, creating it, and when key is not nil signs
// them (SignDir). It returns the paths written. The files are written into a folder of their own inside
// dir and moved into place at the end, report.json and the signature last, after the report files of an
// earlier run have been removed: a run stopped halfway never leaves an earlier run's verdict, or a
// mixture of two runs, in dir.
func WriteDir(dir string, r Report, key ed25519.PrivateKey) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	b, err := r.JSON()
	if err != nil {
		return nil, err
	}
	if err := RemoveStale(dir); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(dir, partialPrefix)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	more, err := RenderDir(tmp, r)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, p := range more {
		names = append(names, filepath.Base(p))
	}
	if err := os.WriteFile(filepath.Join(tmp, FileJSON), b, 0o644); err != nil {
		return nil, err
	}
	names = append(names, FileJSON)
	if key != nil {
		if err := SignDir(tmp, names, key); err != nil {
			return nil, err
		}
		names = append(names, FileManifest, FileManifestSig)
	}
	var written []string
	for _, n := range names {
		p := filepath.Join(dir, n)
		if err := os.Rename(filepath.Join(tmp, n), p); err != nil {
			return written, err
		}
		written = append(written, p)
	}
	return written, nil
}

// partialPrefix names the folder a report is written to before it is moved into place.
const partialPrefix = ".parley-partial-"

// RemoveStale removes from dir the files a report folder holds (report.json, its renderings, signatures,
// manifest) and folders left by a write that was stopped, so that what an earlier run wrote cannot pass
// for the result of the next. Other files are left alone.
func RemoveStale(dir string) error {
	names := []string{FileJSON, FileSig, FileManifest, FileManifestSig}
	for _, f := range Formats() {
		names = append(names, f.File)
	}
	for _, n := range names {
		if err := os.Remove(filepath.Join(dir, n)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	partial, _ := filepath.Glob(filepath.Join(dir, partialPrefix+"*"))
	for _, p := range partial {
		if err := os.RemoveAll(p); err != nil {
			return err
		}
	}
	return nil
}

// RenderDir writes every rendering of r into dir (not report.json).
func RenderDir(dir string, r Report) ([]string, error) {
	var written []string
	for _, f := range Formats() {
		var buf bytes.Buffer
		if err := f.Render(&buf, r); err != nil {
			return written, fmt.Errorf("rendering %s: %w", f.File, err)
		}
		p := filepath.Join(dir, f.File)
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			return written, err
		}
		written = append(written, p)
	}
	return written, nil
}

// Markdown writes the summary: verdict, what was certified, rules broken with their evidence, and a line
// per scenario.
func Markdown(w io.Writer, r Report) error {
	r = r.ForDisplay()
	t := texts(r.Lang)
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: %s\n\n", t.Title, t.Verdict(r.Verdict))
	fmt.Fprintf(&b, "| | |\n|---|---|\n")
	fmt.Fprintf(&b, "| %s | %s |\n", t.Assistant, mdCell(assistantLine(r.Assistant)))
	if pl := t.ProfileLine(r.Profile); pl != "" {
		fmt.Fprintf(&b, "| %s | %s |\n", t.Profile, mdCell(pl))
	}
	fmt.Fprintf(&b, "| %s | %s (%s) |\n", t.Suite, mdCell(r.Suite.Name+" "+r.Suite.Version), short(r.Suite.SHA256))
	if r.Suite.Tags != "" {
		fmt.Fprintf(&b, "| %s | %s |\n", t.Tags, mdCell(r.Suite.Tags))
	}
	if r.Suite.Shard != "" {
		fmt.Fprintf(&b, "| %s | %s |\n", t.Shard, r.Suite.Shard)
	}
	fmt.Fprintf(&b, "| parley | %s (%s) |\n", r.Parley.Version, short(r.Parley.BinarySHA256))
	fmt.Fprintf(&b, "| %s | %d |\n", t.Seed, r.Seed)
	fmt.Fprintf(&b, "| %s | %s |\n\n", t.FailOn, t.SeverityName(audit.Severity(r.FailOn)))
	s := r.Summary
	fmt.Fprintf(&b, t.SummaryLine+"\n\n", s.Scenarios, s.Passed, s.Failed, s.Errors, s.RulesPassed, s.RulesBroken, s.RulesUnseen, s.Findings, s.Blocking)
	if s.NotApplicable+s.GoalNotReached+s.RulesNotApplicable > 0 {
		fmt.Fprintf(&b, t.Applicability+"\n\n", s.NotApplicable, s.GoalNotReached, s.RulesNotApplicable)
	}
	if s.Subset != "" {
		fmt.Fprintf(&b, "%s: %s.\n\n", t.Subset, mdCell(s.Subset))
	}
	if note := r.RerunNote(); note != "" {
		fmt.Fprintf(&b, "%s\n\n", mdCell(note))
	}
	if len(s.Required) > 0 {
		fmt.Fprintf(&b, "%s: %s.\n\n", t.IncompleteWhy, strings.Join(s.Required, ", "))
	}
	if goals := goalsNotReached(r.Scenarios); len(goals) > 0 {
		fmt.Fprintf(&b, "%s:\n\n", t.GoalsWhy)
		for _, g := range goals {
			fmt.Fprintf(&b, "- %s\n", mdCell(g))
		}
		b.WriteString("\n")
	}

	fmt.Fprintf(&b, "## %s\n\n", t.Rules)
	fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n|---|---|---|---|---|\n", t.Rule, t.Severity, t.Status, t.Findings, t.RuleTitle)
	for _, rr := range sortedRules(r.Rules) {
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %s |\n", rr.ID, rr.Severity, statusMark(t, rr.Status), len(rr.Findings), mdCell(t.RuleTitleOf(rr)))
	}
	var why []string
	for _, rr := range sortedRules(r.Rules) {
		for _, reason := range append(slices.Clone(rr.NotExercisedBecause), rr.NotApplicableBecause...) {
			why = append(why, fmt.Sprintf("- %s (%s): %s\n", rr.ID, t.RuleStatus(rr.Status), mdCell(reason)))
		}
	}
	if len(why) > 0 {
		fmt.Fprintf(&b, "\n## %s\n\n%s", t.Reasons, strings.Join(why, ""))
	}
	var broken []Rule
	for _, rr := range sortedRules(r.Rules) {
		if rr.Status == audit.Broken || len(rr.Findings) > 0 {
			broken = append(broken, rr)
		}
	}
	if len(broken) > 0 {
		fmt.Fprintf(&b, "\n## %s\n", t.Findings)
		for _, rr := range broken {
			fmt.Fprintf(&b, "\n### %s (%s): %s\n\n", mdCell(rr.ID), rr.Severity, mdCell(t.RuleTitleOf(rr)))
			for _, f := range rr.Findings {
				fmt.Fprintf(&b, "- **%s** (%s): %s\n", mdCell(f.Scenario), f.Severity, mdCell(f.Explanation))
				for _, e := range f.Evidence {
					fmt.Fprintf(&b, "  - #%d %s: %s\n", e.Seq, mdCell(e.Kind), mdCell(e.Summary))
				}
			}
		}
	}
	fmt.Fprintf(&b, "\n## %s\n\n", t.Scenarios)
	fmt.Fprintf(&b, "| %s | %s | %s | %s |\n|---|---|---|---|\n", t.Scenario, t.Status, t.Findings, t.Duration)
	for _, sc := range r.Scenarios {
		note := ""
		if sc.Error != "" {
			note = ": " + sc.Error
		}
		fmt.Fprintf(&b, "| %s | %s%s | %d | %s |\n", mdCell(sc.Name), t.ScenarioStatus(sc.Status), mdCell(note), len(sc.Findings), time.Duration(sc.Timings.WallMS)*time.Millisecond)
	}
	var timed []string
	for _, sc := range r.Scenarios {
		for _, l := range sc.Latency {
			timed = append(timed, fmt.Sprintf("- %s: %s\n", mdCell(sc.Name), mdCell(l.String())))
		}
	}
	if len(timed) > 0 {
		fmt.Fprintf(&b, "\n## %s\n\n%s", t.Timed, strings.Join(timed, ""))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdCell is text for one line of Markdown (a table cell, a list item): escaped, on one line.
func mdCell(s string) string {
	return strings.ReplaceAll(mdText.Replace(s), "\n", " ")
}

func assistantLine(a Assistant) string {
	s := a.Name
	switch {
	case a.URL != "":
		s += " at " + a.URL
	case a.Image != "":
		s += " (" + a.Image + ")"
	}
	if len(a.Violations) > 0 {
		s += ", violating " + strings.Join(a.Violations, ", ")
	}
	return s
}

func statusMark(t text, s audit.Status) string {
	switch s {
	case audit.Passed:
		return "✅ " + t.Passed
	case audit.Broken:
		return "❌ " + t.Broken
	case RuleNotApplicable:
		return "⊘ " + t.NotApplicable
	}
	return "➖ " + t.NotExercised
}

// goalsNotReached are the sentences of the goals simulated customers could not reach, by scenario.
func goalsNotReached(scenarios []Scenario) []string {
	var out []string
	for _, sc := range scenarios {
		if sc.Goal != nil {
			out = append(out, sc.Name+": "+sc.Goal.Sentence())
		}
	}
	return out
}

// sortedRules orders rules by severity, then by catalogue order.
func sortedRules(rules []Rule) []Rule {
	out := make([]Rule, 0, len(rules))
	for rank := 0; rank <= 5; rank++ {
		for _, r := range rules {
			if severityRank(r.Severity) == rank {
				out = append(out, r)
			}
		}
	}
	return out
}

// JUnit writes one test suite with a test case per scenario (a failure when it failed, an error when it
// could not run) and one per rule (a failure when broken, skipped when not exercised), so CI systems show
// both views.
func JUnit(w io.Writer, r Report) error {
	type failure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Body    string `xml:",chardata"`
	}
	type skipped struct {
		Message string `xml:"message,attr"`
	}
	type testcase struct {
		Name      string   `xml:"name,attr"`
		Classname string   `xml:"classname,attr"`
		Time      string   `xml:"time,attr"`
		Failure   *failure `xml:"failure,omitempty"`
		Error     *failure `xml:"error,omitempty"`
		Skipped   *skipped `xml:"skipped,omitempty"`
	}
	type testsuite struct {
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Errors   int        `xml:"errors,attr"`
		Skipped  int        `xml:"skipped,attr"`
		Time     string     `xml:"time,attr"`
		Cases    []testcase `xml:"testcase"`
	}
	type testsuites struct {
		XMLName xml.Name    `xml:"testsuites"`
		Name    string      `xml:"name,attr"`
		Suites  []testsuite `xml:"testsuite"`
	}
	scen := testsuite{Name: "scenarios"}
	var total int64
	for _, sc := range r.Scenarios {
		tc := testcase{Name: sc.Name, Classname: "parley.scenarios", Time: seconds(sc.Timings.WallMS)}
		total += sc.Timings.WallMS
		var body strings.Builder
		for _, f := range sc.Findings {
			fmt.Fprintf(&body, "%s (%s): %s\n", f.Rule, f.Severity, f.Explanation)
		}
		switch sc.Status {
		case ScenarioError:
			tc.Error = &failure{Message: sc.Error, Type: "error", Body: body.String()}
			scen.Errors++
		case ScenarioNotApplicable:
			tc.Skipped = &skipped{Message: "not applicable: " + sc.Error}
			scen.Skipped++
		case ScenarioGoalNotReached:
			tc.Failure = &failure{Message: firstLine(sc.Error), Type: ScenarioGoalNotReached, Body: sc.Error + "\n" + body.String()}
			scen.Failures++
		case ScenarioFailed:
			msg := sc.Error
			if msg == "" {
				msg = fmt.Sprintf("%d finding(s)", len(sc.Findings))
			}
			tc.Failure = &failure{Message: msg, Type: "failed", Body: body.String()}
			scen.Failures++
		}
		scen.Cases = append(scen.Cases, tc)
	}
	scen.Tests, scen.Time = len(scen.Cases), seconds(total)
	rules := testsuite{Name: "rules", Time: "0"}
	for _, rr := range r.Rules {
		tc := testcase{Name: rr.ID + " " + rr.Title, Classname: "parley.rules." + string(rr.Severity), Time: "0"}
		switch rr.Status {
		case audit.Broken:
			var body strings.Builder
			for _, f := range rr.Findings {
				fmt.Fprintf(&body, "%s: %s\n", f.Scenario, f.Explanation)
			}
			tc.Failure = &failure{Message: fmt.Sprintf("broken: %d finding(s)", len(rr.Findings)), Type: string(rr.Severity), Body: body.String()}
			rules.Failures++
		case audit.NotExercised:
			tc.Skipped = &skipped{Message: strings.Join(append([]string{"not exercised"}, rr.NotExercisedBecause...), ": ")}
			rules.Skipped++
		case RuleNotApplicable:
			tc.Skipped = &skipped{Message: strings.Join(append([]string{"not applicable"}, rr.NotApplicableBecause...), ": ")}
			rules.Skipped++
		}
		rules.Cases = append(rules.Cases, tc)
	}
	rules.Tests = len(rules.Cases)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(testsuites{Name: "parley certify: " + r.Verdict, Suites: []testsuite{scen, rules}}); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

func seconds(ms int64) string { return fmt.Sprintf("%.3f", float64(ms)/1000) }

// Cucumber writes the cucumber JSON format (the one godog's cucumber formatter and CI plugins read): one
// feature per scenario tag theme, each scenario with one step per transcript turn of the customer, so the
// conversation is visible in cucumber tooling; findings fail the scenario's last step.
func Cucumber(w io.Writer, r Report) error {
	type result struct {
		Status   string `json:"status"`
		Duration int64  `json:"duration,omitempty"` // nanoseconds
		Error    string `json:"error_message,omitempty"`
	}
	type step struct {
		Keyword string `json:"keyword"`
		Name    string `json:"name"`
		Line    int    `json:"line"`
		Result  result `json:"result"`
	}
	type tag struct {
		Name string `json:"name"`
		Line int    `json:"line"`
	}
	type element struct {
		ID      string `json:"id"`
		Keyword string `json:"keyword"`
		Name    string `json:"name"`
		Line    int    `json:"line"`
		Type    string `json:"type"`
		Tags    []tag  `json:"tags,omitempty"`
		Steps   []step `json:"steps"`
	}
	type feature struct {
		URI      string    `json:"uri"`
		ID       string    `json:"id"`
		Keyword  string    `json:"keyword"`
		Name     string    `json:"name"`
		Line     int       `json:"line"`
		Elements []element `json:"elements"`
	}
	f := feature{URI: r.Suite.Name, ID: slug(r.Suite.Name), Keyword: "Feature", Name: r.Suite.Name + " " + r.Suite.Version, Line: 1, Elements: []element{}}
	line := 2
	for _, sc := range r.Scenarios {
		el := element{ID: slug(r.Suite.Name) + ";" + slug(sc.Name), Keyword: "Scenario", Name: sc.Name, Line: line, Type: "scenario", Steps: []step{}}
		for _, tg := range sc.Tags {
			el.Tags = append(el.Tags, tag{Name: tg, Line: line})
		}
		line++
		for _, tu := range sc.Transcript {
			if tu.From != FromCustomer {
				continue
			}
			el.Steps = append(el.Steps, step{Keyword: "When ", Name: fmt.Sprintf("%s writes %q", tu.Customer, tu.Text), Line: line, Result: result{Status: "passed"}})
			line++
		}
		last := step{Keyword: "Then ", Name: "the auditor finds no broken rule", Line: line, Result: result{Status: "passed", Duration: sc.Timings.WallMS * int64(time.Millisecond)}}
		line++
		if sc.Status == ScenarioNotApplicable {
			last.Result.Status, last.Result.Error = "skipped", "not applicable: "+sc.Error
		} else if sc.Status != ScenarioPassed {
			var msg []string
			if sc.Error != "" {
				msg = append(msg, sc.Error)
			}
			for _, fd := range sc.Findings {
				msg = append(msg, fmt.Sprintf("%s (%s): %s", fd.Rule, fd.Severity, fd.Explanation))
			}
			last.Result.Status, last.Result.Error = "failed", strings.Join(msg, "\n")
		}
		el.Steps = append(el.Steps, last)
		f.Elements = append(f.Elements, el)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode([]feature{f})
}

func slug(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, s)
}
