package reference

import (
	"strings"

	"github.com/parley-dev/parley/pii"
)

// identifier is a checksum-valid sensitive identifier found in a customer's text.
type identifier struct {
	Kind       string // card, iban, dni, nie, nuss
	Start, End int    // byte offsets in the text
	Value      string
}

// findIdentifiers returns the checksum-valid cards, IBANs, DNIs, NIEs and NUSS numbers in text
// (detected by package pii, check digits included). Near misses (a wrong check digit) are not returned:
// they are not identifiers, and masking them would hide order numbers.
func findIdentifiers(text string) []identifier { return identifiersIn(pii.Find(text)) }

// identifiersIn is findIdentifiers over the matches of pii.Find.
func identifiersIn(found []pii.Match) []identifier {
	var out []identifier
	for _, m := range pii.Only(found, pii.Card, pii.IBAN, pii.DNI, pii.NIE, pii.NUSS) {
		out = append(out, identifier{Kind: strings.ToLower(string(m.Type)), Start: m.Start, End: m.End, Value: m.Value})
	}
	return out
}

// mask replaces every finding of package pii (identifiers, e-mail addresses, phone numbers, …) by a
// masked form, and reports whether anything was masked. It runs on DLP's output too: defence in depth, so
// a value DLP missed still does not reach Dialogflow.
func mask(text string) (string, bool) {
	ms := pii.Find(text)
	if len(ms) == 0 {
		return text, false
	}
	return maskMatches(text, ms), true
}

// maskMatches is mask's text, given ms = pii.Find(text).
func maskMatches(text string, ms []pii.Match) string {
	if len(ms) == 0 {
		return text
	}
	var ids []identifier
	for _, m := range ms {
		ids = append(ids, identifier{Kind: strings.ToLower(string(m.Type)), Start: m.Start, End: m.End, Value: m.Value})
	}
	return replaceIdentifiers(text, ids)
}

// maskedForm keeps the last four characters, which WA-SENS-02 allows ("**** 1111"), except for
// e-mail addresses and phone numbers, which are replaced whole.
func maskedForm(id identifier) string {
	if id.Kind == "email" || id.Kind == "phone" || id.Kind == "cvv" {
		return "[" + strings.ToUpper(id.Kind) + "]"
	}
	c := strings.ToUpper(strings.NewReplacer(" ", "", "-", "", ".", "").Replace(id.Value))
	tail := c
	if len(c) > 4 {
		tail = c[len(c)-4:]
	}
	return "[" + strings.ToUpper(id.Kind) + " **** " + tail + "]"
}

// replaceIdentifiers masks ids (non-overlapping) in text.
func replaceIdentifiers(text string, ids []identifier) string {
	var b strings.Builder
	last := 0
	for _, id := range sortedByStart(ids) {
		if id.Start < last {
			continue
		}
		b.WriteString(text[last:id.Start])
		b.WriteString(maskedForm(id))
		last = id.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// maskKinds masks only the identifiers of the given kinds.
func maskKinds(text string, ids []identifier, kinds ...string) string {
	var keep []identifier
	for _, id := range ids {
		for _, k := range kinds {
			if id.Kind == k {
				keep = append(keep, id)
			}
		}
	}
	return replaceIdentifiers(text, keep)
}

func sortedByStart(ids []identifier) []identifier {
	out := append([]identifier(nil), ids...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Start < out[j-1].Start; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
