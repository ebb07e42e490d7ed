// Package dockertest holds the one rule for tests that start containers: with -short they skip; without
// a Docker engine they skip and say why, except with CI=true, where the container tests must run and a
// missing engine is a failure.
package dockertest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/dockerengine"
)

// T is what Require needs of a test: *testing.T and *testing.B have it, and so has Ginkgo's GinkgoT().
type T interface {
	Helper()
	Skip(args ...any)
	Skipf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Require returns when the test may start containers, and otherwise skips or fails it (see the package
// doc).
func Require(t T) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts containers; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := dockerengine.Available(ctx); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and the container tests cannot run: %v", err)
		}
		t.Skipf("skipping the container tests: %v (in CI, with CI=true, this is a failure)", err)
	}
}
