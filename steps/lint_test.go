package steps

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestLintEveryFile: one broken file does not hide the problems of the others, and the good files are
// still returned to run.
func TestLintEveryFile(t *testing.T) {
	fsys := fstest.MapFS{
		"a/unknown.feature": {Data: []byte("Feature: x\n  Scenario: y\n    Given a customer \"Lucía\" with phone \"+34 600 000 001\" who speaks Spanish\n    When \"Lucía\" sayz \"Hola\"\n")},
		"b/syntax.feature":  {Data: []byte("Feature: x\n  Scenario: y\n    Given a customer \"Lucía\" with phone \"+34 600 000 001\" who speaks Spanish\n    | who | says |\n    | Lucía |\n")},
		"c/good.feature":    {Data: []byte("Feature: x\n  Scenario: y\n    Given a customer \"Lucía\" with phone \"+34 600 000 001\" who speaks Spanish\n    When \"Lucía\" says \"Hola\"\n")},
	}
	runnable, problems := Lint(fsys, ".")
	if len(runnable) != 1 || runnable[0] != "c/good.feature" {
		t.Errorf("runnable = %q, want only c/good.feature", runnable)
	}
	files := map[string]bool{}
	for _, p := range problems {
		files[p.File] = true
	}
	if !files["a/unknown.feature"] || !files["b/syntax.feature"] || len(files) != 2 {
		t.Errorf("problems in %v, want both broken files:\n%s", files, Problems(problems))
	}
}

// TestLintScenarioWithoutSteps: a misspelt keyword makes Gherkin read the step as the scenario's
// description, and the scenario would pass checking nothing; lint says so and quotes the line.
func TestLintScenarioWithoutSteps(t *testing.T) {
	ps := LintFile("typo.feature", []byte("Feature: x\n  Scenario: the opt-out\n    Givn a customer \"Lucía\"\n"))
	if len(ps) != 1 {
		t.Fatalf("%d problems, want 1:\n%s", len(ps), Problems(ps))
	}
	p := ps[0]
	if p.Line != 2 || !strings.Contains(p.Message, `"the opt-out" has no steps`) || !strings.Contains(p.Fix, `"Givn a customer \"Lucía\""`) {
		t.Errorf("problem = %+v", p)
	}
	if ps := LintFile("ok.feature", []byte("Feature: x\n  Scenario: y\n    Given a customer \"Lucía\" with phone \"+34 600 000 001\" who speaks Spanish\n")); len(ps) != 0 {
		t.Errorf("a scenario with a step: %s", Problems(ps))
	}
}
