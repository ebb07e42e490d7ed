package pii

import (
	"sort"
	"strings"
)

// Type is a kind of personal data.
type Type string

// The kinds of personal data Find reports.
const (
	DNI      Type = "DNI"
	NIE      Type = "NIE"
	IBAN     Type = "IBAN"
	Card     Type = "CARD"
	NUSS     Type = "NUSS"
	Passport Type = "PASSPORT"
	Phone    Type = "PHONE"
	Email    Type = "EMAIL"
	CVV      Type = "CVV"
)

// Types lists every Type Find can report.
var Types = []Type{DNI, NIE, IBAN, Card, NUSS, Passport, Phone, Email, CVV}

// Match is one finding in a text.
type Match struct {
	Type       Type
	Start, End int    // byte offsets into the text: text[Start:End] == Value
	Value      string // as written, separators included
}

// Normalized is the value without separators and upper-cased ("12.345.678-z" → "12345678Z").
func (m Match) Normalized() string { return normalize(m.Value) }

// specificity breaks ties between candidates of the same length: checksummed types beat weaker ones.
var specificity = map[Type]int{
	Email: 9, IBAN: 8, Card: 7, NIE: 6, DNI: 6, NUSS: 5, Passport: 4, Phone: 3, CVV: 2,
}

// Find returns every finding in text, ordered by Start and non-overlapping. Where candidates overlap,
// the longer one wins, and at equal length the more specific (checksummed) one.
func Find(text string) []Match {
	var cands []Match
	cands = appendEmails(cands, text)
	cands = appendRuns(cands, text)
	if len(cands) == 0 {
		return nil
	}
	sort.SliceStable(cands, func(i, j int) bool {
		li, lj := cands[i].End-cands[i].Start, cands[j].End-cands[j].Start
		if li != lj {
			return li > lj
		}
		if si, sj := specificity[cands[i].Type], specificity[cands[j].Type]; si != sj {
			return si > sj
		}
		return cands[i].Start < cands[j].Start
	})
	// Bytes already claimed: checking a candidate costs its length, not the number of findings, so a
	// text made of thousands of identifiers stays linear.
	taken := make([]bool, len(text))
	var out []Match
	for _, c := range cands {
		if claim(taken, c.Start, c.End) {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// claim marks [start, end) taken unless some byte of it already is.
func claim(taken []bool, start, end int) bool {
	for i := start; i < end; i++ {
		if taken[i] {
			return false
		}
	}
	for i := start; i < end; i++ {
		taken[i] = true
	}
	return true
}

// Only keeps the matches of the given types.
func Only(matches []Match, types ...Type) []Match {
	var out []Match
	for _, m := range matches {
		for _, t := range types {
			if m.Type == t {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// Contains reports whether text holds any finding of the given types (any type when none is given).
func Contains(text string, types ...Type) bool {
	ms := Find(text)
	if len(types) == 0 {
		return len(ms) > 0
	}
	return len(Only(ms, types...)) > 0
}

// Mask replaces each finding in text with its type in brackets: "mi DNI es [DNI]".
func Mask(text string) string {
	ms := Find(text)
	if len(ms) == 0 {
		return text
	}
	var b strings.Builder
	last := 0
	for _, m := range ms {
		b.WriteString(text[last:m.Start])
		b.WriteString("[" + string(m.Type) + "]")
		last = m.End
	}
	b.WriteString(text[last:])
	return b.String()
}

func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b.WriteByte(c)
		}
	}
	return b.String()
}
