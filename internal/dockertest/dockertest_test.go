package dockertest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNoDockerSkipsOrFailsInCI: without a Docker engine a container test skips and says why, except with
// CI=true, where it fails; with -short it skips before asking for an engine. The test runs itself in a
// child process pointed at a socket that does not exist.
func TestNoDockerSkipsOrFailsInCI(t *testing.T) {
	if os.Getenv("PARLEY_NO_DOCKER_CHILD") == "1" {
		Require(t)
		t.Fatal("Require returned although no engine answers")
	}
	for _, tc := range []struct {
		name, ci string
		short    bool
		wantFail bool
		want     []string
	}{
		{"elsewhere a skip", "", false, false, []string{"--- SKIP", "Docker"}},
		{"in CI a failure", "true", false, true, []string{"CI=true and the container tests cannot run", "Docker"}},
		{"with -short a skip, even in CI", "true", true, false, []string{"--- SKIP", "-short"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"-test.run=^TestNoDockerSkipsOrFailsInCI$", "-test.v"}
			if tc.short {
				args = append(args, "-test.short")
			}
			cmd := exec.Command(os.Args[0], args...)
			cmd.Env = append(os.Environ(), "PARLEY_NO_DOCKER_CHILD=1", "CI="+tc.ci,
				"DOCKER_HOST=unix:///nonexistent/parley/docker.sock")
			out, err := cmd.CombinedOutput()
			ok := (err != nil) == tc.wantFail
			for _, w := range tc.want {
				ok = ok && strings.Contains(string(out), w)
			}
			if !ok {
				t.Errorf("CI=%q: err %v, output:\n%s\nwant failure %v with %q", tc.ci, err, out, tc.wantFail, tc.want)
			}
		})
	}
}
