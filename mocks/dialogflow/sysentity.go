package dialogflow

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// System entities that CX forms ask for and the ES matcher does not recognise, in English and Spanish, with
// the values CX gives them (https://cloud.google.com/dialogflow/cx/docs/reference/system-entities):
//
//   - @sys.geo-city: a string, the city's name in the query's language, from a built-in list of large
//     cities (the real service knows every city; a city outside the list is not recognised).
//   - @sys.person: {"name": "…"}: the name after "my name is", "me llamo", …; or, when the form asks for a
//     person, a reply of one to three words that are not common words ("Mark", "Ana Pérez").
//   - @sys.date-period: {"startDate": {"year","month","day"}, "endDate": {…}}, CX's date objects as for
//     @sys.date: this/next/last week, month, year, weekend; a month by name; from a date to a date.
//     Weeks run Monday to Sunday (inferred); a month by name alone is the next one to come.
//   - @sys.address: a string, the street address as written: a number and a street ("1600 Main
//     Street", "Calle Mayor 5"), with what follows a comma.
//
// Each recogniser finds its value anywhere in the text and returns it with the text it was read from.

// cxSysRecognisers are the recognisers by entity type.
var cxSysRecognisers = map[string]func(lang, text string, now time.Time, asked bool) (any, string, bool){
	"@sys.geo-city":    recogniseCity,
	"@sys.person":      recognisePerson,
	"@sys.date-period": recogniseDatePeriod,
	"@sys.address":     recogniseAddress,
}

// cities are the cities @sys.geo-city knows: the English name, then the Spanish one when it differs.
var cities = [][2]string{
	{"New York", "Nueva York"}, {"Los Angeles", ""}, {"Chicago", ""}, {"Houston", ""}, {"Phoenix", ""},
	{"Philadelphia", "Filadelfia"}, {"San Antonio", ""}, {"San Diego", ""}, {"Dallas", ""}, {"San Francisco", ""},
	{"Seattle", ""}, {"Boston", ""}, {"Miami", ""}, {"Atlanta", ""}, {"Washington", ""}, {"Las Vegas", ""},
	{"Denver", ""}, {"Toronto", ""}, {"Montreal", "Montreal"}, {"Vancouver", ""}, {"Mexico City", "Ciudad de México"},
	{"Guadalajara", ""}, {"Monterrey", ""}, {"Bogota", "Bogotá"}, {"Medellin", "Medellín"}, {"Lima", ""},
	{"Santiago", ""}, {"Buenos Aires", ""}, {"Montevideo", ""}, {"Caracas", ""}, {"Quito", ""}, {"La Paz", ""},
	{"Sao Paulo", "São Paulo"}, {"Rio de Janeiro", "Río de Janeiro"}, {"Havana", "La Habana"}, {"Panama City", "Ciudad de Panamá"},
	{"London", "Londres"}, {"Paris", "París"}, {"Berlin", "Berlín"}, {"Madrid", ""}, {"Barcelona", ""},
	{"Valencia", ""}, {"Seville", "Sevilla"}, {"Bilbao", ""}, {"Malaga", "Málaga"}, {"Zaragoza", ""},
	{"Lisbon", "Lisboa"}, {"Rome", "Roma"}, {"Milan", "Milán"}, {"Naples", "Nápoles"}, {"Amsterdam", "Ámsterdam"},
	{"Brussels", "Bruselas"}, {"Vienna", "Viena"}, {"Munich", "Múnich"}, {"Frankfurt", "Fráncfort"},
	{"Zurich", "Zúrich"}, {"Geneva", "Ginebra"}, {"Dublin", "Dublín"}, {"Edinburgh", "Edimburgo"},
	{"Manchester", ""}, {"Copenhagen", "Copenhague"}, {"Stockholm", "Estocolmo"}, {"Oslo", ""}, {"Helsinki", ""},
	{"Warsaw", "Varsovia"}, {"Prague", "Praga"}, {"Budapest", ""}, {"Athens", "Atenas"}, {"Istanbul", "Estambul"},
	{"Moscow", "Moscú"}, {"Cairo", "El Cairo"}, {"Dubai", "Dubái"}, {"Doha", ""}, {"Tel Aviv", ""},
	{"Mumbai", "Bombay"}, {"Delhi", "Delhi"}, {"New Delhi", "Nueva Delhi"}, {"Bangalore", ""}, {"Beijing", "Pekín"},
	{"Shanghai", "Shanghái"}, {"Hong Kong", ""}, {"Tokyo", "Tokio"}, {"Osaka", ""}, {"Seoul", "Seúl"},
	{"Singapore", "Singapur"}, {"Bangkok", ""}, {"Sydney", "Sídney"}, {"Melbourne", ""}, {"Auckland", ""},
	{"Johannesburg", "Johannesburgo"}, {"Cape Town", "Ciudad del Cabo"}, {"Lagos", ""}, {"Nairobi", ""},
}

// cityIndex maps a folded name (either language) to the entry.
var cityIndex = func() map[string][2]string {
	m := map[string][2]string{}
	for _, c := range cities {
		m[normalize(c[0])] = c
		if c[1] != "" {
			m[normalize(c[1])] = c
		}
	}
	return m
}()

// recogniseCity finds the longest known city name in text.
func recogniseCity(lang, text string, _ time.Time, _ bool) (any, string, bool) {
	ws := words(text, 0, len(text))
	for n := 4; n >= 1; n-- {
		for i := 0; i+n <= len(ws); i++ {
			parts := make([]string, n)
			for k := range n {
				parts[k] = ws[i+k].norm
			}
			if c, ok := cityIndex[strings.Join(parts, " ")]; ok {
				name := c[0]
				if strings.HasPrefix(lang, "es") && c[1] != "" {
					name = c[1]
				}
				return name, text[ws[i].start:ws[i+n-1].end], true
			}
		}
	}
	return nil, "", false
}

// personIntro is a phrase that introduces a name; the name is the one to three words after it.
var personIntro = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:my name is|my name's|name is|i am|i'm|call me|this is|it's|it is|me llamo|mi nombre es|soy|se llama|habla)\s+(\p{L}[\p{L}'-]*(?:\s+\p{L}[\p{L}'-]*){0,2})`)

// notNames are common words of replies that are never a name by themselves.
var notNames = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`i me my you he she it we they a an the and or but not no yes yeah yep nope ok okay sure
		please thanks thank hi hello hey bye goodbye done finished stop cancel help what who why how when where which
		is am are was be do does did have has had will would can could want need like love good great fine
		that this there here all none nothing something anything everything more less again later now today tomorrow
		one two three first last next name person team member favorite favourite
		yo mi tu el ella ellos un una el la los las y o pero si sí no vale gracias hola adios adiós listo ya nada algo
		que quien cual como cuando donde por favor quiero necesito es soy ser estoy de del al a en con para otra otro mas más`) {
		notNames[normalize(w)] = true
	}
}

// recognisePerson finds a person's name: after an introducing phrase, or, when the form asks for a
// person, the whole reply if it is one to three words none of which is a common word.
func recognisePerson(_, text string, _ time.Time, asked bool) (any, string, bool) {
	if m := personIntro.FindStringSubmatchIndex(text); m != nil {
		name := text[m[2]:m[3]]
		ws := words(name, 0, len(name))
		keep := 0
		for keep < len(ws) && !notNames[ws[keep].norm] {
			keep++
		}
		if keep > 0 {
			name = name[:ws[keep-1].end]
			return map[string]any{"name": name}, name, true
		}
	}
	if !asked {
		return nil, "", false
	}
	reply := strings.TrimFunc(text, func(r rune) bool { return !unicode.IsLetter(r) })
	ws := words(reply, 0, len(reply))
	if len(ws) == 0 || len(ws) > 3 {
		return nil, "", false
	}
	for _, w := range ws {
		if notNames[w.norm] || strings.IndexFunc(w.norm, unicode.IsDigit) >= 0 {
			return nil, "", false
		}
	}
	return map[string]any{"name": reply}, reply, true
}

// cxDate is CX's date object.
func cxDate(t time.Time) map[string]any {
	return map[string]any{"year": float64(t.Year()), "month": float64(t.Month()), "day": float64(t.Day())}
}

func cxPeriod(from, to time.Time) map[string]any {
	return map[string]any{"startDate": cxDate(from), "endDate": cxDate(to)}
}

var (
	periodMonths = `(enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|january|february|march|april|may|june|july|august|september|october|november|december)`
	// "del 3 al 10 de marzo", "from 3 to 10 March", "between the 3rd and the 10th of March"
	reDayRange = regexp.MustCompile(`(?i)\b(?:del|desde el|entre el|from|between)\s+(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+(?:al|hasta el|y el|to|until|and|-)\s+(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+(?:de\s+|of\s+)?` + periodMonths + `\b`)
	// "March 3 to 10", "March 3-10"
	reMonRange = regexp.MustCompile(`(?i)\b` + periodMonths + `\s+(\d{1,2})(?:st|nd|rd|th)?\s*(?:-|to|until|through)\s*(\d{1,2})(?:st|nd|rd|th)?\b`)
	reInMonth  = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:in|during|en|durante|para)\s+(?:el mes de\s+|the month of\s+)?` + periodMonths + `(?:$|[^\p{L}])`)
	units      = `(week|month|year|weekend|semana|mes|a[ñn]o|fin de semana)`
	// relatives are the relative periods: the unit is the last group, shift the weeks, months or years
	// from the current one.
	relatives = []struct {
		re    *regexp.Regexp
		shift int
	}{
		{regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:next|coming)\s+` + units + `(?:$|[^\p{L}])`), 1},
		{regexp.MustCompile(`(?i)(?:^|[^\p{L}])last\s+` + units + `(?:$|[^\p{L}])`), -1},
		{regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:la|el)\s+` + units + `\s+(?:que viene|entrante|pr[oó]xim[oa])(?:$|[^\p{L}])`), 1},
		{regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:la|el)\s+pr[oó]xim[oa]\s+` + units + `(?:$|[^\p{L}])`), 1},
		{regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:la|el)\s+` + units + `\s+pasad[oa](?:$|[^\p{L}])`), -1},
		{regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:this|esta|este)\s+` + units + `(?:$|[^\p{L}])`), 0},
	}
)

// recogniseDatePeriod finds a date period in text, relative to now.
func recogniseDatePeriod(_, text string, now time.Time, _ bool) (any, string, bool) {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	month := func(name string) time.Month { return months[strings.ToLower(name)] }
	yearOf := func(m time.Month, day int) int {
		y := today.Year()
		if time.Date(y, m, day, 0, 0, 0, 0, today.Location()).Before(today) && m < today.Month() {
			y++
		}
		return y
	}
	if m := reDayRange.FindStringSubmatch(text); m != nil {
		mo := month(m[3])
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[2])
		if validDay(a) && validDay(b) && a <= b {
			y := yearOf(mo, b)
			return cxPeriod(time.Date(y, mo, a, 0, 0, 0, 0, today.Location()), time.Date(y, mo, b, 0, 0, 0, 0, today.Location())), m[0], true
		}
	}
	if m := reMonRange.FindStringSubmatch(text); m != nil {
		mo := month(m[1])
		a, _ := strconv.Atoi(m[2])
		b, _ := strconv.Atoi(m[3])
		if validDay(a) && validDay(b) && a <= b {
			y := yearOf(mo, b)
			return cxPeriod(time.Date(y, mo, a, 0, 0, 0, 0, today.Location()), time.Date(y, mo, b, 0, 0, 0, 0, today.Location())), m[0], true
		}
	}
	for _, r := range relatives {
		if m := r.re.FindStringSubmatchIndex(text); m != nil {
			return relativePeriod(today, unitOf(text[m[2]:m[3]]), r.shift), strings.Trim(text[m[0]:m[1]], " ,.;:!?¿¡"), true
		}
	}
	if m := reInMonth.FindStringSubmatch(text); m != nil {
		mo := month(m[1])
		y := today.Year()
		if mo < today.Month() {
			y++
		}
		from := time.Date(y, mo, 1, 0, 0, 0, 0, today.Location())
		return cxPeriod(from, from.AddDate(0, 1, -1)), strings.TrimSpace(m[0]), true
	}
	return nil, "", false
}

func validDay(d int) bool { return d >= 1 && d <= 31 }

func unitOf(s string) string {
	switch strings.ToLower(s) {
	case "week", "semana":
		return "week"
	case "month", "mes":
		return "month"
	case "year", "año", "ano":
		return "year"
	case "weekend", "fin de semana":
		return "weekend"
	}
	return ""
}

// relativePeriod is the week, month, year or weekend shift units from the one holding today.
func relativePeriod(today time.Time, unit string, shift int) map[string]any {
	switch unit {
	case "week":
		monday := today.AddDate(0, 0, -((int(today.Weekday())+6)%7)).AddDate(0, 0, 7*shift)
		return cxPeriod(monday, monday.AddDate(0, 0, 6))
	case "weekend":
		saturday := today.AddDate(0, 0, (int(time.Saturday)-int(today.Weekday())+7)%7)
		if today.Weekday() == time.Sunday {
			saturday = today.AddDate(0, 0, -1)
		}
		saturday = saturday.AddDate(0, 0, 7*shift)
		return cxPeriod(saturday, saturday.AddDate(0, 0, 1))
	case "month":
		first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, today.Location()).AddDate(0, shift, 0)
		return cxPeriod(first, first.AddDate(0, 1, -1))
	default:
		first := time.Date(today.Year()+shift, 1, 1, 0, 0, 0, 0, today.Location())
		return cxPeriod(first, first.AddDate(1, 0, -1))
	}
}

var (
	// "1600 Main Street", "221B Baker St, London"
	reAddressEN = regexp.MustCompile(`(?i)\b\d{1,6}[A-Za-z]?\s+(?:[\p{L}0-9'.-]+\s+){0,4}?(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|way|court|ct|place|pl|square|sq|parkway|pkwy|highway|hwy|terrace|crescent)\b\.?(?:\s*,\s*[\p{L}0-9][\p{L}0-9' .-]*)*`)
	// "Calle Mayor 5", "Avenida de la Constitución, 12, Sevilla", "C/ Alcalá nº 20"
	reAddressES = regexp.MustCompile(`(?i)(?:^|[^\p{L}])((?:calle|c/|avenida|avda\.?|av\.|paseo|plaza|camino|carrera|ronda|glorieta|travesía|travesia)\s*(?:[\p{L}'.-]+\s+){0,5}?,?\s*(?:n[º°o]\.?\s*)?\d{1,5}[A-Za-z]?\b(?:\s*,\s*[\p{L}0-9º°ª][\p{L}0-9º°ª' .-]*)*)`)
)

// recogniseAddress finds a street address in text.
func recogniseAddress(lang, text string, _ time.Time, _ bool) (any, string, bool) {
	if m := reAddressES.FindStringSubmatch(text); m != nil {
		s := strings.TrimRight(strings.TrimSpace(m[1]), " .,")
		return s, s, true
	}
	if m := reAddressEN.FindString(text); m != "" {
		s := strings.TrimRight(strings.TrimSpace(m), " ,")
		return s, s, true
	}
	return nil, "", false
}
