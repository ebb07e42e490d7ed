package audit

import (
	"syscall"
	"testing"
	"time"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestZZPhases(t *testing.T) {
	evs := recorded(synthetic(benchN, 1000))
	for r := 0; r < 4; r++ {
		c0, t0 := cpuNow(), time.Now()
		Run(evs, Options{})
		t.Logf("run wall %v cpu %v", time.Since(t0), cpuNow()-c0)
	}
}
