package audit

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parley-dev/parley/journal"
)

// fold lowercases s and strips the Spanish accents, so "Más detalles" and "mas detalles" match alike:
// customers type without accents or capitals, and a right exercised that way is still exercised.
func fold(s string) string {
	lower := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf {
			return strings.Map(foldRune, s)
		} else if 'A' <= c && c <= 'Z' {
			lower = false
		}
	}
	if lower {
		return s
	}
	return strings.ToLower(s) // ASCII: what foldRune does to each byte, without decoding runes
}

// foldRune is what fold does to each character.
func foldRune(r rune) rune {
	switch r {
	case 'á', 'à', 'â', 'ä', 'Á', 'À', 'Â', 'Ä':
		return 'a'
	case 'é', 'è', 'ê', 'ë', 'É', 'È', 'Ê', 'Ë':
		return 'e'
	case 'í', 'ì', 'î', 'ï', 'Í', 'Ì', 'Î', 'Ï':
		return 'i'
	case 'ó', 'ò', 'ô', 'ö', 'Ó', 'Ò', 'Ô', 'Ö':
		return 'o'
	case 'ú', 'ù', 'û', 'ü', 'Ú', 'Ù', 'Û', 'Ü':
		return 'u'
	case 'ñ', 'Ñ':
		return 'n'
	case 'ç', 'Ç':
		return 'c'
	case '’':
		return '\''
	}
	return unicode.ToLower(r)
}

func isWordByte(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// has reports whether the folded text contains one of the folded terms as whole words (a term may be a
// phrase; "ia" does not match "via"). Terms that start or end with a non-letter (e.g. "%") match there.
func has(text string, terms ...string) bool {
	_, ok := which(text, terms...)
	return ok
}

// which is has returning the term found.
func which(text string, terms ...string) (string, bool) {
	for _, t := range terms {
		for off := 0; ; {
			i := strings.Index(text[off:], t)
			if i < 0 {
				break
			}
			i += off
			end := i + len(t)
			before, _ := utf8.DecodeLastRuneInString(text[:i])
			after, _ := utf8.DecodeRuneInString(text[end:])
			first, _ := utf8.DecodeRuneInString(t)
			last, _ := utf8.DecodeLastRuneInString(t)
			okBefore := i == 0 || !isWordByte(first) || !isWordByte(before)
			okAfter := end == len(text) || !isWordByte(last) || !isWordByte(after)
			if okBefore && okAfter {
				return t, true
			}
			off = i + 1
		}
	}
	return "", false
}

func isTokenRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiToken[r]
	}
	return isWordByte(r)
}

// asciiToken is isTokenRune over ASCII, looked up: eachToken runs over every message the rules read.
var asciiToken = func() (t [utf8.RuneSelf]bool) {
	for r := range rune(utf8.RuneSelf) {
		t[r] = isWordByte(r) || r == '@' || r == '.' || r == '+' || r == '-' || r == '_'
	}
	return t
}()

// tokens splits folded text into words (letters, digits, and the @ . + - _ inside e-mails and codes).
func tokens(s string) []string {
	var out []string
	eachToken(s, func(t string) { out = append(out, t) })
	return out
}

// eachToken calls f with every word of s, as tokens returns them, without allocating.
func eachToken(s string, f func(string)) {
	start := -1
	for i, r := range s {
		if isTokenRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			f(s[start:i])
			start = -1
		}
	}
	if start >= 0 {
		f(s[start:])
	}
}

var (
	urlRe     = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"')]+|\bwww\.[^\s<>"')]+`)
	emailRe   = regexp.MustCompile(`(?i)[\w.+-]+@[\w-]+\.[\w.-]+`)
	phoneRe   = regexp.MustCompile(`(?:\+|00)?\d[\d .-]{7,14}\d`)
	percentRe = regexp.MustCompile(`\d\s?%`)
	// ticketRe is a reference a customer can quote: DSR-7K2M9QXA, REC-2026-0007, #48213, "referencia: AB12C3".
	// The code itself is upper-case letters and digits, so ordinary words are not taken for one.
	ticketRe = regexp.MustCompile(`\b[A-Z]{2,6}-[A-Z0-9]{3,}(?:-[A-Z0-9]+)*\b|#\d{3,}\b|(?i:referencia|ref\.|ticket|reference|n[º°o]\.? de (?:solicitud|caso|reclamaci[oó]n)|c[oó]digo de seguimiento|tracking code|case number|expediente)\s*[:#]?\s*[A-Z0-9][A-Z0-9-]{3,}`)
	socialRe = regexp.MustCompile(`(?i)(facebook\.com|fb\.me|instagram\.com|twitter\.com|x\.com|tiktok\.com|linkedin\.com|youtube\.com|t\.me)`)
)

// matchOnce returns re.MatchString, remembering its answer for each text: a rule asks it of the replies
// to every request or complaint, and an assistant gives the same few replies. Not safe for concurrent use.
func matchOnce(re *regexp.Regexp) func(string) bool {
	seen := map[string]bool{}
	return func(text string) bool {
		m, ok := seen[text]
		if !ok {
			m = re.MatchString(text)
			seen[text] = m
		}
		return m
	}
}

// text returns everything the customer sees of a send: body, caption and button titles.
func sentText(o *journal.OutboundData) string {
	if len(o.Buttons) == 0 && o.Header == "" && o.Footer == "" {
		return o.Text
	}
	parts := make([]string, 0, 3+len(o.Buttons))
	for _, p := range []string{o.Header, o.Text, o.Footer} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(append(parts, o.Buttons...), "\n")
}

// humanURL reports whether text carries a URL that is not a social-network link.
func humanURL(text string) bool {
	for _, u := range urlRe.FindAllString(text, -1) {
		if !socialRe.MatchString(u) {
			return true
		}
	}
	return false
}

// export is what a customer received as a data export: a document's content (flattened when it is JSON)
// or a text message.
type export struct {
	e        *ev
	text     string // folded
	mime     string
	document bool
	readable bool // a document whose bytes the auditor has
	parses   bool // a document in a machine-readable format that parses
}

// exportOf reads what a send carried. A document sent by media id is read from its media.uploaded event.
func (v *View) exportOf(e *ev) export {
	if e.out().Type != "document" {
		return export{e: e, text: e.ft} // what readExport gives, without keeping a copy per send
	}
	if c := v.custs[e.cust]; c != nil {
		if x, ok := c.docs[e]; ok {
			return x
		}
	}
	return v.readExport(e)
}

func (v *View) readExport(e *ev) export {
	o := e.out()
	x := export{e: e, text: e.ft}
	if o.Type != "document" {
		return x
	}
	x.document = true
	// The upload the send refers to is the last one with its id before it (ids repeat in merged journals).
	var m *ev
	for _, u := range v.media[o.MediaID] {
		if u.Seq < e.Seq {
			m = u
		}
	}
	if m == nil {
		x.mime = mimeFromName(o.Filename)
		return x
	}
	md := m.p.(*journal.MediaData)
	x.mime = documentMIME(md.MimeType, cmp.Or(o.Filename, md.Filename))
	if len(md.Content) == 0 {
		return x
	}
	x.readable = true
	flat, ok := flatten(x.mime, md.Content)
	x.parses = ok
	x.text += "\n" + fold(flat)
	return x
}

// documentMIME is the format a document is taken for: its declared type, or its name's when it declares
// none. WhatsApp takes no application/json, text/csv or XML documents (only txt, PDF and Office types:
// Meta's document-messages), so a structured export travels as text/plain under a .json, .csv or .xml
// name. Its format is then the name's, and it must parse in it like any other.
func documentMIME(declared, name string) string {
	mime := strings.ToLower(strings.TrimSpace(strings.Split(declared, ";")[0]))
	if mime == "" {
		return mimeFromName(name)
	}
	if mime == "text/plain" {
		if named := mimeFromName(name); machineReadable(named) {
			return named
		}
	}
	return mime
}

// Document is what the auditor reads in a document a customer received, as GDPR-ACCESS-01 and
// GDPR-PORT-01 read an export.
type Document struct {
	// Format is the MIME type the document is taken for (see ReadDocument).
	Format string
	// MachineReadable says the format is JSON, CSV or XML: "structured, commonly used and
	// machine-readable" in the sense of GDPR art. 20(1).
	MachineReadable bool
	// Parses says the content is valid in its format.
	Parses bool
	// Text is the content for searching, folded: JSON keys and values one per line, CSV and XML as they are.
	Text string
}

// ReadDocument reads a document's content as the auditor does: its format is the declared MIME type, or
// its file name's for a text/plain document named .json, .csv or .xml (WhatsApp refuses those types, so
// exports travel as text/plain).
func ReadDocument(mimeType, filename string, content []byte) Document {
	d := Document{Format: documentMIME(mimeType, filename)}
	d.MachineReadable = machineReadable(d.Format)
	flat, ok := flatten(d.Format, content)
	d.Parses = ok && d.MachineReadable
	d.Text = fold(flat)
	return d
}

// Carries reports whether a document's text (Document.Text) carries a value a customer shared or their
// number: as written, or, for identifiers, with spaces and separators removed on both sides.
func (d Document) Carries(value string) bool { return containsValue(d.Text, value) }

func mimeFromName(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.HasSuffix(n, ".json"):
		return "application/json"
	case strings.HasSuffix(n, ".csv"):
		return "text/csv"
	case strings.HasSuffix(n, ".xml"):
		return "application/xml"
	case strings.HasSuffix(n, ".pdf"):
		return "application/pdf"
	}
	return ""
}

// machineReadable are the formats GDPR Art. 20(1)'s "structured, commonly used and machine-readable" is
// taken to mean for GDPR-PORT-01.
func machineReadable(mime string) bool {
	switch mime {
	case "application/json", "text/csv", "application/xml", "text/xml":
		return true
	}
	return false
}

// flatten returns a document's text for searching: JSON keys and values one per line (so escapes such as
// \u00e9 are undone), CSV and XML as they are once they parse. ok says the content parses in its format.
func flatten(mime string, b []byte) (string, bool) {
	switch mime {
	case "application/json":
		var x any
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&x); err != nil {
			return string(b), false
		}
		var sb strings.Builder
		walkJSON(&sb, x)
		return sb.String(), true
	case "text/csv":
		_, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		return string(b), err == nil
	case "application/xml", "text/xml":
		d := xml.NewDecoder(bytes.NewReader(b))
		var sb strings.Builder
		for {
			t, err := d.Token()
			if err == io.EOF {
				return sb.String(), true
			}
			if err != nil {
				return string(b), false
			}
			if cd, ok := t.(xml.CharData); ok {
				sb.Write(cd)
				sb.WriteByte('\n')
			}
		}
	}
	return string(b), false
}

func walkJSON(sb *strings.Builder, x any) {
	switch t := x.(type) {
	case map[string]any:
		for _, k := range sortedKeys(t) {
			sb.WriteString(k)
			sb.WriteByte('\n')
			walkJSON(sb, t[k])
		}
	case []any:
		for _, y := range t {
			walkJSON(sb, y)
		}
	case string:
		sb.WriteString(t)
		sb.WriteByte('\n')
	case json.Number:
		sb.WriteString(t.String())
		sb.WriteByte('\n')
	case bool:
		if t {
			sb.WriteString("true\n")
		}
	}
}

// flattenParams renders Dialogflow parameters as text for scanning.
func flattenParams(p map[string]any) string {
	if len(p) == 0 {
		return ""
	}
	var sb strings.Builder
	walkJSON(&sb, any(p))
	return sb.String()
}

// containsValue reports whether folded text carries a canary value: as written, or, for identifiers,
// with spaces and separators removed on both sides.
func containsValue(text, value string) bool {
	value = fold(strings.TrimSpace(value))
	if value == "" {
		return false
	}
	if strings.Contains(text, value) {
		return true
	}
	compact := squeeze(value)
	if len(compact) >= 6 && compact != value {
		return strings.Contains(squeeze(text), compact)
	}
	return false
}

func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '/', '\u00a0':
			return -1
		}
		return r
	}, s)
}

// language guesses whether folded text is Spanish or English from common words; "" when unsure. A text
// is taken for one language when it has at least min words of it and none of the other, or twice as many.
func language(text string, min int) string {
	es, en := langWords(text)
	return languageOf(es, en, min)
}

// langWords counts the Spanish and the English common words in folded text. Counts add up: the words of
// texts joined by newlines are the sum of each text's.
func langWords(text string) (es, en int) {
	eachToken(text, func(w string) {
		l := langOf[w]
		if l&langES != 0 {
			es++
		}
		if l&langEN != 0 {
			en++
		}
	})
	return es, en
}

// languageOf decides as language does from the counts of langWords.
func languageOf(es, en, min int) string {
	switch {
	case es >= min && (en == 0 || es > 2*en):
		return "es"
	case en >= min && (es == 0 || en > 2*es):
		return "en"
	}
	return ""
}

var esWords = setOf("el", "la", "los", "las", "de", "del", "que", "y", "en", "por", "para", "con", "una", "un", "mi", "mis",
	"tu", "tus", "es", "esta", "hola", "gracias", "quiero", "pedido", "nuestro", "nuestra", "hemos", "tenemos", "su",
	"queja", "reclamacion", "ha", "llegado", "todavia", "pero", "muy", "te", "le", "lo", "al", "como")
var enWords = setOf("the", "and", "to", "of", "my", "is", "i", "you", "your", "for", "with", "please", "there", "order",
	"want", "hello", "hi", "thanks", "not", "has", "have", "we", "our", "it", "this", "that", "complaint", "arrived",
	"yet", "but", "very", "be", "are", "was", "about")

// langOf says, for each common word, which languages it is common in (one lookup a word, not two).
var langOf = func() map[string]uint8 {
	m := map[string]uint8{}
	for w := range esWords {
		m[w] |= langES
	}
	for w := range enWords {
		m[w] |= langEN
	}
	return m
}()

const (
	langES = 1 << iota
	langEN
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
