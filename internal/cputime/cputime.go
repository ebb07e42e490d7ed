// Package cputime tells the benchmarks how much CPU time the process has used: on a machine other work
// shares, what a benchmark spent is steadier than how long it waited.
package cputime

import "time"

// Used is the CPU time (user and system) the process has used so far, or 0 where the system cannot tell.
func Used() time.Duration {
	ns, _ := used()
	return time.Duration(ns)
}
