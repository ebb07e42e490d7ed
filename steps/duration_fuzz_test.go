package steps

import (
	"math/big"
	"testing"
	"time"
)

// FuzzStepDuration: "N minutes|hours|days pass" (and the Spanish units) never wraps around: the duration
// is exactly N units, or the step says the time is too long.
func FuzzStepDuration(f *testing.F) {
	for _, s := range []struct {
		n    int
		unit string
	}{{25, "hours"}, {31, "días"}, {1, "minuto"}, {106751, "days"}, {300000, "days"}, {1 << 62, "minutes"}, {-1, "h"}} {
		f.Add(s.n, s.unit)
	}
	f.Fuzz(func(t *testing.T, n int, unit string) {
		d, err := stepDuration(n, unit)
		if err != nil {
			if n >= 0 && n <= 3650 {
				t.Fatalf("%d %s refused: %v", n, unit, err)
			}
			return
		}
		per := 24 * time.Hour
		switch {
		case len(unit) >= 3 && unit[:3] == "min":
			per = time.Minute
		case len(unit) >= 1 && unit[0] == 'h':
			per = time.Hour
		}
		want := new(big.Int).Mul(big.NewInt(int64(n)), big.NewInt(int64(per)))
		if d < 0 || want.Cmp(big.NewInt(int64(d))) != 0 {
			t.Fatalf("%d %s became %s", n, unit, d)
		}
	})
}

func TestStepDuration(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		unit string
		want time.Duration
		ok   bool
	}{
		{"hours", 25, "hours", 25 * time.Hour, true},
		{"días", 31, "días", 31 * 24 * time.Hour, true},
		{"minuto", 1, "minuto", time.Minute, true},
		{"ten years", 3650, "days", 3650 * 24 * time.Hour, true},
		{"would wrap to a wrong positive time", 300000, "days", 0, false},
		{"would overflow", 1 << 62, "minutes", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := stepDuration(tc.n, tc.unit)
			if (err == nil) != tc.ok || d != tc.want {
				t.Fatalf("stepDuration(%d, %q) = %s, %v; want %s, ok=%v", tc.n, tc.unit, d, err, tc.want, tc.ok)
			}
		})
	}
}
