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

// fold lower-cases r and strips the accents of Latin letters, the normalisation Dialogflow's matching
// is insensitive to (research note §7).
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
func words(s string, from, to int) []token {
	var out []token
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

func readWord(s string, i *int, to int) string {
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
// time zone, RFC 3339 with offset (research note §2.7).
func sysDate(y int, m time.Month, d int, loc *time.Location) (string, bool) {
	t := time.Date(y, m, d, 12, 0, 0, 0, loc)
	if t.Month() != m || t.Day() != d {
		return "", false
	}
	return t.Format(time.RFC3339), true
}

// recognize finds the system and regexp entities in text. Overlaps are resolved longest first; a span
// recognised as several types (a 10-digit run is a number, a phone and an order number) keeps them all.
func recognize(text string, regexpEntities map[string][]*regexp.Regexp, now time.Time) []span {
	var c []span
	for _, m := range reEmail.FindAllStringIndex(text, -1) {
		c = append(c, span{m[0], m[1], "@sys.email", text[m[0]:m[1]]})
	}
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
	for _, m := range reNumber.FindAllStringIndex(text, -1) {
		v, err := strconv.ParseFloat(strings.ReplaceAll(text[m[0]:m[1]], ",", "."), 64)
		if err == nil {
			c = append(c, span{m[0], m[1], "@sys.number", v})
		}
	}
	loc := now.Location()
	year := now.Year()
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
	for _, m := range reISO.FindAllStringSubmatchIndex(text, -1) {
		y, _ := strconv.Atoi(text[m[2]:m[3]])
		mo, _ := strconv.Atoi(text[m[4]:m[5]])
		d, _ := strconv.Atoi(text[m[6]:m[7]])
		if v, ok := sysDate(y, time.Month(mo), d, loc); ok && mo >= 1 && mo <= 12 {
			c = append(c, span{m[0], m[1], "@sys.date", v})
		}
	}
	for _, m := range reDayMon.FindAllStringSubmatchIndex(text, -1) {
		d, _ := strconv.Atoi(text[m[2]:m[3]])
		if v, ok := sysDate(year, months[strings.ToLower(text[m[4]:m[5]])], d, loc); ok {
			c = append(c, span{m[0], m[1], "@sys.date", v})
		}
	}
	for _, m := range reMonDay.FindAllStringSubmatchIndex(text, -1) {
		d, _ := strconv.Atoi(text[m[4]:m[5]])
		if v, ok := sysDate(year, months[strings.ToLower(text[m[2]:m[3]])], d, loc); ok {
			c = append(c, span{m[0], m[1], "@sys.date", v})
		}
	}
	for _, m := range reRelDay.FindAllStringSubmatchIndex(text, -1) {
		w := normalize(text[m[2]:m[3]])
		days := map[string]int{"hoy": 0, "today": 0, "manana": 1, "tomorrow": 1, "ayer": -1, "yesterday": -1, "pasado manana": 2}[w]
		t := now.AddDate(0, 0, days)
		if v, ok := sysDate(t.Year(), t.Month(), t.Day(), loc); ok {
			c = append(c, span{m[2], m[3], "@sys.date", v})
		}
	}
	names := make([]string, 0, len(regexpEntities))
	for name := range regexpEntities {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, re := range regexpEntities[name] {
			for _, m := range re.FindAllStringIndex(text, -1) {
				if m[1] > m[0] {
					c = append(c, span{m[0], m[1], "@" + name, text[m[0]:m[1]]})
				}
			}
		}
	}
	sort.SliceStable(c, func(i, j int) bool {
		li, lj := c[i].end-c[i].start, c[j].end-c[j].start
		if li != lj {
			return li > lj
		}
		return c[i].start < c[j].start
	})
	var chosen []span
	for _, s := range c {
		ok := true
		for _, k := range chosen {
			if s.start == k.start && s.end == k.end {
				continue // same span, another type: kept beside it
			}
			if s.start < k.end && k.start < s.end {
				ok = false
				break
			}
		}
		if ok {
			chosen = append(chosen, s)
		}
	}
	return chosen
}

// tokenize turns a user's text into tokens, entity spans first (see recognize), words for the rest.
func tokenize(text string, regexpEntities map[string][]*regexp.Regexp, now time.Time) []token {
	spans := recognize(text, regexpEntities, now)
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var out []token
	pos := 0
	for i := 0; i < len(spans); {
		s := spans[i]
		out = append(out, words(text, pos, s.start)...)
		t := token{norm: normalize(text[s.start:s.end]), start: s.start, end: s.end, ents: map[string]any{}}
		for ; i < len(spans) && spans[i].start == s.start && spans[i].end == s.end; i++ {
			t.ents[spans[i].typ] = spans[i].value
		}
		out = append(out, t)
		pos = s.end
	}
	out = append(out, words(text, pos, len(text))...)
	for i := range out {
		if out[i].ents == nil {
			if v, ok := numberWords[out[i].norm]; ok {
				out[i].ents = map[string]any{"@sys.number": v}
			}
		}
	}
	return out
}
