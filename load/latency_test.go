package load

import (
	"testing"
	"time"
)

func TestHistogramBuckets(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    time.Duration
	}{
		{"zero", 0},
		{"exact small", 17 * time.Microsecond},
		{"first log bucket", 32 * time.Microsecond},
		{"millisecond", 1234 * time.Microsecond},
		{"second", 987654 * time.Microsecond},
		{"a minute", time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := bucketOf(tc.d)
			up := upper(b)
			if up < tc.d.Truncate(time.Microsecond) {
				t.Errorf("bucket %d of %s has upper bound %s, below the value", b, tc.d, up)
			}
			if b > 0 && upper(b-1) >= tc.d.Truncate(time.Microsecond) {
				t.Errorf("bucket %d of %s: the previous bucket already reaches %s", b, tc.d, upper(b-1))
			}
			if rel := float64(up-tc.d) / float64(tc.d+time.Microsecond); rel > 0.04 {
				t.Errorf("bucket of %s is %.1f%% wide, want ≤ 4%%", tc.d, rel*100)
			}
		})
	}
}

func TestHistogramQuantilesAndMerge(t *testing.T) {
	var a, b, whole Histogram
	for i := 1; i <= 1000; i++ {
		d := time.Duration(i) * time.Millisecond
		whole.Add(d)
		if i%2 == 0 {
			a.Add(d)
		} else {
			b.Add(d)
		}
	}
	a.Merge(b)
	for _, q := range []float64{0.5, 0.95, 0.99, 1} {
		if got, want := a.Quantile(q), whole.Quantile(q); got != want {
			t.Errorf("q%.2f of the merged halves is %s, of the whole %s", q, got, want)
		}
	}
	if p50 := whole.Quantile(0.5); p50 < 500*time.Millisecond || p50 > 520*time.Millisecond {
		t.Errorf("p50 of 1..1000 ms is %s, want about 500ms", p50)
	}
	if got := whole.Quantile(1); got != time.Second {
		t.Errorf("max is %s, want 1s", got)
	}
	if (Histogram{}).Quantile(0.5) != 0 {
		t.Error("an empty histogram has a non-zero median")
	}
}
