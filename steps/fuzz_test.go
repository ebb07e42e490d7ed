package steps

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLintFile feeds arbitrary feature files to the Gherkin parser and the step matcher (every step's
// text, its parameters and the customers it names): no panic, no hang (the fuzzer stops a stuck input), and every problem names a line of
// the file and says how to fix it.
func FuzzLintFile(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "features", "*", "*.feature"))
	for i, p := range seeds {
		if i == 6 {
			break
		}
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, d := range Defs()[:8] {
		f.Add([]byte("Feature: f\n  Scenario: s\n    Given " + d.ExEN + "\n"))
		f.Add([]byte("# language: es\nCaracterística: f\n  Escenario: s\n    Dado " + d.ExES + "\n"))
	}
	for _, s := range []string{
		"", "# language: xx\nFeature:", "Feature: f\n  Scenario Outline: o\n    Given <a>\n    Examples:\n      | a |\n      | \xff |\n",
		"Feature: f\n  Scenario: s\n    When 99999999999999999999 hours pass\n",
		"Feature: f\n  Scenario: s\n    Given a customer \"" + strings.Repeat("x", 3000) + "\" with phone \"+\" who speaks Spanish\n",
		"Feature: f\n  Scenario: s\n    Given \"\"\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		if len(content) > 64<<10 {
			t.Skip()
		}
		lines := strings.Count(string(content), "\n") + 1
		for _, p := range LintFile("fuzz.feature", content) {
			if p.Line < 0 || p.Line > lines+1 {
				t.Fatalf("problem at line %d of a %d-line file: %+v", p.Line, lines, p)
			}
			if strings.TrimSpace(p.Message) == "" {
				t.Fatalf("a problem with no text: %+v", p)
			}
		}
	})
}
