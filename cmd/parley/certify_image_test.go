package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/harness/containers"
	"github.com/parley-dev/parley/internal/dockertest"
	"github.com/parley-dev/parley/report"
)

// requireDockerEngine runs the test only where dockertest.Require lets it, and builds the parley image
// first, so that what a test times is the run, not the image build.
func requireDockerEngine(t *testing.T, ctx context.Context) {
	t.Helper()
	t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	dockertest.Require(t)
	if _, err := containers.BuildImage(ctx, containers.BuildOptions{Shared: true}); err != nil {
		t.Fatalf("building the parley image: %v", err)
	}
}

// certifyBotImage runs `parley certify --bot-image image` and returns its stderr and error (the time it
// took is logged, not asserted: no scenario played is what "at once" means here),
// checking that it could not run (exit 2) without playing a scenario or writing a report.
func certifyBotImage(t *testing.T, ctx context.Context, image string) (stderrText string, err error) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "report")
	var stdout, stderr bytes.Buffer
	start := time.Now()
	err = run(ctx, []string{"certify", "--bot-image", image, "--out", out}, func(string) string { return "" }, &stdout, &stderr)
	t.Logf("exit %d after %s", exitCode(err), time.Since(start).Round(time.Millisecond))
	if err == nil || exitCode(err) != 2 {
		t.Fatalf("exit %d (%v), want 2 (could not run)\nstderr:\n%s", exitCode(err), err, stderr.String())
	}
	if !strings.HasPrefix(err.Error(), "certify: could not run: ") {
		t.Errorf("error %q, want it to start with \"certify: could not run: \"", err)
	}
	if strings.Contains(stderr.String(), "[1/") {
		t.Errorf("a scenario was played:\n%s", stderr.String())
	}
	if _, serr := os.Stat(filepath.Join(out, report.FileJSON)); !errors.Is(serr, os.ErrNotExist) {
		t.Errorf("a report was written (%v)", serr)
	}
	return stderr.String(), err
}

// TestCertifyMissingBotImage: an image that is not on the engine stops the run once, at once, with an
// error naming it, instead of failing every scenario with the same Docker error.
func TestCertifyMissingBotImage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	requireDockerEngine(t, ctx)
	const image = "parley.local/no-such-image:nope"
	stderr, err := certifyBotImage(t, ctx, image)
	var missing *containers.ImageMissingError
	if !errors.As(err, &missing) || missing.Image != image {
		t.Errorf("error %q is not an ImageMissingError for %s", err, image)
	}
	for _, want := range []string{`"` + image + `"`, "is not on the Docker engine", "parley pulls nothing"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if n := strings.Count(err.Error()+stderr, "is not on the Docker engine"); n != 1 {
		t.Errorf("the missing image is reported %d times, want once:\n%v\n%s", n, err, stderr)
	}
}

// failingBot is an assistant that cannot start: it says why and exits 1, as a misconfigured one does.
const failingBot = `package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("acme bot: starting")
	fmt.Fprintln(os.Stderr, "acme bot: missing configuration FOO")
	os.Exit(1)
}
`

// TestCertifyFailingBotImage: an image whose container exits at start stops the run once, before any
// scenario, with the container's last log lines, and leaves nothing behind in Docker.
func TestCertifyFailingBotImage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	requireDockerEngine(t, ctx)
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		left, err := containers.Leftovers(cctx, containers.LabelSession+"="+containers.Session())
		if err != nil {
			t.Errorf("listing parley's containers and networks: %v", err)
		}
		if len(left) > 0 {
			t.Errorf("left behind in Docker: %v", left)
			_ = containers.RemoveLeftovers(cctx, containers.LabelSession+"="+containers.Session())
		}
	})
	image := buildFailingBot(t, ctx)

	stderr, err := certifyBotImage(t, ctx, image)
	var cerr *containers.ContainerError
	if !errors.As(err, &cerr) || cerr.Role != "assistant" || cerr.Image != image || cerr.ExitCode != 1 {
		t.Fatalf("error is not the assistant container's exit 1: %v", err)
	}
	if !strings.Contains(err.Error(), "acme bot: missing configuration FOO") {
		t.Errorf("the error does not carry the container's last log line:\n%v", err)
	}
	if n := strings.Count(err.Error()+stderr, "acme bot: missing configuration FOO"); n != 1 {
		t.Errorf("the failing container is reported %d times, want once:\n%v\n%s", n, err, stderr)
	}
}

// buildFailingBot builds failingBot into an image FROM scratch (a static binary, the classic builder:
// nothing pulled) under a random tag, removed when the test ends.
func buildFailingBot(t *testing.T, ctx context.Context) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"main.go":    failingBot,
		"Dockerfile": "FROM scratch\nCOPY bot /bot\nENTRYPOINT [\"/bot\"]\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	build := exec.CommandContext(ctx, goBin, "build", "-o", "bot", "main.go")
	build.Dir = dir
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the failing assistant: %v\n%s", err, out)
	}
	image := "parley.local/test-failing-bot:" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")) + "-" + containers.Session()
	docker := exec.CommandContext(ctx, "docker", "build", "-q", "-t", image, dir)
	docker.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
	if out, err := docker.CombinedOutput(); err != nil {
		t.Fatalf("building the failing assistant's image: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("docker", "image", "rm", "-f", image).CombinedOutput(); err != nil {
			t.Errorf("removing %s: %v\n%s", image, err, out)
		}
	})
	return image
}
