package report

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/parley-dev/parley/audit"
)

// consoleText is the wording of the console summary in one language.
type consoleText struct {
	Certified, Incomplete, NotCertified                  string
	Scenarios, Rules, NotApplicable, Goal, Subset, Unran string
	Broken, ScenarioFailed, Report                       string
	Rerun, RerunCertified                                string
	Progress, ProgressLive, ProgressDone                 string
}

var consoleTexts = map[string]consoleText{
	"en": {
		Certified: "CERTIFIED", Incomplete: "INCOMPLETE (nothing failed, but this run is not a certification)", NotCertified: "NOT CERTIFIED",
		Scenarios:      "  %d scenarios: %d passed, %d failed, %d could not run\n",
		Rules:          "  %d rules: %d passed, %d broken, %d not exercised\n",
		NotApplicable:  "  not applicable to the assistant's profile: %d scenario(s), %d rule(s)\n",
		Goal:           "  goal not reached in %q: %s\n",
		Subset:         "  only part of the suite ran: %s\n",
		Unran:          "  critical and high rules no scenario exercised: %s\n",
		Broken:         "  ✗ %-16s %-8s %s (%d finding(s))\n",
		ScenarioFailed: "  ✗ scenario %q: %s\n",
		Report:         "  report: %s (also report.json, report.md, junit.xml, cucumber.json)\n",
		Rerun:          "  a rerun of %s (%s, started %s): %d scenario(s) played again, %d carried over as they were\n",
		RerunCertified: "  certified over the two runs together: the carried scenarios passed against the assistant as it was then, and parley cannot tell whether it changed since; a certification of one build is a whole run\n",
		Progress:       "[%d/%d] %-6s %s (%d finding(s), %s)\n",
		ProgressLive:   "[%d/%d] %d finding(s) · %s",
		ProgressDone:   "[%d/%d] done, %d finding(s)\n",
	},
	"es": {
		Certified: "CERTIFICADO", Incomplete: "INCOMPLETO (nada falló, pero esta ejecución no es una certificación)", NotCertified: "NO CERTIFICADO",
		Scenarios:      "  %d escenarios: %d superados, %d fallidos, %d sin poder ejecutarse\n",
		Rules:          "  %d reglas: %d cumplidas, %d incumplidas, %d sin ejercitar\n",
		NotApplicable:  "  no aplicables según el perfil del asistente: %d escenario(s), %d regla(s)\n",
		Goal:           "  objetivo no alcanzado en %q: %s\n",
		Subset:         "  solo se ejecutó parte de la batería: %s\n",
		Unran:          "  reglas críticas y altas que ningún escenario ejercitó: %s\n",
		Broken:         "  ✗ %-16s %-8s %s (%d hallazgo(s))\n",
		ScenarioFailed: "  ✗ escenario %q: %s\n",
		Report:         "  informe: %s (también report.json, report.md, junit.xml, cucumber.json)\n",
		Rerun:          "  repetición de %s (%s, iniciado el %s): %d escenario(s) ejecutados de nuevo, %d conservados tal como estaban\n",
		RerunCertified: "  certificado sobre las dos ejecuciones juntas: los escenarios conservados se superaron con el asistente tal como era entonces, y parley no puede saber si ha cambiado desde; la certificación de una versión es una ejecución completa\n",
		Progress:       "[%d/%d] %-6s %s (%d hallazgo(s), %s)\n",
		ProgressLive:   "[%d/%d] %d hallazgo(s) · %s",
		ProgressDone:   "[%d/%d] hecho, %d hallazgo(s)\n",
	},
}

// ProgressLine is the line a run prints as its n-th of total scenarios ends, in lang (en or es): its
// status, name, findings and time.
func ProgressLine(lang string, n, total int, s Scenario) string {
	return fmt.Sprintf(consoleIn(lang).Progress, n, total, texts(lang).ScenarioStatus(s.Status), Clean(s.Name), len(s.Findings),
		time.Duration(s.Timings.WallMS)*time.Millisecond)
}

// ProgressLive is the one line a terminal rewrites as scenarios end: how many, the findings so far, the
// last scenario's name.
func ProgressLive(lang string, n, total, findings int, name string) string {
	return fmt.Sprintf(consoleIn(lang).ProgressLive, n, total, findings, Clean(name))
}

// ProgressDone ends the live line.
func ProgressDone(lang string, n, total, findings int) string {
	return fmt.Sprintf(consoleIn(lang).ProgressDone, n, total, findings)
}

func consoleIn(lang string) consoleText {
	if t, ok := consoleTexts[lang]; ok {
		return t
	}
	return consoleTexts["en"]
}

// Console writes the end of a run as a terminal shows it, in the report's language: the verdict, what
// broke, whether it is a rerun and what that claims, and where the report is (dir).
func Console(w io.Writer, r Report, dir string) error {
	r = r.ForDisplay() // names, errors and goals may hold what a customer or an assistant wrote
	t := consoleIn(r.Lang)
	tx := texts(r.Lang)
	s := r.Summary
	v := t.Certified
	switch {
	case r.Incomplete():
		v = t.Incomplete
	case !r.Certified():
		v = t.NotCertified
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", r.Assistant.Name, v)
	fmt.Fprintf(&b, t.Scenarios, s.Scenarios, s.Passed, s.Failed, s.Errors)
	fmt.Fprintf(&b, t.Rules, len(r.Rules), s.RulesPassed, s.RulesBroken, s.RulesUnseen)
	if s.NotApplicable+s.RulesNotApplicable > 0 {
		fmt.Fprintf(&b, t.NotApplicable, s.NotApplicable, s.RulesNotApplicable)
	}
	b.WriteString(rerunLines(r, t))
	for _, sc := range r.Scenarios {
		if sc.Goal != nil {
			fmt.Fprintf(&b, t.Goal, sc.Name, sc.Goal.Sentence())
		}
	}
	if s.Subset != "" {
		fmt.Fprintf(&b, t.Subset, s.Subset)
	}
	if len(s.Required) > 0 {
		fmt.Fprintf(&b, t.Unran, strings.Join(s.Required, ", "))
	}
	for _, rr := range r.Rules {
		if rr.Status == audit.Broken {
			fmt.Fprintf(&b, t.Broken, rr.ID, tx.SeverityName(rr.Severity), tx.RuleTitleOf(rr), len(rr.Findings))
		}
	}
	for _, sc := range r.Scenarios {
		if sc.Error != "" && sc.Status != ScenarioNotApplicable && sc.Status != ScenarioGoalNotReached {
			// The first line says what failed; the transcript that follows it is in the report.
			first, _, _ := strings.Cut(sc.Error, "\n")
			fmt.Fprintf(&b, t.ScenarioFailed, sc.Name, first)
		}
	}
	fmt.Fprintf(&b, t.Report, filepath.Join(dir, FileHTML))
	_, err := io.WriteString(w, b.String())
	return err
}

// rerunLines is what the console says of a rerun: of which report, what it replayed and carried, and,
// when it certifies, that the certification is of the two runs together. Empty for a run of its own.
func rerunLines(r Report, t consoleText) string {
	rr := r.Rerun
	if rr == nil {
		return ""
	}
	s := fmt.Sprintf(t.Rerun, rr.Report, texts(r.Lang).Verdict(rr.Verdict), rr.StartedAt.Format("2006-01-02 15:04 MST"), len(rr.Replayed), len(rr.Carried))
	if r.Certified() && len(rr.Carried) > 0 {
		s += t.RerunCertified
	}
	return s
}

// RerunNote is what report.md and report.html say of a rerun, in the report's language (the console's
// lines, as sentences); empty for a run of its own.
func (r Report) RerunNote() string {
	t, ok := consoleTexts[r.Lang]
	if !ok {
		t = consoleTexts["en"]
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(rerunLines(r, t)), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, strings.ToUpper(l[:1])+l[1:]+".")
		}
	}
	return strings.Join(out, " ")
}
