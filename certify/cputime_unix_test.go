//go:build unix

package certify

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user and system) the process has used: on a machine other people share, what
// a benchmark spent is steadier than how long it waited.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
