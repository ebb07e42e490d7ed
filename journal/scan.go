package journal

import (
	"encoding/base64"
	"hash/maphash"
	"strconv"
	"sync"
	"unicode/utf8"
)

// scanner reads the JSON of one journal payload or event without reflection. It takes only what it can
// read exactly as encoding/json would: well-formed JSON whose keys are the fields' names as written,
// whose values have the fields' types, with no null where a field is not an interface. On anything else
// (a syntax error, an unknown or differently cased key, a null, a number that does not fit, a string that
// is not valid UTF-8 or holds a UTF-16 surrogate escape) it stops, ok turns false, and the caller decodes
// the same bytes with encoding/json, whose result and errors then stand. The fast path is therefore an
// optimisation only: whatever it accepts decodes to exactly what encoding/json gives.
type scanner struct {
	b    []byte
	i    int
	ok   bool
	strs *stringCache // strings already made, or nil
}

// stringCache keeps the strings a reader made lately, so that one that recurs from event to event (a
// kind, a customer's number, a message's text that DLP and Dialogflow journal again) is made once: on a
// million events they were most of what decoding allocated. A slot holds the last string whose hash
// lands there; strings are immutable, so sharing them changes nothing for readers.
type stringCache [1024]string

// maxCachedString leaves long texts, which rarely recur, out of the cache.
const maxCachedString = 1024

var cacheSeed = maphash.MakeSeed()

// make returns b as a string, the cached one when it holds the same bytes.
func (c *stringCache) make(b []byte) string {
	if c == nil || len(b) > maxCachedString {
		return string(b)
	}
	slot := &c[maphash.Bytes(cacheSeed, b)%uint64(len(c))]
	if *slot != string(b) {
		*slot = string(b)
	}
	return *slot
}

var stringCaches = sync.Pool{New: func() any { return new(stringCache) }}

// maxScanDepth bounds the nesting the scanner follows; deeper input goes to encoding/json, which has a
// limit of its own.
const maxScanDepth = 512

func newScanner(b []byte) scanner { return scanner{b: b, ok: true} }

// fail gives up on the input: every later read sees the end.
func (s *scanner) fail() {
	s.ok = false
	s.i = len(s.b)
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next byte after whitespace, 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) eat(c byte) bool {
	if s.peek() == c {
		s.i++
		return true
	}
	return false
}

// end checks that nothing but whitespace follows the top-level value.
func (s *scanner) end() bool {
	s.ws()
	if s.i != len(s.b) {
		s.fail()
	}
	return s.ok
}

// first reads the opening of an object and its first key, and returns the key, positioned at its value;
// nil for an empty object or when the input is not one. next reads past the value's end to the next key
// the same way. Keys are taken only as written without escapes: a key with an escape could still name a
// field, and encoding/json decides that.
func (s *scanner) first() []byte {
	if !s.eat('{') {
		s.fail()
		return nil
	}
	if s.eat('}') {
		return nil
	}
	return s.key()
}

func (s *scanner) next() []byte {
	if s.eat(',') {
		return s.key()
	}
	if !s.eat('}') {
		s.fail()
	}
	return nil
}

func (s *scanner) key() []byte {
	if !s.ok || s.peek() != '"' {
		s.fail()
		return nil
	}
	start := s.i + 1
	j := start
	for j < len(s.b) && s.b[j] != '"' && s.b[j] != '\\' && s.b[j] >= 0x20 {
		j++
	}
	if j >= len(s.b) || s.b[j] != '"' {
		s.fail()
		return nil
	}
	s.i = j + 1
	if !s.eat(':') {
		s.fail()
		return nil
	}
	return s.b[start:j:j]
}

// str reads a string value.
func (s *scanner) str() string {
	raw, ok := s.quoted()
	if !ok {
		return ""
	}
	return raw
}

// quoted reads a string value and returns it unquoted.
func (s *scanner) quoted() (string, bool) {
	if s.peek() != '"' {
		s.fail()
		return "", false
	}
	start := s.i + 1
	ascii := true
	for j := start; j < len(s.b); j++ {
		c := s.b[j]
		switch {
		case c == '"':
			s.i = j + 1
			v := s.b[start:j]
			if !ascii && !utf8.Valid(v) {
				s.fail() // encoding/json replaces each bad byte with U+FFFD
				return "", false
			}
			return s.strs.make(v), true
		case c == '\\':
			return s.strEscaped(start)
		case c < 0x20:
			s.fail()
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	s.fail()
	return "", false
}

// strEscaped reads the rest of a string that holds an escape, from its first byte at start.
func (s *scanner) strEscaped(start int) (string, bool) {
	out := make([]byte, 0, 64)
	for j := start; j < len(s.b); {
		c := s.b[j]
		switch {
		case c == '"':
			s.i = j + 1
			if !utf8.Valid(out) {
				s.fail()
				return "", false
			}
			return s.strs.make(out), true
		case c < 0x20:
			s.fail()
			return "", false
		case c != '\\':
			out = append(out, c)
			j++
			continue
		}
		if j+1 >= len(s.b) {
			break
		}
		switch e := s.b[j+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hex4(s.b[j+2:])
			if r < 0 || (r >= 0xD800 && r < 0xE000) {
				s.fail() // a surrogate pair or a lone half: encoding/json's rules apply
				return "", false
			}
			out = utf8.AppendRune(out, rune(r))
			j += 6
			continue
		default:
			s.fail()
			return "", false
		}
		j += 2
	}
	s.fail()
	return "", false
}

// hex4 reads four hex digits, -1 if they are not.
func hex4(b []byte) int {
	if len(b) < 4 {
		return -1
	}
	r := 0
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + int(c)
	}
	return r
}

// number returns the bytes of a number, checked against JSON's grammar.
func (s *scanner) number() []byte {
	s.ws()
	b, start := s.b, s.i
	j := start
	if j < len(b) && b[j] == '-' {
		j++
	}
	switch {
	case j < len(b) && b[j] == '0':
		j++
	case j < len(b) && b[j] >= '1' && b[j] <= '9':
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
	default:
		s.fail()
		return nil
	}
	if j < len(b) && b[j] == '.' {
		j++
		k := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == k {
			s.fail()
			return nil
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		k := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == k {
			s.fail()
			return nil
		}
	}
	s.i = j
	return b[start:j]
}

// int64 reads a number into a signed integer field: encoding/json refuses fractions, exponents and
// numbers out of range there.
func (s *scanner) int64() int64 {
	return scanNumber(s, func(n string) (int64, error) { return strconv.ParseInt(n, 10, 64) })
}

func (s *scanner) int() int { return int(s.int64()) }

func (s *scanner) uint64() uint64 {
	return scanNumber(s, func(n string) (uint64, error) { return strconv.ParseUint(n, 10, 64) })
}

func (s *scanner) float64() float64 {
	return scanNumber(s, func(n string) (float64, error) { return strconv.ParseFloat(n, 64) })
}

// scanNumber reads a number and converts it with parse; what parse refuses makes the scan fail.
func scanNumber[T any](s *scanner, parse func(string) (T, error)) T {
	var zero T
	n := s.number()
	if !s.ok {
		return zero
	}
	v, err := parse(string(n))
	if err != nil {
		s.fail()
	}
	return v
}

// literal reads the literal word at the scanner.
func (s *scanner) literal(word string) bool {
	s.ws()
	if len(s.b)-s.i >= len(word) && string(s.b[s.i:s.i+len(word)]) == word {
		s.i += len(word)
		return true
	}
	return false
}

func (s *scanner) bool() bool {
	switch {
	case s.literal("true"):
		return true
	case s.literal("false"):
		return false
	}
	s.fail()
	return false
}

// strings reads an array of strings.
func (s *scanner) strings() []string { return scanArray(s, s.str) }

// scanArray reads an array whose elements item reads.
func scanArray[T any](s *scanner, item func() T) []T {
	if !s.eat('[') {
		s.fail()
		return nil
	}
	out := []T{} // encoding/json gives an empty, not a nil, slice for []
	if s.eat(']') {
		return out
	}
	for s.ok {
		out = append(out, item())
		if s.eat(',') {
			continue
		}
		if !s.eat(']') {
			s.fail()
		}
		break
	}
	return out
}

// bytes reads base64 into a []byte field, as encoding/json does.
func (s *scanner) bytes() []byte {
	v, ok := s.quoted()
	if !ok {
		return nil
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(v)))
	n, err := base64.StdEncoding.Decode(out, []byte(v))
	if err != nil {
		s.fail()
		return nil
	}
	return out[:n]
}

// raw returns a copy of the next value's bytes, checked (a json.RawMessage field).
func (s *scanner) raw() []byte {
	if s.peek() == 'n' {
		s.fail() // what a raw field holds after null is encoding/json's to say
		return nil
	}
	start := s.i
	s.skip(0)
	if !s.ok {
		return nil
	}
	return append([]byte(nil), s.b[start:s.i]...)
}

// skip reads a value without keeping it, checking it as encoding/json checks every input before decoding.
func (s *scanner) skip(depth int) {
	if depth > maxScanDepth {
		s.fail()
		return
	}
	switch s.peek() {
	case '"':
		s.skipString()
	case '{':
		s.i++
		if s.eat('}') {
			return
		}
		for s.ok {
			if s.peek() != '"' {
				s.fail()
				return
			}
			s.skipString()
			if !s.eat(':') {
				s.fail()
				return
			}
			s.skip(depth + 1)
			if s.eat(',') {
				continue
			}
			if !s.eat('}') {
				s.fail()
			}
			return
		}
	case '[':
		s.i++
		if s.eat(']') {
			return
		}
		for s.ok {
			s.skip(depth + 1)
			if s.eat(',') {
				continue
			}
			if !s.eat(']') {
				s.fail()
			}
			return
		}
	case 't':
		if !s.literal("true") {
			s.fail()
		}
	case 'f':
		if !s.literal("false") {
			s.fail()
		}
	case 'n':
		if !s.literal("null") {
			s.fail()
		}
	default:
		s.number()
	}
}

// skipString passes a string, checking its escapes and that it holds no control character; any other
// byte is allowed in a skipped string, as encoding/json's checker allows it.
func (s *scanner) skipString() {
	for j := s.i + 1; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			s.i = j + 1
			return
		case c < 0x20:
			s.fail()
			return
		case c == '\\':
			if j+1 >= len(s.b) {
				s.fail()
				return
			}
			switch s.b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				if hex4(s.b[j+2:]) < 0 {
					s.fail()
					return
				}
				j += 5
			default:
				s.fail()
				return
			}
		}
	}
	s.fail()
}

// any reads a value into an interface, with the types encoding/json gives: map[string]any, []any,
// float64, string, bool, nil.
func (s *scanner) any(depth int) any {
	if depth > maxScanDepth {
		s.fail()
		return nil
	}
	switch s.peek() {
	case '"':
		return s.str()
	case '{':
		m := map[string]any{}
		s.anyObject(m, depth)
		return m
	case '[':
		s.i++
		out := []any{}
		if s.eat(']') {
			return out
		}
		for s.ok {
			out = append(out, s.any(depth+1))
			if s.eat(',') {
				continue
			}
			if !s.eat(']') {
				s.fail()
			}
			break
		}
		return out
	case 't', 'f':
		return s.bool()
	case 'n':
		if !s.literal("null") {
			s.fail()
		}
		return nil
	}
	return s.float64()
}

// anyObject reads an object into m, keeping what m held (encoding/json fills an existing map).
func (s *scanner) anyObject(m map[string]any, depth int) {
	if !s.eat('{') {
		s.fail()
		return
	}
	if s.eat('}') {
		return
	}
	for s.ok {
		k := s.str()
		if !s.eat(':') {
			s.fail()
			return
		}
		m[k] = s.any(depth + 1)
		if s.eat(',') {
			continue
		}
		if !s.eat('}') {
			s.fail()
		}
		return
	}
}
