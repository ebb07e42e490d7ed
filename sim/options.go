package sim

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/parley-dev/parley/mocks/whatsapp"
)

// OptionKind is how a message offers an answer.
type OptionKind string

// The ways a message offers an answer.
const (
	// OptionButton is a reply button, a list row or a template's quick reply: the customer taps it.
	OptionButton OptionKind = "button"
	// OptionMenu is a line of a numbered menu ("1. Offers", "2) Talk to a person", "3️⃣ My data"): the
	// customer writes its number.
	OptionMenu OptionKind = "menu"
	// OptionKeyword is a word the message tells the customer to write ("answer YES", "escribe BAJA").
	OptionKeyword OptionKind = "keyword"
)

// Option is one answer a message from the assistant offers the customer.
type Option struct {
	Kind  OptionKind
	Label string // what the customer reads: the button's title, the menu line, the keyword
	Reply string // what answering sends: the title tapped, the menu's number, the keyword
	// Message is the message that offered it: its text is the option's context (an opt-in question,
	// a confirmation of an opt-out).
	Message whatsapp.InboxMessage
}

// Options reads every answer a message offers: its buttons, list rows and quick replies, the lines of a
// numbered menu in its text, and the keywords its text tells the customer to write.
func Options(m whatsapp.InboxMessage) []Option {
	var out []Option
	for _, b := range m.Buttons {
		out = append(out, Option{Kind: OptionButton, Label: b, Reply: b, Message: m})
	}
	for _, it := range menu(m.Text) {
		out = append(out, Option{Kind: OptionMenu, Label: it.label, Reply: it.number, Message: m})
	}
	for _, k := range keywords(m.Text) {
		out = append(out, Option{Kind: OptionKeyword, Label: k, Reply: k, Message: m})
	}
	return out
}

// menuLine is a line that starts with a number as menus write it: "1.", "2)", "3 -", "[4]", "(5)", "*6.*",
// or a keycap emoji ("1️⃣"; the variation selector is optional).
var menuLine = regexp.MustCompile(`^\s*[*_~]*\s*(?:(\d{1,2})\x{FE0F}?\x{20E3}|(\d{1,2})\s*[.):\-–—]|\[(\d{1,2})\]|\((\d{1,2})\))\s*[*_~]*\s*(\S.*?)\s*[*_~]*\s*$`)

// maxMenuLabel is the longest line read as a menu item: longer numbered lines are paragraphs of a text
// (a privacy notice's points), not choices.
const maxMenuLabel = 60

type menuItem struct{ number, label string }

// menu reads a numbered menu: at least two numbered lines, numbered in order, each short enough to be a
// choice.
func menu(text string) []menuItem {
	var items []menuItem
	for _, line := range strings.Split(text, "\n") {
		m := menuLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		num := m[1] + m[2] + m[3] + m[4]
		label := strings.TrimSpace(m[5])
		if len([]rune(label)) > maxMenuLabel {
			continue
		}
		items = append(items, menuItem{number: num, label: label})
	}
	if len(items) < 2 {
		return nil
	}
	for i := 1; i < len(items); i++ {
		prev, _ := strconv.Atoi(items[i-1].number)
		cur, _ := strconv.Atoi(items[i].number)
		if cur != prev+1 {
			return nil
		}
	}
	return items
}

// instruction finds what a message tells the customer to write: a verb of writing or answering followed
// by a quoted word ("escribe «baja»"), a word in capitals ("answer YES", "escribe AGENTE", "responde SÍ",
// "writing STOP") or a number ("responde 2").
var instruction = regexp.MustCompile(`(?i:\b(?:escribe|escribenos|escríbenos|escríbeme|escribiendo|responde|respóndenos|respondiendo|contesta|contestando|envía|envia|envíanos|enviando|manda|mándanos|mandando|pulsa|marca|write|writing|reply|replying|answer|answering|type|typing|send|sending|text|texting|press|say))\s+(?i:(?:con|with|la palabra|the word)\s+)?(?:["'“«‘*]([^"'”»’*\n]{1,30})["'”»’*]|(\p{Lu}[\p{Lu}\p{N}]+(?:[ -]\p{Lu}[\p{Lu}\p{N}]+)*)(?:\s+(?i:o|u|or)\s+(\p{Lu}[\p{Lu}\p{N}]+))?(?:[^\p{L}\p{N}]|$)|(\d{1,2})(?:[^\p{L}\p{N}]|$))`)

// alternative is another keyword later in the same sentence: "reply YES to subscribe or NO to skip".
var alternative = regexp.MustCompile(`\b(?i:o|u|or)\s+["'“«‘*]?(\p{Lu}[\p{Lu}\p{N}]+)(?:[^\p{L}\p{N}]|$)`)

func keywords(text string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(k string) {
		k = strings.TrimSpace(k)
		if k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, m := range instruction.FindAllStringSubmatchIndex(text, -1) {
		for _, g := range [][2]int{{2, 3}, {4, 5}, {8, 9}, {6, 7}} {
			if m[g[0]] >= 0 {
				add(text[m[g[0]]:m[g[1]]])
			}
		}
		rest := text[m[1]:]
		if end := strings.IndexAny(rest, ".?!\n"); end >= 0 {
			rest = rest[:end]
		}
		for _, a := range alternative.FindAllStringSubmatch(rest, -1) {
			add(a[1])
		}
	}
	return out
}

// fold is text as the vocabularies are written: lower case, without accents.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s) && ascii; i++ {
		ascii = s[i] < utf8.RuneSelf
	}
	if ascii {
		return strings.ToLower(s)
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// hasTerm reports whether folded text holds one of the terms as whole words.
func hasTerm(text string, terms ...string) bool {
	for _, t := range terms {
		for off := 0; off < len(text); {
			i := strings.Index(text[off:], t)
			if i < 0 {
				break
			}
			i += off
			end := i + len(t)
			if boundary(text, i-1) && boundary(text, end) {
				return true
			}
			off = i + 1
		}
	}
	return false
}

// boundary reports whether the byte at i is outside text or not part of a word.
func boundary(text string, i int) bool {
	if i < 0 || i >= len(text) {
		return true
	}
	c := text[i]
	return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 0x80)
}
