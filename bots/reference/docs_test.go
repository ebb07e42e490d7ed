package reference

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestControlDocsButtonsExist: every button a customer taps in the examples of docs/control-api.md is one
// that exists: an interactive reply button the reference assistant sends, or a quick-reply button of a
// template in fixtures/templates. A tap on a button the customer never received is refused, so an
// example with an invented label would fail for whoever copies it.
func TestControlDocsButtonsExist(t *testing.T) {
	doc, err := os.ReadFile("../../docs/control-api.md")
	if err != nil {
		t.Fatal(err)
	}
	var interactive []string
	for _, lang := range []string{"es", "en"} {
		interactive = append(interactive, text(lang).optInYesButton, text(lang).optInNoButton)
	}
	var quick []string
	files, _ := filepath.Glob("../../fixtures/templates/*.json")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`"type":\s*"QUICK_REPLY",\s*"text":\s*"([^"]+)"`).FindAllStringSubmatch(string(b), -1) {
			quick = append(quick, m[1])
		}
	}
	taps := regexp.MustCompile(`\{"type":"(interactive|button)","text":"([^"]+)"`).FindAllStringSubmatch(string(doc), -1)
	if len(taps) == 0 {
		t.Fatal("no button tap in the examples: the test no longer reads them")
	}
	for _, m := range taps {
		known := interactive
		if m[1] == "button" {
			known = quick
		}
		if !slices.Contains(known, m[2]) {
			t.Errorf("docs/control-api.md taps the %s button %q, which nothing sends; known: %s", m[1], m[2], strings.Join(known, ", "))
		}
	}
}
