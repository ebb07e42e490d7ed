package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"strconv"
	"strings"
	"sync"
)

// Numbering gives each scenario of a run phone numbers that no other scenario of the run has, for when one
// assistant plays every scenario and remembers its customers: the feature files and journeys reuse a few
// declared numbers, and a customer the assistant already knows is no newcomer.
//
// A real number keeps what an assistant may act on: the declared number's country calling code, its
// length, and its first national digits, those that tell a mobile number from other services (two in most
// countries; see keptNational). The other digits come from a SHA-256 hash of the seed, the scenario's key
// and the declared number, so a scenario gets the same numbers in every run with the same seed, whatever
// the order or parallelism its scenarios run in. The one exception is a collision: a hash that lands on a
// number another scenario (or another declared number of the same scenario) already holds is hashed again
// with a counter, and who got there first depends on the order. With six or more hashed digits (seven for
// Spain, eight for the UK) that is rare in a run of a few hundred customers, and even then the numbers stay
// unique.
//
// A Numbering is safe for concurrent use.
type Numbering struct {
	seed int64

	mu     sync.Mutex
	real   map[declaredIn]string // the number each scenario's declared number became
	holder map[string]declaredIn // who holds each number handed out
	used   map[numberBlock]int   // numbers handed out in each block, to know when one is full
	kept   map[string]bool       // numbers every scenario keeps as declared (Keep)
}

// declaredIn is a declared number in one scenario.
type declaredIn struct{ scenario, declared string }

// numberBlock is the numbers that share a kept prefix and a length: those a declared number may become.
type numberBlock struct {
	prefix string
	length int
}

// NewNumbering returns a numbering whose numbers are derived from seed.
func NewNumbering(seed int64) *Numbering {
	return &Numbering{
		seed:   seed,
		real:   make(map[declaredIn]string),
		holder: make(map[string]declaredIn),
		used:   make(map[numberBlock]int),
		kept:   make(map[string]bool),
	}
}

// Keep reserves numbers (as wa_ids or as people write them): none is ever handed out, not even for itself
// declared, since they belong to the customers of the test data an assistant's backend holds, who keep
// them (sim.Persona.Known). Keep before handing out numbers: one already handed out stays where it is.
func (n *Numbering) Keep(numbers ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, number := range numbers {
		if w := NormalizePhone(number); w != "" {
			n.kept[w] = true
		}
	}
}

// For returns the numbering of the scenario whose key is scenario, to use as World.Numbers. The key must
// name the scenario the same way in every run (say the feature's path and the scenario's line, so that
// each example of an outline is a scenario of its own), not with an id made afresh each run. Asking twice
// with one key gives the same numbers.
//
// The function returned takes a declared number as a wa_id or as people write it and returns its real
// number as a wa_id, or "" when declared is not an international number or every number it could become
// is taken.
func (n *Numbering) For(scenario string) func(declared string) string {
	return func(declared string) string { return n.number(scenario, declared) }
}

func (n *Numbering) number(scenario, declared string) string {
	declared = NormalizePhone(declared)
	if len(declared) < 8 || len(declared) > 15 {
		return ""
	}
	key := declaredIn{scenario, declared}
	keep := keptDigits(declared)
	block := numberBlock{declared[:keep], len(declared)}
	free := len(declared) - keep

	n.mu.Lock()
	defer n.mu.Unlock()
	if r, ok := n.real[key]; ok {
		return r
	}
	// The block holds 10^free numbers, the declared one among them, which is never handed out (unless
	// another declared number already became it, in which case it is counted in used).
	avail := pow10(free) - int64(n.used[block])
	if _, held := n.holder[declared]; !held {
		avail--
	}
	for k := range n.kept { // kept numbers of the block are never handed out either
		if k != declared && len(k) == block.length && strings.HasPrefix(k, block.prefix) {
			avail--
		}
	}
	if avail <= 0 {
		return ""
	}
	// Each try hits a free number with probability avail/10^free, so this ends, on average after at most
	// 10^free tries, and after one in practice.
	for try := uint64(0); ; try++ {
		r := block.prefix + n.digits(scenario, declared, try, free)
		if _, taken := n.holder[r]; taken || r == declared || n.kept[r] {
			continue
		}
		n.real[key] = r
		n.holder[r] = key
		n.used[block]++
		return r
	}
}

// digits returns count decimal digits derived from the seed, the scenario, the declared number and the
// try. The strings are length-prefixed so that no two different triples hash the same bytes.
func (n *Numbering) digits(scenario, declared string, try uint64, count int) string {
	buf := make([]byte, 0, 64+len(scenario)+len(declared))
	buf = append(buf, "parley numbering\x00"...)
	buf = binary.BigEndian.AppendUint64(buf, uint64(n.seed))
	buf = binary.AppendUvarint(buf, uint64(len(scenario)))
	buf = append(buf, scenario...)
	buf = binary.AppendUvarint(buf, uint64(len(declared)))
	buf = append(buf, declared...)
	buf = binary.BigEndian.AppendUint64(buf, try)
	sum := sha256.Sum256(buf)
	// At most 12 digits are asked for, so the bias of the modulo on 64 bits is below one in 10^7.
	v := binary.BigEndian.Uint64(sum[:8]) % uint64(pow10(count))
	s := strconv.FormatUint(v, 10)
	return strings.Repeat("0", count-len(s)) + s
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// keptDigits is how many leading digits of a wa_id a real number keeps: the country calling code and the
// national digits that say what kind of number it is, leaving at least one digit to choose.
func keptDigits(waID string) int {
	cc := countryCode(waID)
	national, ok := keptNational[cc]
	if !ok {
		national = 2
	}
	return min(len(cc)+national, len(waID)-1)
}

// keptNational is how many national digits a real number keeps where two is not right. In most numbering
// plans the first two tell a mobile number from other services: in Spain 6x and 71–74 are mobiles but
// 70 is not, in the UK 70 and 76 are not, in France 6 and 73–79 are.
var keptNational = map[string]int{
	"1":  4, // the area code, which says the state or the country (US, Canada, the Caribbean), and the exchange's first digit, never 0 or 1
	"49": 3, // German mobiles are 15x, 16x and 17x, not every x
	"52": 3, // Mexican mobile wa_ids often keep the old 1 before the area code
	"54": 3, // Argentinian mobile wa_ids are 9 and the area code
	"55": 3, // Brazilian mobiles are the area code and 9
}

// countryCode returns the country calling code a wa_id starts with. The codes are prefix-free (ITU-T
// E.164): 1 and 7 are the only one-digit codes, twoDigitCodes the only two-digit ones, and every other code
// has three digits, so the table is complete without listing the three-digit ones.
func countryCode(waID string) string {
	switch {
	case waID[0] == '1' || waID[0] == '7':
		return waID[:1]
	case strings.Contains(twoDigitCodes, " "+waID[:2]+" "):
		return waID[:2]
	default:
		return waID[:3]
	}
}

const twoDigitCodes = " 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98 "
