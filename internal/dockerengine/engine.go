// Package dockerengine finds the Docker engine that parley's containers run on, with the testcontainers
// settings parley needs offline. It is apart from the harness so that the helper deciding whether a
// container test runs can ask it from the harness's own tests, which cannot import a package that
// imports the harness.
package dockerengine

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

var settingsOnce sync.Once

// Defaults sets, when the user has not, the testcontainers settings parley needs offline, before
// testcontainers reads its configuration (once per process):
//   - TESTCONTAINERS_RYUK_DISABLED=true: the reaper is an image to pull; parley removes what it creates
//     itself (Close, and RemoveLeftovers by label after a crash);
//   - TESTCONTAINERS_HOST_OVERRIDE=localhost when this process runs in a container (/.dockerenv), where
//     testcontainers would otherwise guess a gateway address that may not route.
func Defaults() {
	settingsOnce.Do(func() {
		if _, ok := os.LookupEnv("TESTCONTAINERS_RYUK_DISABLED"); !ok {
			_ = os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
		}
		if _, ok := os.LookupEnv("TESTCONTAINERS_HOST_OVERRIDE"); !ok && inContainer() && os.Getenv("DOCKER_HOST") == "" {
			_ = os.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "localhost")
		}
	})
}

// Available reports whether a Docker engine answers; the error says why not. When DOCKER_HOST is
// set, that engine must answer: testcontainers would otherwise fall back to the local socket, and a run
// meant for a remote engine would quietly use another one.
func Available(ctx context.Context) error {
	Defaults()
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		cli, err := client.New(client.FromEnv, client.WithAPIVersionNegotiation())
		if err != nil {
			return fmt.Errorf("no Docker engine: DOCKER_HOST=%q: %w", h, err)
		}
		defer cli.Close()
		if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
			return fmt.Errorf("no Docker engine answers at DOCKER_HOST=%q: %w", h, err)
		}
	}
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return fmt.Errorf("no Docker engine: %w", err)
	}
	defer cli.Close()
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		return fmt.Errorf("no Docker engine answers: %w", err)
	}
	return nil
}

// inContainer says whether this process runs in a Docker container.
func inContainer() bool { _, err := os.Stat("/.dockerenv"); return err == nil }
