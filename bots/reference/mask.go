package reference

import (
	"regexp"
	"strings"
)

// identifier is a checksum-valid sensitive identifier found in a customer's text.
type identifier struct {
	Kind       string // card, iban, dni, nie
	Start, End int    // byte offsets in the text
	Value      string
}

var (
	cardPattern = regexp.MustCompile(`\b\d(?:[ -]?\d){12,18}\b`)
	ibanPattern = regexp.MustCompile(`(?i)\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b`)
	dniPattern  = regexp.MustCompile(`(?i)\b\d{8}[ -]?[A-Z]\b`)
	niePattern  = regexp.MustCompile(`(?i)\b[XYZ][ -]?\d{7}[ -]?[A-Z]\b`)
)

// findIdentifiers returns the checksum-valid cards (Luhn), IBANs (ISO 7064 mod 97), DNIs and NIEs (mod 23)
// in text, as compliance-rules.md §5 describes them. Near misses (a wrong check digit) are not returned:
// they are not identifiers, and masking them would hide order numbers.
func findIdentifiers(text string) []identifier {
	var out []identifier
	add := func(kind string, p *regexp.Regexp, valid func(string) bool) {
		for _, m := range p.FindAllStringIndex(text, -1) {
			v := text[m[0]:m[1]]
			if valid(compact(v)) && !overlaps(out, m[0], m[1]) {
				out = append(out, identifier{Kind: kind, Start: m[0], End: m[1], Value: v})
			}
		}
	}
	add("iban", ibanPattern, validIBAN)
	add("card", cardPattern, luhn)
	add("nie", niePattern, validNIE)
	add("dni", dniPattern, validDNI)
	return out
}

func overlaps(ids []identifier, start, end int) bool {
	for _, id := range ids {
		if start < id.End && id.Start < end {
			return true
		}
	}
	return false
}

func compact(s string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(s))
}

// mask replaces every identifier in text by a masked form that keeps the last four characters, which
// WA-SENS-02 allows ("**** 1111"), and reports whether anything was masked.
func mask(text string) (string, bool) {
	ids := findIdentifiers(text)
	if len(ids) == 0 {
		return text, false
	}
	var b strings.Builder
	last := 0
	for _, id := range sortedByStart(ids) {
		b.WriteString(text[last:id.Start])
		b.WriteString(maskedForm(id))
		last = id.End
	}
	b.WriteString(text[last:])
	return b.String(), true
}

func maskedForm(id identifier) string {
	c := compact(id.Value)
	tail := c
	if len(c) > 4 {
		tail = c[len(c)-4:]
	}
	return "[" + strings.ToUpper(id.Kind) + " **** " + tail + "]"
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

func luhn(s string) bool {
	if len(s) < 13 || len(s) > 19 {
		return false
	}
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

func validIBAN(s string) bool {
	if len(s) < 15 || len(s) > 34 {
		return false
	}
	r := s[4:] + s[:4]
	rem := 0
	for _, c := range r {
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		default:
			return false
		}
	}
	return rem == 1
}

const dniLetters = "TRWAGMYFPDXBNJZSQVHLCKE"

func validDNI(s string) bool {
	if len(s) != 9 {
		return false
	}
	n := 0
	for _, c := range s[:8] {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return dniLetters[n%23] == s[8]
}

func validNIE(s string) bool {
	if len(s) != 9 {
		return false
	}
	prefix := strings.IndexByte("XYZ", s[0])
	if prefix < 0 {
		return false
	}
	return validDNI(string(rune('0'+prefix)) + s[1:])
}
