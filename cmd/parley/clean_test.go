package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"

	"github.com/parley-dev/parley/harness/containers"
	"github.com/parley-dev/parley/internal/dockertest"
)

// TestCleanCommand: parley clean --dry-run lists a network that a killed run left (its owner process is
// gone) as one it would remove, and removes nothing; a flag error is a usage error. The removal itself is
// proven in harness/containers, on resources of that test's own, since a real clean acts on everything
// parley made on this engine.
func TestCleanCommand(t *testing.T) {
	if err := run(context.Background(), []string{"clean", "extra"}, func(string) string { return "" }, &bytes.Buffer{}, &bytes.Buffer{}); exitCode(err) != 2 {
		t.Fatalf("clean with an argument: %v, want a usage error", err)
	}
	dockertest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	name := "parley-cleancmd-" + containers.Session()
	labels := map[string]string{
		containers.LabelManaged: "true", containers.LabelSession: containers.Session(),
		containers.LabelOwnerPID: strconv.Itoa(cmd.Process.Pid), containers.LabelOwnerHost: host}
	// Any parley that starts on this machine removes a dead run's network, as it should; one started by
	// another test binary may do so between the network's creation and the dry run. The dry run is tried
	// again only when the network is provably gone.
	var stdout string
	var id string
	for try := 1; ; try++ {
		n, err := cli.NetworkCreate(ctx, name, client.NetworkCreateOptions{Labels: labels})
		if err != nil {
			t.Fatal(err)
		}
		id = n.ID
		t.Cleanup(func() { _, _ = cli.NetworkRemove(context.Background(), n.ID, client.NetworkRemoveOptions{}) })
		var out, stderr bytes.Buffer
		if err := run(ctx, []string{"clean", "--dry-run"}, func(string) string { return "" }, &out, &stderr); err != nil {
			t.Fatalf("clean --dry-run: %v\n%s", err, stderr.String())
		}
		stdout = out.String()
		if _, err := cli.NetworkInspect(ctx, n.ID, client.NetworkInspectOptions{}); err == nil || try == 3 {
			break
		}
		t.Logf("try %d: another parley removed the stand-in network first; again", try)
	}
	if want := "would remove network " + name + " (its process is gone)"; !strings.Contains(stdout, want) {
		t.Errorf("clean --dry-run printed:\n%s\nwant a line %q", stdout, want)
	}
	if _, err := cli.NetworkInspect(ctx, id, client.NetworkInspectOptions{}); err != nil {
		t.Errorf("the dry run removed the network: %v", err)
	}
}
