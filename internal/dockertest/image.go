package dockertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// GoImage builds the main package in dir into an image FROM scratch tagged ref: a static binary
// (CGO_ENABLED=0) built with dir as the working directory, so a dir with a go.mod of its own is built as
// its own module with its own dependencies, and Docker's classic builder, so nothing is pulled. labels
// go on the image.
func GoImage(ctx context.Context, dir, ref string, labels map[string]string) error {
	tmp, err := os.MkdirTemp("", "parley-goimage-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	build := exec.CommandContext(ctx, goBin, "build", "-trimpath", "-o", filepath.Join(tmp, "app"), ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build in %s: %v\n%s", dir, err, out)
	}
	df := "FROM scratch\nCOPY app /app\nENTRYPOINT [\"/app\"]\n"
	if err := os.WriteFile(filepath.Join(tmp, "Dockerfile"), []byte(df), 0o644); err != nil {
		return err
	}
	p, err := testcontainers.NewDockerProvider()
	if err != nil {
		return err
	}
	defer p.Close()
	repo, tag, _ := strings.Cut(ref, ":")
	_, err = p.BuildImage(ctx, &testcontainers.ContainerRequest{FromDockerfile: testcontainers.FromDockerfile{
		Context: tmp, Repo: repo, Tag: tag, KeepImage: true,
		BuildOptionsModifier: func(o *client.ImageBuildOptions) {
			o.Labels = labels
			o.Remove, o.ForceRemove = true, true
		}}})
	return err
}
