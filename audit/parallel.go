package audit

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// inChunks calls f(lo, hi) for the chunks [0, size), [size, 2·size) … of [0, n), on every core.
func inChunks(n, size int, f func(lo, hi int)) {
	parallel((n+size-1)/size, func(c int) { f(c*size, min((c+1)*size, n)) })
}

// parallel calls f(0) … f(n-1) on every core.
func parallel(n int, f func(int)) {
	workers := min(runtime.GOMAXPROCS(0), 8, n)
	if workers <= 1 {
		for k := range n {
			f(k)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for k := int(next.Add(1) - 1); k < n; k = int(next.Add(1) - 1) {
				f(k)
			}
		})
	}
	wg.Wait()
}
