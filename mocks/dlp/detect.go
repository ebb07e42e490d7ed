package dlp

import (
	_ "embed"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"cloud.google.com/go/dlp/apiv2/dlppb"

	"github.com/parley-dev/parley/pii"
)

// The info types the mock detects. The names are Google's built-in detectors
// (https://cloud.google.com/sensitive-data-protection/docs/infotypes-reference).
const (
	InfoEmail      = "EMAIL_ADDRESS"
	InfoPhone      = "PHONE_NUMBER"
	InfoCard       = "CREDIT_CARD_NUMBER"
	InfoIBAN       = "IBAN_CODE"
	InfoNIF        = "SPAIN_NIF_NUMBER"
	InfoDNI        = "SPAIN_DNI_NUMBER"
	InfoNIE        = "SPAIN_NIE_NUMBER"
	InfoNUSS       = "SPAIN_SOCIAL_SECURITY_NUMBER"
	InfoPassport   = "SPAIN_PASSPORT"
	InfoPersonName = "PERSON_NAME"
	InfoCVV        = "CVV_NUMBER"
)

// Modelled lists the info types the mock detects, in the order used when a request names none.
var Modelled = []string{InfoPersonName, InfoEmail, InfoPhone, InfoCard, InfoIBAN, InfoDNI, InfoNIE, InfoNIF, InfoNUSS,
	InfoPassport, InfoCVV}

// knownUndetected are real built-in info types the mock accepts in a request but never reports: asking for
// them is legal on the real service, so refusing would be wrong, and guessing them would be noise.
var knownUndetected = map[string]bool{
	"STREET_ADDRESS": true, "IP_ADDRESS": true, "DATE_OF_BIRTH": true, "SWIFT_CODE": true, "FIRST_NAME": true,
	"LAST_NAME": true, "FEMALE_NAME": true, "MALE_NAME": true, "SPAIN_CIF_NUMBER": true,
	"SPAIN_DRIVERS_LICENSE_NUMBER": true, "FINANCIAL_ACCOUNT_NUMBER": true, "CREDIT_CARD_TRACK_NUMBER": true,
	"DATE": true, "AGE": true, "GENDER": true, "LOCATION": true, "URL": true, "DOMAIN_NAME": true,
	"PASSPORT": true, "ETHNIC_GROUP": true, "MAC_ADDRESS": true, "IMEI_HARDWARE_ID": true, "VEHICLE_IDENTIFICATION_NUMBER": true,
	"AUTH_TOKEN": true, "PASSWORD": true, "GCP_API_KEY": true, "ORGANIZATION_NAME": true, "TIME": true,
	"MEDICAL_TERM": true, "SPAIN_BANK_ACCOUNT": true,
	// Other countries' identifiers, which an assistant serving customers from there asks for too.
	"UK_NATIONAL_INSURANCE_NUMBER": true, "UK_PASSPORT": true, "UK_DRIVERS_LICENSE_NUMBER": true,
	"UK_NATIONAL_HEALTH_SERVICE_NUMBER": true, "UK_TAXPAYER_REFERENCE": true, "FRANCE_NIR": true, "FRANCE_PASSPORT": true,
	"GERMANY_PASSPORT": true, "GERMANY_IDENTITY_CARD_NUMBER": true, "ITALY_FISCAL_CODE": true, "IRELAND_PPSN": true,
}

func knownInfoType(name string) bool {
	if knownUndetected[name] {
		return true
	}
	for _, m := range Modelled {
		if m == name {
			return true
		}
	}
	return false
}

// finding is a detection before it is shaped as a dlppb.Finding.
type finding struct {
	infoType   string
	start, end int // bytes
	likelihood dlppb.Likelihood
}

// infoTypesOf says which info types a pii match is reported as, and how likely. A DNI and a NIE are both
// also a NIF (the NIF of a Spanish national is the DNI; of a foreigner, the NIE), as Google's detectors
// report them. Checksummed identifiers are VERY_LIKELY; a phone number or NUSS, whose check is weak, LIKELY.
func infoTypesOf(t pii.Type) ([]string, dlppb.Likelihood) {
	switch t {
	case pii.DNI:
		return []string{InfoDNI, InfoNIF}, dlppb.Likelihood_VERY_LIKELY
	case pii.NIE:
		return []string{InfoNIE, InfoNIF}, dlppb.Likelihood_VERY_LIKELY
	case pii.IBAN:
		return []string{InfoIBAN}, dlppb.Likelihood_VERY_LIKELY
	case pii.Card:
		return []string{InfoCard}, dlppb.Likelihood_VERY_LIKELY
	case pii.Email:
		return []string{InfoEmail}, dlppb.Likelihood_VERY_LIKELY
	case pii.NUSS:
		return []string{InfoNUSS}, dlppb.Likelihood_LIKELY
	case pii.Phone:
		return []string{InfoPhone}, dlppb.Likelihood_LIKELY
	case pii.Passport:
		return []string{InfoPassport}, dlppb.Likelihood_LIKELY
	case pii.CVV:
		return []string{InfoCVV}, dlppb.Likelihood_POSSIBLE
	}
	return nil, dlppb.Likelihood_LIKELIHOOD_UNSPECIFIED
}

// detect finds every modelled info type in text, wanted or not; the caller filters. Findings are ordered
// by start, then by the order of Modelled.
func detect(text string) []finding {
	var out []finding
	taken := make([]bool, len(text))
	for _, m := range pii.Find(text) {
		types, l := infoTypesOf(m.Type)
		for _, t := range types {
			out = append(out, finding{infoType: t, start: m.Start, end: m.End, likelihood: l})
		}
		for i := m.Start; i < m.End; i++ {
			taken[i] = true
		}
	}
	for _, n := range findNames(text) {
		if free(taken, n.start, n.end) {
			out = append(out, n)
		}
	}
	if len(out) < 2 {
		return out // most texts: no map or sort for nothing to order
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].start != out[j].start {
			return out[i].start < out[j].start
		}
		return modelledRank(out[i].infoType) < modelledRank(out[j].infoType)
	})
	return out
}

// modelledRank is the position of infoType in Modelled, 0 when it is not there (as a map lookup gave).
func modelledRank(infoType string) int {
	for i, m := range Modelled {
		if m == infoType {
			return i
		}
	}
	return 0
}

//go:embed names.txt
var namesFile string

var firstNames, lastNames = loadNames(namesFile)

func loadNames(src string) (first, last map[string]bool) {
	first, last = map[string]bool{}, map[string]bool{}
	cur := first
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case line == "first:":
			cur = first
		case line == "last:":
			cur = last
		default:
			cur[strings.ToLower(line)] = true
		}
	}
	return first, last
}

type word struct {
	start, end int
	text       string
}

func words(text string) []word {
	var ws []word
	start := -1
	for i, r := range text {
		if unicode.IsLetter(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			ws = append(ws, word{start, i, text[start:i]})
			start = -1
		}
	}
	if start >= 0 {
		ws = append(ws, word{start, len(text), text[start:]})
	}
	return ws
}

func capitalised(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

// nameCues are phrases after which a name written in lower case is still a name ("me llamo ana garcía").
var nameCues = []string{"me llamo", "mi nombre es", "soy", "my name is", "i am", "i'm", "this is", "a nombre de", "titular"}

// findNames reports PERSON_NAME: a known first name, capitalised or right after a cue, followed by any
// further known first names and surnames (with "de", "del", "de la" between them). A first name with a
// surname is LIKELY; a lone first name POSSIBLE.
func findNames(text string) []finding {
	ws := words(text)
	var out []finding
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		lw := strings.ToLower(w.text)
		cued := afterCue(text, w.start)
		if !firstNames[lw] || !(capitalised(w.text) || cued) {
			continue
		}
		end, parts := w.end, 1
		j := i + 1
		for j < len(ws) {
			if !adjacent(text, ws[j-1], ws[j]) {
				break
			}
			next := strings.ToLower(ws[j].text)
			if (next == "de" || next == "del" || next == "la") && j+1 < len(ws) && adjacent(text, ws[j], ws[j+1]) {
				j++
				continue
			}
			if !(lastNames[next] || firstNames[next]) || !(capitalised(ws[j].text) || cued) {
				break
			}
			end, parts = ws[j].end, parts+1
			j++
		}
		l := dlppb.Likelihood_POSSIBLE
		if parts > 1 || cued {
			l = dlppb.Likelihood_LIKELY
		}
		out = append(out, finding{infoType: InfoPersonName, start: w.start, end: end, likelihood: l})
		for i+1 < len(ws) && ws[i+1].start < end {
			i++
		}
	}
	return out
}

func adjacent(text string, a, b word) bool { return b.start == a.end+1 && text[a.end] == ' ' }

func afterCue(text string, start int) bool {
	before := strings.ToLower(strings.TrimRight(text[max(0, start-16):start], " ,:"))
	for _, c := range nameCues {
		if strings.HasSuffix(before, c) && (len(before) == len(c) || !isLetterBefore(before, len(before)-len(c))) {
			return true
		}
	}
	return false
}

func isLetterBefore(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsLetter(r)
}

func free(taken []bool, start, end int) bool {
	for i := start; i < end; i++ {
		if taken[i] {
			return false
		}
	}
	return true
}

// claim marks [start, end) taken if it is free, and says whether it was.
func claim(taken []bool, start, end int) bool {
	if !free(taken, start, end) {
		return false
	}
	for i := start; i < end; i++ {
		taken[i] = true
	}
	return true
}
