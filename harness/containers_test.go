package harness

import (
	"context"
	"os"
	"testing"
	"time"
)

// requireDocker skips without a Docker engine, and fails in CI (CI=true), where the container tests
// must run.
func requireDocker(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := DockerAvailable(ctx); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and the container tests cannot run: %v", err)
		}
		t.Skipf("skipping the container tests: %v (in CI, with CI=true, this is a failure)", err)
	}
}

// noLeftovers registers, first so that it runs last, a check that nothing labelled with the run filter
// is left in Docker.
func noLeftovers(t *testing.T, filter string) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		left, err := Leftovers(ctx, filter)
		if err != nil {
			t.Errorf("listing parley's containers and networks: %v", err)
		}
		if len(left) > 0 {
			t.Errorf("left behind in Docker: %v", left)
			_ = RemoveLeftovers(ctx, filter)
		}
	})
}
