package cputime

import (
	"runtime"
	"testing"
)

// TestUsedGrows: spending CPU shows in Used, where the system can tell.
func TestUsedGrows(t *testing.T) {
	if _, ok := used(); !ok {
		t.Skip("this system does not report the process's CPU time")
	}
	before := Used()
	x := 0
	for i := 0; Used()-before <= 0 && i < 1<<30; i++ {
		x += i
	}
	runtime.KeepAlive(x)
	if Used() <= before {
		t.Fatalf("Used stayed at %v after busy work", before)
	}
}
