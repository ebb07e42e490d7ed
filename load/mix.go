package load

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Journey names, as a mix file spells them.
const (
	Greeting    = "greeting"
	OrderStatus = "order_status"
	OptIn       = "opt_in"
	OptOut      = "opt_out"
	DataRequest = "data_request"
)

// Mix weights the journeys: each customer plays one journey, drawn with probability weight/sum.
type Mix map[string]float64

// DefaultMix is the mix a run uses without --mix: mostly service questions, some consent changes and a
// few data requests, roughly as a retailer's WhatsApp channel sees them.
func DefaultMix() Mix {
	return Mix{Greeting: 25, OrderStatus: 35, OptIn: 15, OptOut: 10, DataRequest: 15}
}

// ParseMix reads a mix file: a JSON object of journey name to weight, e.g.
// {"greeting": 1, "order_status": 3}. Unknown names, negative weights and an all-zero mix are refused.
func ParseMix(r io.Reader) (Mix, error) {
	var m Mix
	dec := json.NewDecoder(r)
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("mix: want a JSON object of journey name to weight (%s): %w", strings.Join(JourneyNames(), ", "), err)
	}
	return m, m.Validate()
}

// Validate checks that every name is a known journey, no weight is negative and some weight is positive.
func (m Mix) Validate() error {
	sum := 0.0
	for name, w := range m {
		if _, ok := journeys[name]; !ok {
			return fmt.Errorf("mix: unknown journey %q; known: %s", name, strings.Join(JourneyNames(), ", "))
		}
		if w < 0 {
			return fmt.Errorf("mix: journey %q has negative weight %g", name, w)
		}
		sum += w
	}
	if sum <= 0 {
		return fmt.Errorf("mix: no journey has a positive weight")
	}
	return nil
}

// JourneyNames lists the journeys a mix may name, sorted.
func JourneyNames() []string {
	out := make([]string, 0, len(journeys))
	for n := range journeys {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// pick chooses a journey for u in [0,1): names in sorted order, so the choice is the same on every
// machine whatever the map's iteration order.
func (m Mix) pick(u float64) string {
	names := make([]string, 0, len(m))
	sum := 0.0
	for n, w := range m {
		if w > 0 {
			names = append(names, n)
			sum += w
		}
	}
	sort.Strings(names)
	x := u * sum
	for _, n := range names {
		x -= m[n]
		if x < 0 {
			return n
		}
	}
	return names[len(names)-1]
}
