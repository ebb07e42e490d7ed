package dlp_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/parley-dev/parley/mocks/dlp"
)

// TestCloseEndsGoroutines: the server's goroutines (listener, connections and the gRPC stream workers)
// are all gone after Close.
func TestCloseEndsGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := dlp.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	if runtime.NumGoroutine() <= before {
		t.Fatalf("no goroutine started (%d before, %d after)", before, runtime.NumGoroutine())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for runtime.NumGoroutine() > before {
		if ctx.Err() != nil {
			t.Fatalf("%d goroutines after Close, %d before", runtime.NumGoroutine(), before)
		}
		runtime.Gosched()
	}
}
