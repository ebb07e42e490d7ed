package audit

import (
	"testing"
	"time"
)

func TestZZPhases(t *testing.T) {
	evs := recorded(synthetic(benchN, 1000))
	for r := 0; r < 3; r++ {
		t0 := time.Now()
		v := NewView(evs, Options{})
		t1 := time.Now()
		for _, rl := range Catalogue() {
			s := time.Now()
			rl.Check(v)
			if d := time.Since(s); d > 60*time.Millisecond && r == 2 {
				t.Logf("%s %v", rl.ID, d)
			}
		}
		t2 := time.Now()
		Run(evs, Options{})
		t.Logf("view %v rules %v run %v", t1.Sub(t0), t2.Sub(t1), time.Since(t2))
	}
}
