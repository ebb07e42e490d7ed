package pii

import (
	"slices"
	"strings"
)

// group is a maximal sequence of ASCII letters and digits; sep is the separator byte that joins it to the
// previous group of the same run (0 for the first group of a run).
type group struct {
	start, end int
	sep        byte
	digits     bool // only digits
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isSep(c byte) bool { return c == ' ' || c == '-' || c == '.' || c == '/' }

// maxWindowChars bounds the normalised length of a window: the longest IBAN has 34 characters.
const maxWindowChars = 34

// appendRuns finds the numeric and code-like findings: it splits text into runs of groups joined by single
// separators and tries every window of consecutive groups.
func appendRuns(cands []Match, text string) []Match {
	var buf [32]group // most texts' runs fit: no allocation
	run := buf[:0]
	flush := func() {
		if len(run) > 0 {
			cands = scanRun(cands, text, run)
		}
		run = run[:0]
	}
	i := 0
	for i < len(text) {
		if !isAlnum(text[i]) {
			i++
			continue
		}
		start := i
		digits := true
		for i < len(text) && isAlnum(text[i]) {
			if !isDigit(text[i]) {
				digits = false
			}
			i++
		}
		var sep byte
		if len(run) > 0 {
			prev := run[len(run)-1]
			if start == prev.end+1 && isSep(text[prev.end]) {
				sep = text[prev.end]
			} else {
				flush()
			}
		}
		run = append(run, group{start: start, end: i, sep: sep, digits: digits})
	}
	flush()
	return cands
}

func scanRun(cands []Match, text string, run []group) []Match {
	if !slices.ContainsFunc(run, func(g group) bool { return mayStart(text, g) }) {
		return cands // prose: nothing to normalise
	}
	// The run's groups upper-cased and joined once; a window's normalised form is a substring of it. Its
	// size is known, so it is allocated once, and most runs' offsets fit on the stack.
	var b strings.Builder
	size := 0
	for _, g := range run {
		size += g.end - g.start
	}
	b.Grow(size)
	var offsBuf [33]int
	offs := offsBuf[:0]
	if len(run)+1 > len(offsBuf) {
		offs = make([]int, 0, len(run)+1)
	}
	offs = offs[:len(run)+1]
	for k, g := range run {
		offs[k] = b.Len()
		for p := g.start; p < g.end; p++ {
			c := text[p]
			if c >= 'a' && c <= 'z' {
				c -= 'a' - 'A'
			}
			b.WriteByte(c)
		}
	}
	offs[len(run)] = b.Len()
	norm := b.String()
	for i := range run {
		if !mayStart(text, run[i]) {
			continue
		}
		for j := i; j < len(run); j++ {
			if offs[j+1]-offs[i] > maxWindowChars {
				break
			}
			if t, start, ok := classify(text, run[i:j+1], norm[offs[i]:offs[j+1]]); ok {
				cands = append(cands, Match{Type: t, Start: start, End: run[j].end, Value: text[start:run[j].end]})
			}
		}
	}
	return cands
}

// mayStart says whether a finding may start with group g: every finding starts with a group holding a
// digit (DNI, card, IBAN "ES91", passport) or with a lone NIE prefix; words are skipped, which makes prose
// cheap.
func mayStart(text string, g group) bool {
	return g.digits || hasDigit(text[g.start:g.end]) || g.end-g.start == 1 && strings.IndexByte("XYZxyz", text[g.start]) >= 0
}

// classify says what a window of groups is, if anything. start may move left to take a leading '+'.
func classify(text string, w []group, s string) (Type, int, bool) {
	start := w[0].start
	allDigits := true
	for _, g := range w {
		if !g.digits {
			allDigits = false
			break
		}
	}
	if allDigits {
		if t, st, ok := classifyDigits(text, w, s); ok {
			return t, st, true
		}
		return "", 0, false
	}
	switch {
	case len(s) == 9 && isDigits(s[:8]) && isUpper(s[8]):
		if dniShape(text, w) && ValidDNI(s) {
			return DNI, start, true
		}
	case len(s) == 9 && (s[0] == 'X' || s[0] == 'Y' || s[0] == 'Z') && isDigits(s[1:8]) && isUpper(s[8]):
		if nieShape(text, w) && ValidNIE(s) {
			return NIE, start, true
		}
	}
	if len(s) >= 15 && isUpper(s[0]) && isUpper(s[1]) && isDigits(s[2:4]) && ibanShape(text, w) && ValidIBAN(s) {
		return IBAN, start, true
	}
	if len(w) == 1 && passportShape(s) && near(text, start, 40, passportWords) {
		return Passport, start, true
	}
	return "", 0, false
}

func classifyDigits(text string, w []group, s string) (Type, int, bool) {
	start := w[0].start
	plus := start > 0 && text[start-1] == '+'
	// afterReference is only asked once a number has passed its own checks: it is the costly part.
	switch {
	case len(s) >= 13 && len(s) <= 19 && !plus && s[0] >= '2' && s[0] <= '6' && cardShape(w) && luhnSum(s)%10 == 0:
		if !afterReference(text, start) {
			return Card, start, true
		}
		return "", 0, false
	case len(s) == 12 && !plus && nussShape(w) && ValidNUSS(s):
		if !afterReference(text, start) {
			return NUSS, start, true
		}
		return "", 0, false
	case len(w) == 1 && (len(s) == 3 || len(s) == 4) && !plus && near(text, start, 30, cvvWords):
		return CVV, start, true
	}
	if len(s) >= 8 && len(s) <= 15 && phoneShape(s, w, plus) && (plus || !afterReference(text, start)) {
		if plus {
			start--
		}
		return Phone, start, true
	}
	return "", 0, false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return len(s) > 0
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

func glen(g group) int { return g.end - g.start }

// dniShape accepts 12345678Z, 12345678-Z, 12.345.678-Z, 12 345 678 Z. A lone lower-case letter after a
// space is a word ("12345678 y …"), not a control letter.
func dniShape(text string, w []group) bool {
	last := w[len(w)-1]
	if len(w) == 1 {
		return true
	}
	if glen(last) == 1 && last.sep == ' ' && !isUpper(text[last.start]) {
		return false
	}
	if len(w) > 4 {
		return false
	}
	return len(w) <= 2 || glen(w[0]) <= 2
}

// nieShape accepts X1234567L, X-1234567-L, X 1234567 L; a separated prefix must be upper case, so the
// Spanish word "y" is not read as a NIE prefix.
func nieShape(text string, w []group) bool {
	if len(w) > 3 {
		return false
	}
	if len(w) > 1 && glen(w[0]) == 1 && !isUpper(text[w[0].start]) {
		return false
	}
	last := w[len(w)-1]
	if len(w) > 1 && glen(last) == 1 && last.sep == ' ' && !isUpper(text[last.start]) {
		return false
	}
	return true
}

// ibanShape: compact, or printed in groups of four (the first group holding the country and check digits).
func ibanShape(text string, w []group) bool {
	if len(w) == 1 {
		return true
	}
	if glen(w[0]) != 4 && glen(w[0]) != 2 {
		return false
	}
	for k, g := range w[1:] {
		if glen(g) != 4 && !(k == len(w)-2 && glen(g) < 4) {
			return false
		}
	}
	return true
}

func cardShape(w []group) bool {
	if len(w) == 1 {
		return true
	}
	sizes := make([]int, len(w))
	for k, g := range w {
		sizes[k] = glen(g)
	}
	if len(sizes) == 3 && sizes[0] == 4 && sizes[1] == 6 && (sizes[2] == 5 || sizes[2] == 4) {
		return true
	}
	for k, n := range sizes {
		if n != 4 && !(k == len(sizes)-1 && n >= 1 && n < 4) {
			return false
		}
	}
	return true
}

func nussShape(w []group) bool {
	switch len(w) {
	case 1:
		return true
	case 2:
		return glen(w[0]) == 2 && glen(w[1]) == 10 || glen(w[0]) == 10 && glen(w[1]) == 2
	case 3:
		return glen(w[0]) == 2 && glen(w[1]) == 8 && glen(w[2]) == 2
	}
	return false
}

func passportShape(s string) bool {
	if len(s) < 8 || len(s) > 9 || !isDigits(s[len(s)-6:]) {
		return false
	}
	letters := 0
	for i := 0; i < len(s)-6; i++ {
		if isUpper(s[i]) {
			letters++
		}
	}
	return letters > 0 // all-digit passports are too often something else
}

// phoneShape: a Spanish number of 9 digits (optionally after 34 with '+' or after 0034), grouped in 2-4
// digit blocks or compact; or any international number written after '+'.
func phoneShape(s string, w []group, plus bool) bool {
	national := s
	rest := w
	switch {
	case plus && strings.HasPrefix(s, "34") && len(s) == 11:
		national = s[2:]
		if glen(w[0]) == 2 {
			rest = w[1:]
		}
	case !plus && strings.HasPrefix(s, "0034") && len(s) == 13:
		national = s[4:]
		if glen(w[0]) == 4 {
			rest = w[1:]
		}
	case plus:
		if len(s) < 8 || len(s) > 15 || s[0] == '0' {
			return false
		}
		for _, g := range w {
			if glen(g) > 5 && len(w) > 1 {
				return false
			}
		}
		return true
	}
	if len(national) != 9 || !validSpanishPhone(national) {
		return false
	}
	if len(rest) == 1 {
		return true
	}
	for _, g := range rest {
		if glen(g) < 2 || glen(g) > 4 {
			return false
		}
		if g.sep == '/' || g.sep == '.' && len(rest) < 3 {
			return false
		}
	}
	return true
}

func validSpanishPhone(n string) bool {
	switch n[0] {
	case '6', '8', '9':
		return true
	case '7':
		return n[1] >= '1' && n[1] <= '4'
	}
	return false
}

var (
	passportWords = []string{"pasaporte", "passport"}
	cvvWords      = []string{"cvv", "cvc", "código de seguridad", "codigo de seguridad", "security code", "card verification"}
	// Words after which a number is a reference, not personal data ("pedido 612345678").
	referenceWords = []string{"pedido", "order", "factura", "invoice", "ref", "referencia", "reference", "tracking",
		"seguimiento", "localizador", "expediente", "ticket", "incidencia", "albarán", "albaran"}
)

// near reports whether one of words (lower case) occurs in the span bytes before start, ignoring ASCII case.
func near(text string, start, span int, words []string) bool {
	before := text[max(0, start-span):start]
	for _, w := range words {
		if containsFold(before, w) {
			return true
		}
	}
	return false
}

func containsFold(s, lower string) bool {
	for i := 0; i+len(lower) <= len(s); i++ {
		k := 0
		for k < len(lower) {
			c := s[i+k]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lower[k] {
				break
			}
			k++
		}
		if k == len(lower) {
			return true
		}
	}
	return false
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}

// afterReference reports whether the word right before start names an order or reference number.
func afterReference(text string, start int) bool {
	from := max(0, start-30)
	before := strings.ToLower(text[from:start])
	before = strings.TrimRight(before, " :#º°.-")
	for _, abbr := range []string{" nº", " n", " no", " num", " número", " numero", " number", " nr", " id"} {
		if strings.HasSuffix(before, abbr) {
			before = strings.TrimRight(strings.TrimSuffix(before, abbr), " :#º°.-")
			break
		}
	}
	for _, w := range referenceWords {
		if strings.HasSuffix(before, w) {
			return true
		}
	}
	return start > 0 && text[start-1] == '#'
}

func isLocal(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func isDomain(c byte) bool { return isAlnum(c) || c == '-' || c == '.' }

// appendEmails finds RFC 5322-lite addresses (local@label.label…tld, tld of two letters or more) by
// growing outwards from each '@'; a hand scan, because a regular expression over every message costs
// more than all the other detectors together.
func appendEmails(cands []Match, text string) []Match {
	from := 0
	for {
		at := strings.IndexByte(text[from:], '@')
		if at < 0 {
			return cands
		}
		at += from
		from = at + 1
		start := at
		for start > 0 && isLocal(text[start-1]) {
			start--
		}
		end := at + 1
		for end < len(text) && isDomain(text[end]) {
			end++
		}
		// Trailing dots and hyphens belong to the sentence, not the address.
		for end > at+1 && (text[end-1] == '.' || text[end-1] == '-') {
			end--
		}
		if start == at || end == at+1 {
			continue
		}
		domain := text[at+1 : end]
		dot := strings.LastIndexByte(domain, '.')
		if dot <= 0 || strings.Contains(domain, "..") || domain[0] == '.' || domain[0] == '-' {
			continue
		}
		tld := domain[dot+1:]
		if len(tld) < 2 || !allLetters(tld) {
			continue
		}
		cands = append(cands, Match{Type: Email, Start: start, End: end, Value: text[start:end]})
		from = end
	}
}

func allLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
