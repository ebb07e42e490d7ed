//go:build !unix

package containers

// processRuns cannot tell on this system, so every owner counts as running: nothing of a live run is
// removed, and parley clean removes only what has no owner recorded.
func processRuns(int) bool { return true }
