package sim

import (
	"fmt"
	"hash/fnv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/pii"
)

// Canary types a customer can plant.
const (
	CanaryName  = "name"
	CanaryEmail = "email"
	CanaryDNI   = "dni"
	CanaryOrder = "order"
	CanaryPhone = "phone"
	CanaryCard  = "card"
	CanaryIBAN  = "iban"
)

var syllables = []string{"ka", "zu", "ri", "mo", "te", "xa", "lu", "ne", "po", "vi", "da", "sho", "gue", "ñe", "bri", "qui"}

// Plant makes up a value of the given type that no other customer of any run shares (derived from the
// customer's number and a counter), records it as ground truth, and returns it for the customer to say.
// DNI numbers carry a valid control letter, so a detector that checks them sees a real one.
func (c *Customer) Plant(typ string) (string, error) {
	c.mu.Lock()
	c.planted++
	n := c.planted
	c.mu.Unlock()
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", c.WaID, n)
	x := h.Sum64()
	var v string
	switch typ {
	case CanaryName:
		v = word(x) + " " + word(x>>20)
	case CanaryEmail:
		v = fmt.Sprintf("%s.%s@correo-%d.test", plain(word(x)), plain(word(x>>20)), x%1000)
	case CanaryDNI:
		v = pii.MakeDNI(int(x % 100000000))
	case CanaryOrder:
		v = fmt.Sprintf("CN-%06d", x%1000000)
	case CanaryPhone:
		v = fmt.Sprintf("+34 6%02d %03d %03d", x%100, (x>>8)%1000, (x>>20)%1000)
	case CanaryCard:
		// A Visa number with a valid Luhn digit, so a detector that checks it sees a real one.
		v = pii.MakeCard("4", int(x%1_000_000_000))
	case CanaryIBAN:
		v = pii.MakeSpanishIBAN(int(x % 1_000_000_000))
	default:
		return "", fmt.Errorf("%s cannot plant a %q: use name, email, dni, order, phone, card or iban", c.Name, typ)
	}
	c.w.Journal.Record(journal.SourceCustomer, journal.KindCanaryPlanted, c.WaID, journal.CanaryData{Type: typ, Value: v})
	return v, nil
}

func word(x uint64) string {
	var b strings.Builder
	for i := range 3 {
		b.WriteString(syllables[(x>>(4*i))%uint64(len(syllables))])
	}
	w := b.String()
	// The first letter, not the first byte: "ñe" starts with a two-byte letter.
	r, n := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r)) + w[n:]
}

func plain(s string) string {
	return strings.ToLower(strings.NewReplacer("ñ", "n", "Ñ", "n").Replace(s))
}
