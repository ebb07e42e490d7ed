package features_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"

	refbot "github.com/parley-dev/parley/bots/reference"
	"github.com/parley-dev/parley/features"
)

// minEcho is the shortest quoted text compared with the reference assistant's sentences: shorter ones
// ("pedido", "privacy", "marketing") are words any assistant or customer uses.
const minEcho = 10

var quotedText = regexp.MustCompile(`"([^"]*)"`)

// TestNoReferenceWording: no step of the bundled suite quotes a sentence, a button title, a keyword or an
// order code of the reference assistant, so the suite holds for an assistant written in other words. The
// reference assistant's own exact-wording scenarios live with its tests (bots/reference/testdata).
func TestNoReferenceWording(t *testing.T) {
	w, err := refbot.CustomerWording()
	if err != nil {
		t.Fatal(err)
	}
	err = fs.WalkDir(features.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".feature") {
			return err
		}
		b, err := fs.ReadFile(features.FS(), path)
		if err != nil {
			return err
		}
		for _, p := range echoesIn(t, w, path, b) {
			t.Error(p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNoReferenceWordingCatchesOldSteps: steps written in the reference assistant's words, as the suite
// once had them, are caught, and customers' own words and the mock's fixtures are not.
func TestNoReferenceWordingCatchesOldSteps(t *testing.T) {
	w, err := refbot.CustomerWording()
	if err != nil {
		t.Fatal(err)
	}
	const old = `Feature: old
  Scenario: in one assistant's words
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    When "Lucía" says "¿Dónde está mi pedido TE-1001?"
    Then "Lucía" receives a reply containing "te hemos dado de baja"
    And "Lucía" receives a reply containing "Referencia"
    And "Lucía" receives a reply containing "Tienda Ejemplo S.L."
    When "Lucía" taps "No, gracias"
    And "Lucía" says "AGENT"
    And the conversation goes:
      | who       | says                         |
      | Lucía     | hola                         |
      | assistant | asistente virtual automático |
    And "Lucía" says:
      """
      mi pedido es el t-5002
      """
`
	got := echoesIn(t, w, "old.feature", []byte(old))
	for _, want := range []string{`"¿Dónde está mi pedido TE-1001?" names the reference assistant's code "TE-1001"`,
		`"te hemos dado de baja" is part of the reference assistant's message`,
		`"Referencia" is part of the reference assistant's message`,
		`"Tienda Ejemplo S.L." is part of the reference assistant's message`,
		`"No, gracias" is a button title of the reference assistant`,
		`"AGENT" is a keyword of the reference assistant`,
		`"asistente virtual automático" is part of the reference assistant's message`,
		`names the reference assistant's code "T-5002"`} {
		if !strings.Contains(strings.Join(got, "\n"), want) {
			t.Errorf("not caught: %s\n(got:\n%s)", want, strings.Join(got, "\n"))
		}
	}
	const fine = `Feature: fine
  Scenario: in the customer's own words
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    When "Lucía" asks to opt out: "no quiero más mensajes"
    And "Lucía" says "BAJA"
    And "Lucía" opted in to "marketing" through the "web"
    And the business sends the campaign "promo_verano"
    And "Lucía" makes an erasure request: "borrad todos mis datos, por favor"
    And "Lucía" says "quiero hablar con una persona"
`
	if got := echoesIn(t, w, "fine.feature", []byte(fine)); len(got) > 0 {
		t.Errorf("customers' own words taken for the assistant's:\n%s", strings.Join(got, "\n"))
	}
}

// echoesIn returns, for every quoted string, table cell and doc string of a feature's steps that
// echoes the reference assistant, where and what.
func echoesIn(t *testing.T, w refbot.Wording, path string, b []byte) []string {
	t.Helper()
	doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(b), (&messages.Incrementing{}).NewId)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if doc.Feature == nil {
		return nil
	}
	var out []string
	for _, p := range gherkin.Pickles(*doc, path, (&messages.Incrementing{}).NewId) {
		for _, st := range p.Steps {
			for _, q := range quotesOf(st) {
				if why := echo(w, q); why != "" {
					out = append(out, fmt.Sprintf("%s (%s): step %q: %s", path, p.Name, st.Text, why))
				}
			}
		}
	}
	return out
}

// quotesOf returns a step's quoted strings, its table's cells and its doc string.
func quotesOf(st *messages.PickleStep) []string {
	var qs []string
	for _, m := range quotedText.FindAllStringSubmatch(st.Text, -1) {
		qs = append(qs, m[1])
	}
	if st.Argument != nil && st.Argument.DataTable != nil {
		for _, r := range st.Argument.DataTable.Rows {
			for _, c := range r.Cells {
				qs = append(qs, c.Value)
			}
		}
	}
	if st.Argument != nil && st.Argument.DocString != nil {
		qs = append(qs, st.Argument.DocString.Content)
	}
	return qs
}

// echo says how a quoted string takes the reference assistant's wording, or "": a button title or a
// keyword exactly, a code anywhere in it as a word, a sentence's part of at least minEcho letters.
func echo(w refbot.Wording, q string) string {
	lq := strings.ToLower(strings.TrimSpace(q))
	for _, b := range w.Buttons {
		if lq == strings.ToLower(b) {
			return fmt.Sprintf("%q is a button title of the reference assistant", q)
		}
	}
	for _, k := range w.Keywords {
		if lq == strings.ToLower(k) {
			return fmt.Sprintf("%q is a keyword of the reference assistant", q)
		}
	}
	for _, c := range w.Codes {
		if regexp.MustCompile(`(?i)(^|[^\pL\pN-])` + regexp.QuoteMeta(c) + `($|[^\pL\pN-])`).MatchString(q) {
			return fmt.Sprintf("%q names the reference assistant's code %q", q, c)
		}
	}
	if utf8.RuneCountInString(lq) < minEcho {
		return ""
	}
	for _, s := range w.Sentences {
		if strings.Contains(strings.ToLower(s), lq) {
			return fmt.Sprintf("%q is part of the reference assistant's message %q", q, shorten(s))
		}
	}
	return ""
}

// shorten cuts a long message for an error.
func shorten(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}
