package dlp_test

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/parley-dev/parley/mocks/dlp"
)

// TestCloseEndsGoroutines: the server's goroutines (listener, connections and the gRPC stream workers)
// are all gone after Close. Goroutines are told apart by identity, not counted: those of the tests
// before this one (their clients' connections) may still be ending while it runs.
func TestCloseEndsGoroutines(t *testing.T) {
	others := goleak.IgnoreCurrent()
	s, err := dlp.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	if goleak.Find(others) == nil {
		t.Fatal("no goroutine started")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		err := goleak.Find(others) // waits a moment for goroutines still ending
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("goroutines left after Close: %v", err)
		}
	}
}
