package steps

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestFailuresSpeakTheFeaturesLanguage: every message a scenario's steps can fail with is worded in both
// languages (words, pick, scenarioState.say), so that a feature written in Spanish fails in Spanish. What
// is left in English only is listed here, each with why.
func TestFailuresSpeakTheFeaturesLanguage(t *testing.T) {
	englishOnly := map[string]string{
		"no scenario environment: was steps.Register called, and did its Before hook run?":                               "a programming error, not a scenario's",
		"the scenario's environment did not start (see the error of the first step)":                                     "points at the first step's error, which is worded",
		"%d %s is more time than a scenario can pass at once (at most %d %s)":                                            "shared with parley lint, which reports in English",
		"the conversation needs a table with the header | who | says | (| quién | dice |) and one row per message":       "shared with parley lint; names both headers",
		"the conversation table's header is | %s |; write | who | says | (in Spanish | quién | dice |) as its first row": "shared with parley lint; names both headers",
		"the conversation table has a header but no messages; add rows such as | Lucía | Hola |":                         "shared with parley lint",
	}
	prose := regexp.MustCompile(`[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}`)
	fset := token.NewFileSet()
	for _, file := range []string{"actions.go", "audit.go", "expect.go", "goals.go", "inspect.go", "outcomes.go", "register.go", "world.go"} {
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok || !(pkg.Name == "fmt" && (sel.Sel.Name == "Errorf" || sel.Sel.Name == "Sprintf") || pkg.Name == "errors" && sel.Sel.Name == "New") {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			text, err := strconv.Unquote(lit.Value)
			if err != nil || !prose.MatchString(text) {
				return true
			}
			if why, ok := englishOnly[text]; ok && why != "" {
				return true
			}
			t.Errorf("%s: %s.%s(%q) has no Spanish wording", fset.Position(lit.Pos()), pkg.Name, sel.Sel.Name, strings.TrimSpace(text))
			return true
		})
	}
}
