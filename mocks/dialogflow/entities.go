package dialogflow

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// token is one unit of a user's text: a word, or a span recognised as a system or regexp entity
// ("12345", "ana@example.com", "3 de marzo"), kept whole so an entity slot consumes it at once.
type token struct {
	norm       string         // folded text: lower case, no accents, words joined by one space
	start, end int            // byte span in the original text
	ents       map[string]any // entity type ("@sys.number", "@order_number") → resolved value
}

// fold lower-cases r and strips the accents of Latin letters: the mock matches whatever the case and the
// accents, as customers type them ("facturacion" for "facturación").
func fold(r rune) rune {
	r = unicode.ToLower(r)
	switch r {
	case 'á', 'à', 'â', 'ä', 'ã', 'å':
		return 'a'
	case 'é', 'è', 'ê', 'ë':
		return 'e'
	case 'í', 'ì', 'î', 'ï':
		return 'i'
	case 'ó', 'ò', 'ô', 'ö', 'õ':
		return 'o'
	case 'ú', 'ù', 'û', 'ü':
		return 'u'
	case 'ñ':
		return 'n'
	case 'ç':
		return 'c'
	}
	return r
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// words splits s[from:to] into folded word tokens with their byte spans. English contractions are
// expanded ("hasn't" → "has not", "I'm" → "i am") so that they match the spelled-out training phrases.
func words(s string, from, to int) []token { return appendWords(nil, s, from, to) }

// appendWords is words appending to dst.
func appendWords(out []token, s string, from, to int) []token {
	i := from
	for i < to {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			i += n
			continue
		}
		start := i
		w := readWord(s, &i, to)
		if i < to {
			if r, n := utf8.DecodeRuneInString(s[i:]); r == '\'' || r == '’' {
				j := i + n
				if suffix := readWord(s, &j, to); suffix != "" {
					if exp, ok := contraction(w, suffix); ok {
						for _, e := range exp {
							out = append(out, token{norm: e, start: start, end: j})
						}
						i = j
						continue
					}
				}
			}
		}
		out = append(out, token{norm: w, start: start, end: i})
	}
	return out
}

// readWord reads the word at s[*i:to], folded. A word already folded (lower-case ASCII letters and
// digits, what most texts are made of) is returned as a slice of s.
func readWord(s string, i *int, to int) string {
	j := *i
	for j < to && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= '0' && s[j] <= '9') {
		j++
	}
	if j == to || s[j] < utf8.RuneSelf && !(s[j] >= 'A' && s[j] <= 'Z') {
		w := s[*i:j] // ended by the end or an ASCII byte that is no letter or digit: nothing to fold
		*i = j
		return w
	}
	var b strings.Builder
	for *i < to {
		r, n := utf8.DecodeRuneInString(s[*i:])
		if !isWordRune(r) {
			break
		}
		b.WriteRune(fold(r))
		*i += n
	}
	return b.String()
}

// contraction expands an English contraction w'suffix; ok is false for anything else (a Spanish or
// Catalan elision, a name like O'Brien), which is then read as two words.
func contraction(w, suffix string) ([]string, bool) {
	switch {
	case suffix == "t" && w == "can":
		return []string{"can", "not"}, true
	case suffix == "t" && w == "won":
		return []string{"will", "not"}, true
	case suffix == "t" && strings.HasSuffix(w, "n") && len(w) > 1:
		return []string{w[:len(w)-1], "not"}, true
	case suffix == "s":
		return []string{w}, true // possessive or "is": the noun or pronoun carries the meaning
	case suffix == "m":
		return []string{w, "am"}, true
	case suffix == "re":
		return []string{w, "are"}, true
	case suffix == "ve":
		return []string{w, "have"}, true
	case suffix == "ll":
		return []string{w, "will"}, true
	case suffix == "d":
		return []string{w, "would"}, true
	}
	return nil, false
}

// normalize folds s and keeps only words, joined by single spaces.
func normalize(s string) string {
	ws := words(s, 0, len(s))
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.norm
	}
	return strings.Join(parts, " ")
}

var (
	reEmail  = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)
	rePhone  = regexp.MustCompile(`(?:\+\d{1,3}[\s.-]?)?\(?\d{2,4}\)?(?:[\s.-]?\d){6,12}`)
	reNumber = regexp.MustCompile(`\d+(?:[.,]\d+)?`)
	reDMY    = regexp.MustCompile(`\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})\b`)
	reISO    = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	reDayMon = regexp.MustCompile(`(?i)\b(\d{1,2})(?:\s+de)?\s+(enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|january|february|march|april|may|june|july|august|september|october|november|december)\b`)
	reMonDay = regexp.MustCompile(`(?i)\b(january|february|march|april|may|june|july|august|september|october|november|december)\s+(\d{1,2})(?:st|nd|rd|th)?\b`)
	reRelDay = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(pasado\s+ma(?:ñ|n)ana|ma(?:ñ|n)ana|hoy|ayer|today|tomorrow|yesterday)(?:$|[^\p{L}])`)
)

var months = map[string]time.Month{
	"enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
	"septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
	"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
	"september": 9, "october": 10, "november": 11, "december": 12,
}

var numberWords = map[string]float64{
	"cero": 0, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
	"nueve": 9, "diez": 10, "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10,
}

type span struct {
	start, end int
	typ        string
	value      any
}

// sysDate formats a resolved @sys.date the way Dialogflow ES does: noon of that day in the request's
// time zone, RFC 3339 with offset.
func sysDate(y int, m time.Month, d int, loc *time.Location) (string, bool) {
	t := time.Date(y, m, d, 12, 0, 0, 0, loc)
	if t.Month() != m || t.Day() != d {
		return "", false
	}
	return t.Format(time.RFC3339), true
}

// recognize finds the system and regexp entities in text. Overlaps are resolved longest first; a span
// recognised as several types (a 10-digit run is a number, a phone and an order number) keeps them all.
func recognize(text string, regexpEntities []entityRegexp, now time.Time) []span {
	return recognizeInto(nil, text, regexpEntities, now)
}

// recognizeInto is recognize using c's array. Expressions that cannot match the text are not run: those
// that need a digit in text without one, an email without "@", a date without its separator or month.
func recognizeInto(c []span, text string, regexpEntities []entityRegexp, now time.Time) []span {
	c = c[:0]
	cl := classify(text)
	if strings.IndexByte(text, '@') >= 0 {
		for _, m := range reEmail.FindAllStringIndex(text, -1) {
			c = append(c, span{m[0], m[1], "@sys.email", text[m[0]:m[1]]})
		}
	}
	if cl.digits > 0 {
		c = recognizeNumbers(c, text, cl, now)
	}
	if mayHoldRelativeDay(text) {
		loc := now.Location()
		for _, m := range reRelDay.FindAllStringSubmatchIndex(text, -1) {
			var days int
			switch normalize(text[m[2]:m[3]]) {
			case "manana", "tomorrow":
				days = 1
			case "ayer", "yesterday":
				days = -1
			case "pasado manana":
				days = 2
			}
			t := now.AddDate(0, 0, days)
			if v, ok := sysDate(t.Year(), t.Month(), t.Day(), loc); ok {
				c = append(c, span{m[2], m[3], "@sys.date", v})
			}
		}
	}
	for _, e := range regexpEntities {
		if e.needsDigit && cl.digits == 0 {
			continue
		}
		for _, m := range e.re.FindAllStringIndex(text, -1) {
			if m[1] > m[0] {
				c = append(c, span{m[0], m[1], e.entity, text[m[0]:m[1]]})
			}
		}
	}
	if len(c) > 1 {
		sort.SliceStable(c, func(i, j int) bool {
			li, lj := c[i].end-c[i].start, c[j].end-c[j].start
			if li != lj {
				return li > lj
			}
			return c[i].start < c[j].start
		})
	}
	// Keep, longest first, the spans that overlap none kept before; c[:k] holds those kept so far.
	k := 0
	for i := range c {
		s, ok := c[i], true
		for _, kept := range c[:k] {
			if s.start == kept.start && s.end == kept.end {
				continue // same span, another type: kept beside it
			}
			if s.start < kept.end && kept.start < s.end {
				ok = false
				break
			}
		}
		if ok {
			c[k] = s
			k++
		}
	}
	return c[:k]
}

// textClass is what recognize's prefilters need to know of a text, found in one pass.
type textClass struct {
	digits     int  // ASCII digits
	digitSep   bool // a digit followed by "/", "." or "-" (reDMY)
	digitDash  bool // a digit followed by "-" (reISO)
	digitSpace bool // a digit followed by white space, \s (reDayMon)
	spaceDigit bool // white space followed by a digit (reMonDay)
}

func classify(text string) textClass {
	var cl textClass
	for i := 0; i < len(text); i++ {
		c := text[i]
		var next byte
		if i+1 < len(text) {
			next = text[i+1]
		}
		if isDigit(c) {
			cl.digits++
			switch {
			case next == '/' || next == '.':
				cl.digitSep = true
			case next == '-':
				cl.digitSep, cl.digitDash = true, true
			case isSpace(next):
				cl.digitSpace = true
			}
		} else if isSpace(c) && isDigit(next) {
			cl.spaceDigit = true
		}
	}
	return cl
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isSpace is RE2's \s.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

// recognizeNumbers appends the entities made of digits: phone numbers, numbers and dates.
func recognizeNumbers(c []span, text string, cl textClass, now time.Time) []span {
	if cl.digits >= 8 { // a phone number holds at least 2+6 digits
		for _, m := range rePhone.FindAllStringIndex(text, -1) {
			raw := text[m[0]:m[1]]
			var digits strings.Builder
			if strings.HasPrefix(raw, "+") {
				digits.WriteByte('+')
			}
			n := 0
			for _, r := range raw {
				if r >= '0' && r <= '9' {
					digits.WriteRune(r)
					n++
				}
			}
			if n >= 9 {
				c = append(c, span{m[0], m[1], "@sys.phone-number", digits.String()})
			}
		}
	}
	// reNumber, \d+(?:[.,]\d+)?, scanned by hand: greedy digits, then a decimal part if one follows.
	for i := 0; i < len(text); {
		if !isDigit(text[i]) {
			i++
			continue
		}
		start := i
		for i < len(text) && isDigit(text[i]) {
			i++
		}
		if i+1 < len(text) && (text[i] == '.' || text[i] == ',') && isDigit(text[i+1]) {
			for i++; i < len(text) && isDigit(text[i]); i++ {
			}
		}
		v, err := strconv.ParseFloat(strings.ReplaceAll(text[start:i], ",", "."), 64)
		if err == nil {
			c = append(c, span{start, i, "@sys.number", v})
		}
	}
	loc := now.Location()
	year := now.Year()
	if cl.digitSep {
		for _, m := range reDMY.FindAllStringSubmatchIndex(text, -1) {
			d, _ := strconv.Atoi(text[m[2]:m[3]])
			mo, _ := strconv.Atoi(text[m[4]:m[5]])
			y, _ := strconv.Atoi(text[m[6]:m[7]])
			if y < 100 {
				y += 2000
			}
			if v, ok := sysDate(y, time.Month(mo), d, loc); ok && mo >= 1 && mo <= 12 {
				c = append(c, span{m[0], m[1], "@sys.date", v})
			}
		}
	}
	if cl.digitDash {
		for _, m := range reISO.FindAllStringSubmatchIndex(text, -1) {
			y, _ := strconv.Atoi(text[m[2]:m[3]])
			mo, _ := strconv.Atoi(text[m[4]:m[5]])
			d, _ := strconv.Atoi(text[m[6]:m[7]])
			if v, ok := sysDate(y, time.Month(mo), d, loc); ok && mo >= 1 && mo <= 12 {
				c = append(c, span{m[0], m[1], "@sys.date", v})
			}
		}
	}
	if !(cl.digitSpace || cl.spaceDigit) || !mayHoldMonth(text) {
		return c
	}
	if cl.digitSpace {
		for _, m := range reDayMon.FindAllStringSubmatchIndex(text, -1) {
			d, _ := strconv.Atoi(text[m[2]:m[3]])
			if v, ok := sysDate(year, months[strings.ToLower(text[m[4]:m[5]])], d, loc); ok {
				c = append(c, span{m[0], m[1], "@sys.date", v})
			}
		}
	}
	if cl.spaceDigit {
		for _, m := range reMonDay.FindAllStringSubmatchIndex(text, -1) {
			d, _ := strconv.Atoi(text[m[4]:m[5]])
			if v, ok := sysDate(year, months[strings.ToLower(text[m[2]:m[3]])], d, loc); ok {
				c = append(c, span{m[0], m[1], "@sys.date", v})
			}
		}
	}
	return c
}

// relativeDayCues: every match of reRelDay holds one of these, in some case ("ma" for mañana and pasado
// mañana).
var relativeDayCues = []string{"ma", "hoy", "ayer", "today", "tomorrow", "yesterday"}

// mayHoldRelativeDay reports whether reRelDay can match text.
func mayHoldRelativeDay(text string) bool {
	return mayHoldFold(text, relativeDayCues)
}

// mayHoldMonth reports whether text may name a month as reDayMon and reMonDay know them.
func mayHoldMonth(text string) bool {
	return mayHoldFold(text, monthNames)
}

var monthNames = func() []string {
	names := make([]string, 0, len(months))
	for name := range months {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}()

// asciiFoldAliases are the runes outside ASCII that (?i) matches as an ASCII letter: the Kelvin sign
// for k, the long s for s (TestASCIIFoldAliases).
const asciiFoldAliases = "\u212a\u017f"

// mayHoldFold reports whether text may hold one of the lower-case ASCII words, as a case-insensitive
// regexp would match them: in any ASCII case, or anyhow when text has a rune that folds into ASCII.
func mayHoldFold(text string, words []string) bool {
	if strings.ContainsAny(text, asciiFoldAliases) {
		return true
	}
	for _, w := range words {
		if containsFoldASCII(text, w) {
			return true
		}
	}
	return false
}

// containsFoldASCII reports whether s holds lower, a lower-case ASCII word, in any ASCII case.
func containsFoldASCII(s, lower string) bool {
	for i := 0; i+len(lower) <= len(s); i++ {
		j := 0
		for ; j < len(lower); j++ {
			c := s[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lower[j] {
				break
			}
		}
		if j == len(lower) {
			return true
		}
	}
	return false
}

// tokenize turns a user's text into tokens, entity spans first (see recognize), words for the rest.
func tokenize(text string, regexpEntities []entityRegexp, now time.Time) []token {
	out, _ := tokenizeInto(nil, nil, text, regexpEntities, now)
	return out
}

// tokenizeInto is tokenize appending to out, with spans as scratch; it returns both for reuse.
func tokenizeInto(out []token, spans []span, text string, regexpEntities []entityRegexp, now time.Time) ([]token, []span) {
	spans = recognizeInto(spans, text, regexpEntities, now)
	if len(spans) > 1 {
		sort.SliceStable(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	}
	pos := 0
	for i := 0; i < len(spans); {
		s := spans[i]
		out = appendWords(out, text, pos, s.start)
		t := token{norm: normalize(text[s.start:s.end]), start: s.start, end: s.end, ents: map[string]any{}}
		for ; i < len(spans) && spans[i].start == s.start && spans[i].end == s.end; i++ {
			t.ents[spans[i].typ] = spans[i].value
		}
		out = append(out, t)
		pos = s.end
	}
	out = appendWords(out, text, pos, len(text))
	for i := range out {
		if out[i].ents == nil {
			if v, ok := numberWords[out[i].norm]; ok {
				out[i].ents = map[string]any{"@sys.number": v}
			}
		}
	}
	return out, spans
}

// numberForms are the other grammatical numbers of a folded synonym that it also matches, the mock's
// simple rule for Spanish and English: a plural adds -s or -es ("pizza"/"pizzas", "box"/"boxes",
// "flor"/"flores"), a singular drops them ("energías"/"energía"). Any one word of a several-word synonym
// may take the other number ("tarjetas de crédito"). Irregular plurals ("children") are not modelled.
func numberForms(syn string) []string {
	ws := strings.Split(syn, " ")
	var out []string
	for i, w := range ws {
		for _, f := range wordNumberForms(w) {
			ws[i] = f
			out = append(out, strings.Join(ws, " "))
		}
		ws[i] = w
	}
	return out
}

func wordNumberForms(w string) []string {
	n := utf8.RuneCountInString(w)
	if n < 3 || !unicode.IsLetter([]rune(w)[n-1]) {
		return nil
	}
	out := []string{w + "s", w + "es"}
	if strings.HasSuffix(w, "s") && n > 3 {
		out = append(out, w[:len(w)-1])
	}
	if strings.HasSuffix(w, "es") && n > 4 {
		out = append(out, w[:len(w)-2])
	}
	return out
}

// fuzzySyn is a one-word synonym of an entity with allowFuzzyExtraction.
type fuzzySyn struct {
	norm  string
	runes []rune
	value string
}

// compPart is one element of a composite entity's pattern: a literal word, or another entity with the
// alias its value takes in the composite's Struct.
type compPart struct {
	word          string
	entity, alias string
}

// compilePattern reads a composite entity's synonym, "@sys.number-integer:number @food:item".
func compilePattern(s string) []compPart {
	var out []compPart
	pos := 0
	for _, m := range entityRefs.FindAllStringSubmatchIndex(s, -1) {
		for _, w := range words(s, pos, m[0]) {
			out = append(out, compPart{word: w.norm})
		}
		out = append(out, compPart{entity: s[m[2]:m[3]], alias: s[m[4]:m[5]]})
		pos = m[1]
	}
	for _, w := range words(s, pos, len(s)) {
		out = append(out, compPart{word: w.norm})
	}
	return out
}

// maxCompositeDepth bounds composites that reference composites, so a cycle in an export cannot loop;
// maxCompositeSteps bounds the patterns tried for one query, so that many patterns nested cannot take
// exponential time.
const (
	maxCompositeDepth = 4
	maxCompositeSteps = 100000
)

// sysValue is the value of system entity entity in token t. The number entities Dialogflow names by
// kind all resolve from the recognised numbers: @sys.number-integer only from whole ones.
func sysValue(t *token, entity string) (any, bool) {
	switch entity {
	case "@sys.number-integer":
		v, ok := t.ents["@sys.number"].(float64)
		if !ok || v != float64(int64(v)) {
			return nil, false
		}
		return v, true
	case "@sys.number-float", "@sys.cardinal":
		v, ok := t.ents["@sys.number"]
		return v, ok
	}
	v, ok := t.ents[entity]
	return v, ok
}

// lookup resolves s, folded words, as a synonym of map entity entity: as written, in its other number
// (numberForms), then, for an entity with allowFuzzyExtraction, within the typo distance of a one-word
// synonym (typoEdits).
func (lm *langModel) lookup(entity, s string) (string, bool) {
	if v, ok := lm.synonyms[entity][s]; ok {
		return v, true
	}
	if v, ok := lm.variants[entity][s]; ok {
		return v, true
	}
	return lm.fuzzyLookup(entity, s)
}

func (lm *langModel) fuzzyLookup(entity, s string) (string, bool) {
	fs := lm.fuzzy[entity]
	if len(fs) == 0 || strings.Contains(s, " ") {
		return "", false
	}
	var buf [32]rune
	rs := appendRunes(buf[:0], s)
	best, bestD := "", -1
	for _, f := range fs {
		allowed := typoEdits(min(len(rs), len(f.runes)))
		if allowed == 0 || abs(len(rs)-len(f.runes)) > allowed {
			continue
		}
		if d := levenshteinRunes(rs, f.runes); d <= allowed && (bestD < 0 || d < bestD) {
			best, bestD = f.value, d
		}
	}
	return best, bestD >= 0
}

// entityAt matches entity at token i of q: a composite by one of its patterns, a map entity by its
// longest synonym there (maxEntityWords words at most), a system or regexp entity by the token. It
// returns the value and how many tokens it takes.
func (lm *langModel) entityAt(q *query, entity string, i, depth int) (any, int, bool) {
	if i >= len(q.tokens) {
		return nil, 0, false
	}
	if pats, ok := lm.composite[entity]; ok {
		if depth >= maxCompositeDepth {
			return nil, 0, false
		}
		var best map[string]any
		bestN := 0
		for _, pat := range pats {
			if v, n, ok := lm.patternAt(q, pat, i, depth); ok && n > bestN {
				best, bestN = v, n
			}
		}
		return best, bestN, bestN > 0
	}
	if syn, ok := lm.synonyms[entity]; ok {
		// The joined words of every length at once, in a buffer on the stack: the map lookups with
		// string(…) of a byte slice do not allocate.
		var buf [128]byte
		var ends [maxEntityWords]int
		joined := buf[:0]
		n := 0
		for ; n < maxEntityWords && i+n < len(q.tokens); n++ {
			if n > 0 {
				joined = append(joined, ' ')
			}
			joined = append(joined, q.tokens[i+n].norm...)
			ends[n] = len(joined)
		}
		vars := lm.variants[entity]
		for ; n >= 1; n-- {
			w := joined[:ends[n-1]]
			if v, ok := syn[string(w)]; ok {
				return v, n, true
			}
			if v, ok := vars[string(w)]; ok {
				return v, n, true
			}
		}
		if v, ok := lm.fuzzyLookup(entity, q.tokens[i].norm); ok {
			return v, 1, true
		}
		return nil, 0, false
	}
	v, ok := sysValue(&q.tokens[i], entity)
	return v, 1, ok
}

func (lm *langModel) patternAt(q *query, pat []compPart, i, depth int) (map[string]any, int, bool) {
	if q.compositeSteps >= maxCompositeSteps {
		return nil, 0, false // an export whose composites branch without end: bounded time, no match
	}
	q.compositeSteps++
	v := map[string]any{}
	j := i
	for _, part := range pat {
		if j >= len(q.tokens) {
			return nil, 0, false
		}
		if part.entity == "" {
			if q.tokens[j].norm != part.word {
				return nil, 0, false
			}
			j++
			continue
		}
		sub, n, ok := lm.entityAt(q, part.entity, j, depth+1)
		if !ok {
			return nil, 0, false
		}
		v[part.alias] = sub
		j += n
	}
	return v, j - i, j > i
}

// joinNorms is the folded text of tokens, one space between them.
func joinNorms(ts []token) string {
	if len(ts) == 1 {
		return ts[0].norm
	}
	var b strings.Builder
	for k, t := range ts {
		if k > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.norm)
	}
	return b.String()
}
