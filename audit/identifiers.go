package audit

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/pii"
)

// scanIdentifiers finds the identifiers in every message, send and Dialogflow query, and the codes in
// every message and send, on every core, in chunks of neighbouring events, scanning each distinct text of
// a chunk once (a message and its query are the same text, a few events apart) and sharing what it found.
func (v *View) scanIdentifiers() {
	inChunks(len(v.evs), 4096, func(lo, hi int) {
		found := map[string]*idents{}
		for _, e := range v.evs[lo:hi] {
			var t string
			switch d := e.p.(type) {
			case *journal.InboundData:
				t = d.Text
			case *journal.OutboundData:
				t = sentText(d)
			case *journal.DetectIntentData:
				t = d.Text
				if len(d.Parameters) > 0 {
					t += "\n" + flattenParams(d.Parameters)
				}
			default:
				continue
			}
			// A code has three digits, so text that cannot hold an identifier holds no code either.
			if !mayHoldIdentifier(t) {
				continue
			}
			x, ok := found[t]
			if !ok {
				x = &idents{ids: pii.Find(t), codes: findCodes(t)} // a query's codes are not read (ev.codes)
				if x.ids == nil && x.codes == nil {
					x = nil
				}
				found[t] = x
			}
			e.tx = x
		}
	})
}

// findCodes returns the order and ticket codes in text as businesses print them (TE-1001, PED-771234):
// what the regular expression `\b[A-Z]{2,5}-\d{3,}\b` finds (ASCII word boundaries), scanned by hand
// since it runs on every message and send of the journal (TestFindCodesIsTheRegexp).
func findCodes(text string) []string {
	var out []string
	for off := 0; ; {
		i := strings.IndexByte(text[off:], '-')
		if i < 0 {
			return out
		}
		dash := off + i
		off = dash + 1
		start := dash
		for start > 0 && 'A' <= text[start-1] && text[start-1] <= 'Z' {
			start--
		}
		if n := dash - start; n < 2 || n > 5 || start > 0 && isASCIIWord(text[start-1]) {
			continue
		}
		end := dash + 1
		for end < len(text) && '0' <= text[end] && text[end] <= '9' {
			end++
		}
		if end-dash-1 < 3 || end < len(text) && isASCIIWord(text[end]) {
			continue
		}
		out = append(out, text[start:end])
		off = end
	}
}

// isASCIIWord is \w of Go's regular expressions, whose \b is ASCII.
func isASCIIWord(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// shareTypes are the identifiers that, written by one customer, must never reach another (WA-XCUST-01).
// Phone numbers are left out: a business's own number is written by customers and by the assistant.
var shareTypes = []pii.Type{pii.DNI, pii.NIE, pii.IBAN, pii.Card, pii.NUSS, pii.Passport, pii.Email}

// sharedValues returns the identifiers and codes in a message or a send, normalised.
func sharedValues(e *ev) []string {
	if !slices.ContainsFunc(e.ids(), func(m pii.Match) bool { return slices.Contains(shareTypes, m.Type) }) {
		return e.codes() // most messages: no copy (callers only read)
	}
	var out []string
	for _, m := range pii.Only(e.ids(), shareTypes...) {
		out = append(out, m.Normalized())
	}
	return append(out, e.codes()...)
}

// mayHoldIdentifier is false for text with fewer than three digits and no @: it cannot hold any
// identifier pii reports (the shortest, a CVV, has three digits), and most chat text is like that.
func mayHoldIdentifier(text string) bool {
	digits := 0
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf { // most text: no rune to decode
			i++
			if c == '@' {
				return true
			} else if '0' <= c && c <= '9' {
				digits++
			}
		} else {
			r, n := utf8.DecodeRuneInString(text[i:])
			i += n
			if unicode.IsDigit(r) {
				digits++
			}
		}
		if digits >= 3 {
			return true
		}
	}
	return false
}
