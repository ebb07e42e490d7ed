package containers

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"

	"github.com/parley-dev/parley/internal/dockertest"
)

func TestRemoteEngine(t *testing.T) {
	for _, tc := range []struct {
		host   string
		remote bool
	}{
		{"", false},
		{"unix:///var/run/docker.sock", false},
		{"tcp://127.0.0.1:2375", false},
		{"tcp://localhost:2375", false},
		{"tcp://[::1]:2376", false},
		{"tcp://10.0.0.5:2376", true},
		{"tcp://docker.example.com:2376", true},
		{"ssh://user@docker.example.com", false}, // ssh forwards the socket: not tcp to the engine
	} {
		if got := remoteEngine(tc.host); got != tc.remote {
			t.Errorf("remoteEngine(%q) = %v, want %v", tc.host, got, tc.remote)
		}
	}
}

// deadPID is the PID of a process that has run and exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if processRuns(cmd.Process.Pid) {
		t.Skipf("PID %d was reused at once", cmd.Process.Pid)
	}
	return cmd.Process.Pid
}

// TestCleanAtStartElsewhere is what another parley process does when it starts: remove what the dead
// runs of its machine left. It acts only when TestCleanLeftovers runs it.
func TestCleanAtStartElsewhere(t *testing.T) {
	if os.Getenv("PARLEY_CLEAN_AT_START") == "" {
		t.Skip("run by TestCleanLeftovers as another process")
	}
	if _, err := Clean(context.Background(), CleanOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestCleanLeftovers: what a killed run left (its owner process gone) is removed when the next run
// starts; a live run's resources and another machine's stay; parley
// clean also removes the images parley's tests built, and with --unowned what has no owner recorded;
// DryRun removes nothing.
func TestCleanLeftovers(t *testing.T) {
	dockertest.Require(t)
	noLeftovers(t, LabelSession+"="+Session())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	img := image(t, ctx)
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	// Every run that starts removes what dead runs of its machine left, so a parley started by another
	// test binary at the same time would remove the dead stand-in below before this test looks at it.
	// This test's machine gets a name of its own: to every other process its stand-ins are another
	// machine's, and kept.
	defer func(h string) { hostName = h }(hostName)
	hostName = "parley-cleantest-" + randomHex(4)
	dead := strconv.Itoa(deadPID(t))
	self := strconv.Itoa(os.Getpid())
	labelled := func(owner map[string]string) map[string]string {
		l := map[string]string{LabelManaged: "true", LabelSession: Session(), LabelRun: "parley-cleantest"}
		for k, v := range owner {
			l[k] = v
		}
		return l
	}
	owners := map[string]map[string]string{
		"dead":      {LabelOwnerPID: dead, LabelOwnerHost: hostName},
		"alive":     {LabelOwnerPID: self, LabelOwnerHost: hostName},
		"elsewhere": {LabelOwnerPID: dead, LabelOwnerHost: hostName + "-another-machine"},
		"unowned":   nil,
	}
	suffix := randomHex(4)
	for name, owner := range owners {
		if _, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Name: "parley-clean-" + name + "-" + suffix,
			Config: &container.Config{Image: img.Ref, Cmd: []string{"version"}, Labels: labelled(owner)}}); err != nil {
			t.Fatal(err)
		}
		if _, err := cli.NetworkCreate(ctx, "parley-clean-"+name+"-"+suffix, client.NetworkCreateOptions{Labels: labelled(owner)}); err != nil {
			t.Fatal(err)
		}
	}
	// Another parley on this machine starts now, as another test binary's may at any time: it must
	// leave this test's stand-ins to this test.
	other := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCleanAtStartElsewhere$")
	other.Env = append(os.Environ(), "PARLEY_CLEAN_AT_START=1")
	if out, err := other.CombinedOutput(); err != nil {
		t.Fatalf("another process's clean at start: %v\n%s", err, out)
	}
	testImg := "parley.local/cleantest:" + Session()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\nCOPY x /x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := testcontainers.NewDockerProvider()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.BuildImage(ctx, &testcontainers.ContainerRequest{FromDockerfile: testcontainers.FromDockerfile{
		Context: dir, Repo: "parley.local/cleantest", Tag: Session(), KeepImage: true,
		BuildOptionsModifier: func(o *client.ImageBuildOptions) {
			o.Labels = map[string]string{LabelManaged: "true", LabelTestImage: "true", LabelSession: Session()}
			o.Remove, o.ForceRemove = true, true
		}}}); err != nil {
		t.Fatal(err)
	}

	names := func(ls []Leftover) []string {
		var out []string
		for _, l := range ls {
			out = append(out, l.Kind+" "+l.Name)
		}
		slices.Sort(out)
		return out
	}
	want := func(kinds ...string) []string {
		var out []string
		for _, k := range kinds {
			if k == "image" {
				out = append(out, "image "+testImg)
				continue
			}
			out = append(out, "container parley-clean-"+k+"-"+suffix, "network parley-clean-"+k+"-"+suffix)
		}
		slices.Sort(out)
		return out
	}
	filter := LabelSession + "=" + Session()
	check := func(step string, o CleanOptions, removed, left []string) {
		t.Helper()
		o.Filter = filter
		res, err := Clean(ctx, o)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if got := names(res.Removed); !slices.Equal(got, removed) {
			t.Errorf("%s removed %v, want %v", step, got, removed)
		}
		all, err := Leftovers(ctx, filter)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(all)
		if !slices.Equal(all, left) {
			t.Errorf("after %s, Docker holds %v, want %v", step, all, left)
		}
	}
	everything := want("alive", "dead", "elsewhere", "unowned")
	check("a dry run at start", CleanOptions{DryRun: true}, want("dead"), everything)
	env, err := Start(ctx, Options{Image: img.Ref, MocksOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Close(); err != nil {
		t.Fatal(err)
	}
	check("a run's start", CleanOptions{}, nil, want("alive", "elsewhere", "unowned"))
	check("a dry parley clean --unowned", CleanOptions{DryRun: true, Images: true, Unowned: true}, want("image", "unowned"), want("alive", "elsewhere", "unowned"))
	check("parley clean", CleanOptions{Images: true}, want("image"), want("alive", "elsewhere", "unowned"))
	check("parley clean --unowned", CleanOptions{Images: true, Unowned: true}, want("unowned"), want("alive", "elsewhere"))
	if _, err := cli.ImageInspect(ctx, testImg); err == nil {
		t.Errorf("the test image %s is still there", testImg)
	}
	if err := RemoveLeftovers(ctx, filter); err != nil { // the live and the other machine's stand-ins
		t.Fatal(err)
	}
}
