package sim

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/parley-dev/parley/journal"
)

// The declared numbers the feature files reuse most, as their authors write them.
var reused = []string{"+34 600 000 001", "+34 600 000 002", "+44 7700 900001"}

// numberAll asks n for every declared number of every scenario, in the order given, and returns what each
// became, keyed by scenario and declared number.
func numberAll(n *Numbering, scenarios []string) map[declaredIn]string {
	got := make(map[declaredIn]string)
	for _, s := range scenarios {
		numbers := n.For(s)
		for _, d := range reused {
			got[declaredIn{s, d}] = numbers(d)
		}
	}
	return got
}

func scenarioKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("features/optin/opt-in.feature:%d", 10+i)
	}
	return keys
}

// A scenario gets the same numbers from any numbering with the same seed, whatever order (or how many at
// once) its scenarios ask in.
func TestNumberingStable(t *testing.T) {
	keys := scenarioKeys(300)
	want := numberAll(NewNumbering(42), keys)
	tests := []struct {
		name string
		ask  func(n *Numbering) map[declaredIn]string
	}{
		{"same order", func(n *Numbering) map[declaredIn]string { return numberAll(n, keys) }},
		{"reversed", func(n *Numbering) map[declaredIn]string {
			rev := make([]string, len(keys))
			for i, k := range keys {
				rev[len(keys)-1-i] = k
			}
			return numberAll(n, rev)
		}},
		{"concurrently", func(n *Numbering) map[declaredIn]string {
			var (
				mu  sync.Mutex
				wg  sync.WaitGroup
				got = make(map[declaredIn]string)
			)
			for _, k := range keys {
				wg.Go(func() {
					one := numberAll(n, []string{k})
					mu.Lock()
					defer mu.Unlock()
					for dk, r := range one {
						got[dk] = r
					}
				})
			}
			wg.Wait()
			return got
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.ask(NewNumbering(42))
			if len(got) != len(want) {
				t.Fatalf("%d numbers, want %d", len(got), len(want))
			}
			for k, w := range want {
				if got[k] != w {
					t.Errorf("%s in %s became %s, want %s as in the first run", k.declared, k.scenario, got[k], w)
				}
			}
		})
	}
}

func TestNumberingSeeds(t *testing.T) {
	keys := scenarioKeys(100)
	a, b := numberAll(NewNumbering(1), keys), numberAll(NewNumbering(2), keys)
	for k, r := range a {
		if b[k] == r {
			t.Errorf("%s in %s became %s with either seed", k.declared, k.scenario, r)
		}
	}
}

// Every customer of every scenario gets a number of their own, of the declared number's country and kind.
func TestNumberingUnique(t *testing.T) {
	n := NewNumbering(7)
	got := numberAll(n, scenarioKeys(10_000))
	holder := make(map[string]declaredIn, len(got))
	for k, r := range got {
		if other, dup := holder[r]; dup {
			t.Fatalf("%s went to %s in %s and to %s in %s", r, k.declared, k.scenario, other.declared, other.scenario)
		}
		holder[r] = k
		d := NormalizePhone(k.declared)
		if r == d || len(r) != len(d) || r[:4] != d[:4] {
			t.Fatalf("%s became %s, want another number of its length starting %s", d, r, d[:4])
		}
	}
	if len(holder) != 30_000 {
		t.Errorf("%d numbers handed out, want 30000", len(holder))
	}
}

// A real number keeps the country code, the length and the national digits that say what kind of number
// it is.
func TestNumberingKeeps(t *testing.T) {
	tests := []struct {
		name     string
		declared string
		keep     string
	}{
		{"Spain mobile 6", "+34 600 000 001", "3460"},
		{"Spain mobile 7", "+34 712 345 678", "3471"},
		{"Spain written 0034", "0034-612345678", "3461"},
		{"UK", "+44 7700 900001", "4477"},
		{"US", "+1 415 555 0100", "14155"},
		{"Russia", "+7 912 345 67 89", "791"},
		{"Germany", "+49 151 23456789", "49151"},
		{"France", "+33 6 12 34 56 78", "3361"},
		{"Italy", "+39 312 345 6789", "3931"},
		{"Portugal", "+351 912 345 678", "35191"},
		{"Mexico with the old 1", "+52 1 55 1234 5678", "52155"},
		{"Argentina", "+54 9 11 1234 5678", "54911"},
		{"Brazil", "+55 11 91234 5678", "55119"},
		{"Colombia", "+57 310 123 4567", "5731"},
		{"India", "+91 98765 43210", "9198"},
		{"Ukraine, a code not in the table", "+380 67 123 4567", "38067"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			numbers := NewNumbering(3).For("s")
			d := NormalizePhone(tt.declared)
			r := numbers(tt.declared)
			if r == d || len(r) != len(d) || !strings.HasPrefix(r, tt.keep) {
				t.Errorf("%s became %q, want another number of %d digits starting %s", d, r, len(d), tt.keep)
			}
			if strings.Trim(r, "0123456789") != "" {
				t.Errorf("%s became %q, want only digits", d, r)
			}
		})
	}
}

func TestNumberingWithinScenario(t *testing.T) {
	n := NewNumbering(5)
	lucia := n.For("s")
	a, b := lucia("+34 600 000 001"), lucia("+34 600 000 002")
	if a == b {
		t.Errorf("two declared numbers both became %s", a)
	}
	tests := []struct {
		name     string
		declared string
	}{
		{"again", "+34 600 000 001"},
		{"as a wa_id", "34600000001"},
		{"from another For with the same key", "+34 600 000 001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			numbers := lucia
			if strings.HasPrefix(tt.name, "from another") {
				numbers = n.For("s")
			}
			if r := numbers(tt.declared); r != a {
				t.Errorf("%s became %s, want %s as the first time", tt.declared, r, a)
			}
		})
	}
}

// When every number a declared number could become is taken, or it is not a number, there is none; a
// full block is found out at once, without hashing forever.
func TestNumberingNone(t *testing.T) {
	n := NewNumbering(9)
	// The 8-digit number keeps 5 digits (351, then 91), so its block holds 1000 numbers, itself among them.
	seen := make(map[string]bool)
	for i := range 999 {
		r := n.For(fmt.Sprint("s", i))("35191234")
		if r == "" || r == "35191234" || seen[r] {
			t.Fatalf("scenario %d got %q, want a new number", i, r)
		}
		seen[r] = true
	}
	tests := []struct {
		name     string
		scenario string
		declared string
	}{
		{"block full", "s999", "35191234"},
		{"too short", "s", "+34 600"},
		{"too long", "s", "+34 600 000 001 000 000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := n.For(tt.scenario)(tt.declared); r != "" {
				t.Errorf("%s got %q, want none", tt.declared, r)
			}
		})
	}
}

// NewCustomer gives the customer the number World.Numbers says, and that is the number they use.
func TestNewCustomerNumbers(t *testing.T) {
	tests := []struct {
		name    string
		numbers func(string) string
		want    string // the customer's wa_id; "" when NewCustomer must fail
	}{
		{"nil keeps the declared number", nil, "34600000001"},
		{"numbering", NewNumbering(1).For("s"), NewNumbering(1).For("s")("34600000001")},
		{"written with spaces", func(string) string { return "+34 611 111 111" }, "34611111111"},
		{"none", func(string) string { return "" }, ""},
		{"not a number", func(string) string { return "abc" }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, j, _ := newWorld(t)
			var asked []string
			if tt.numbers != nil {
				w.Numbers = func(d string) string {
					asked = append(asked, d)
					return tt.numbers(d)
				}
			}
			c, err := w.NewCustomer(Persona{WaID: "+34 600 000 001", Name: "Lucía"})
			if tt.want == "" {
				if err == nil || !strings.Contains(err.Error(), "+34600000001") {
					t.Fatalf("NewCustomer = %+v, %v; want an error naming the declared phone", c, err)
				}
				return
			}
			if err != nil || c.WaID != tt.want {
				t.Fatalf("NewCustomer = %+v, %v; want wa_id %s", c, err, tt.want)
			}
			if tt.numbers != nil && (len(asked) != 1 || asked[0] != "34600000001") {
				t.Errorf("Numbers asked for %q, want the normalised declared number once", asked)
			}
			ctx := ctxT(t)
			if _, err := c.Say(ctx, "hola"); err != nil {
				t.Fatal(err)
			}
			if m, err := c.AwaitReply(ctx); err != nil || m.Text != "eco: hola" {
				t.Fatalf("reply %+v, %v", m, err)
			}
			events := j.Filter(func(e journal.Event) bool { return e.Customer != "" })
			if len(events) == 0 {
				t.Fatal("nothing journalled for the customer")
			}
			for _, e := range events {
				if e.Customer != tt.want {
					t.Errorf("journal event %s for %s, want %s", e.Kind, e.Customer, tt.want)
				}
			}
		})
	}
	t.Run("a bad phone is refused before it is numbered", func(t *testing.T) {
		w, _, _ := newWorld(t)
		w.Numbers = func(string) string { t.Error("Numbers asked for a phone NewCustomer refuses"); return "34611111111" }
		for _, p := range []Persona{{WaID: "123", Name: "short"}, {WaID: "34612345678", Lang: "fr"}} {
			if _, err := w.NewCustomer(p); err == nil {
				t.Errorf("NewCustomer(%+v) accepted", p)
			}
		}
	})
}

// TestSaidNumbersAreReal: a customer naming another customer's declared number names the number that
// customer really has, in what is sent and in the ground truth recorded for it.
func TestSaidNumbersAreReal(t *testing.T) {
	w, _, _ := newWorld(t)
	w.Numbers = NewNumbering(1).For("s")
	lucia, err := w.NewCustomer(Persona{WaID: "+34 600 000 001", Name: "Lucía"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ said, want string }{
		{"quiero una copia de los datos del 34600000001", "quiero una copia de los datos del " + lucia.WaID},
		{"el +34 600 000 001 es mío", "el +" + lucia.WaID + " es mío"},
		{"mi DNI es 12345678Z y mi tarjeta 4111111111111111", "mi DNI es 12345678Z y mi tarjeta 4111111111111111"},
	} {
		if got := w.realNumbers(tc.said); got != tc.want {
			t.Errorf("%q → %q, want %q", tc.said, got, tc.want)
		}
	}
}

// A kept number is never handed out, not even for itself declared, even when its block fills up.
func TestNumberingKeep(t *testing.T) {
	n := NewNumbering(1)
	n.Keep("+34 600 000 001")
	for _, sc := range []string{"a.feature:3", "b.feature:9"} {
		if got := n.For(sc)("+34 600 000 001"); got == "34600000001" || got == "" {
			t.Errorf("%s: the kept number, declared, became %q", sc, got)
		}
	}
	// A block of 1,000 numbers (country code 1 keeps five digits of eight): the declared one and the kept
	// one are never handed out, so 998 scenarios get the others and the next gets none.
	m := NewNumbering(1)
	m.Keep("12125551")
	seen := map[string]bool{}
	for i := range 998 {
		r := m.For(fmt.Sprintf("s%d", i))("12125550")
		if r == "" || r == "12125551" || r == "12125550" || seen[r] {
			t.Fatalf("scenario %d got %q", i, r)
		}
		seen[r] = true
	}
	if r := m.For("one more")("12125550"); r != "" {
		t.Errorf("a full block still gave %q", r)
	}
}
