package harness

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/parley-dev/parley/internal/dockerengine"
	"github.com/testcontainers/testcontainers-go"
)

// ImageRepo is the name of the image parley builds for itself. The registry part (parley.local) is not a
// registry anyone serves: it keeps the name from being rewritten by TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX
// and makes clear the image was never pulled.
const ImageRepo = "parley.local/parley"

// Image labels. LabelBinary is the SHA-256 of the parley binary inside, so an image is reused only when
// it holds exactly the binary this source tree builds.
const (
	LabelBinary = "dev.parley.binary-sha256"
	// LabelManaged is on everything parley creates in Docker (images, containers, networks).
	LabelManaged = "dev.parley.managed"
	// LabelRun names the environment a container or network belongs to.
	LabelRun = "dev.parley.run"
	// LabelRole says what a container is: mocks or assistant.
	LabelRole = "dev.parley.role"
	// LabelSession names the process that created a container or network (Session), so a test binary
	// checks for its own leftovers while other binaries run theirs at the same time.
	LabelSession = "dev.parley.session"
)

var session = randomHex(8)

// Session is this process's value of LabelSession.
func Session() string { return session }

// Dockerfile is the image's recipe, the same as the repository's Dockerfile: FROM scratch with no
// `# syntax=` line, so the classic builder makes it without pulling anything.
const Dockerfile = `# The parley image: the static parley binary (CGO_ENABLED=0) and nothing else, so that it builds offline
# with the classic builder and pulls no image. The same image runs the mocks (` + "`serve`" + `) and the reference
# assistant (` + "`bot`" + `). Build it with ` + "`make images`" + `; the harness builds it the same way (harness.BuildImage).
FROM scratch
COPY parley /parley
ENTRYPOINT ["/parley"]
`

// parleyPackage is what is built; by import path, so a project that imports parley builds the version it
// requires, from its module cache.
const parleyPackage = "github.com/parley-dev/parley/cmd/parley"

// BuiltImage is the outcome of BuildImage.
type BuiltImage struct {
	Ref    string // the reference to run: parley.local/parley:bin-<first 12 hex of the binary's hash>
	Tags   []string
	Reused bool // an image with this binary was already present; nothing was built
}

var imageCache struct {
	sync.Mutex
	built *BuiltImage
}

// BuildImage builds the parley image from source, or reuses it when an image with the same binary is
// present: it compiles cmd/parley for linux (CGO_ENABLED=0, -trimpath, so the same source gives the same
// bytes), then builds Dockerfile around it, tagged dev, the parley version (when the build knows it) and
// bin-<hash>. A process builds at most once; later calls return the first result. buildLog, when not nil,
// receives the go build and docker build output.
func BuildImage(ctx context.Context, buildLog io.Writer) (BuiltImage, error) {
	imageCache.Lock()
	defer imageCache.Unlock()
	if imageCache.built != nil {
		return *imageCache.built, nil
	}
	if buildLog == nil {
		buildLog = io.Discard
	}
	dockerengine.Defaults()
	dir, err := os.MkdirTemp("", "parley-image-")
	if err != nil {
		return BuiltImage{}, err
	}
	defer os.RemoveAll(dir)
	version := moduleVersion()
	bin := filepath.Join(dir, "parley")
	args := []string{"build", "-trimpath", "-ldflags", "-s -w -X main.version=" + version, "-o", bin, parleyPackage}
	cmd := exec.CommandContext(ctx, goCommand(), args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	cmd.Stdout, cmd.Stderr = buildLog, buildLog
	var out captured
	cmd.Stderr = io.MultiWriter(buildLog, &out)
	if err := cmd.Run(); err != nil {
		return BuiltImage{}, fmt.Errorf("building the parley binary for the image (go %v): %w\n%s", args, err, out.String())
	}
	sum, err := fileSHA256(bin)
	if err != nil {
		return BuiltImage{}, err
	}
	img := BuiltImage{Ref: ImageRepo + ":bin-" + sum[:12]}
	img.Tags = []string{img.Ref, ImageRepo + ":dev"}
	if tag := versionTag(version); tag != "" {
		img.Tags = append(img.Tags, ImageRepo+":"+tag)
	}

	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return BuiltImage{}, fmt.Errorf("connecting to Docker: %w", err)
	}
	defer cli.Close()
	if res, err := cli.ImageInspect(ctx, img.Ref); err == nil && res.Config != nil && res.Config.Labels[LabelBinary] == sum {
		img.Reused = true
		for _, t := range img.Tags[1:] { // point dev (and the version) at the image of this source tree
			if _, err := cli.ImageTag(ctx, client.ImageTagOptions{Source: img.Ref, Target: t}); err != nil {
				return BuiltImage{}, fmt.Errorf("tagging %s as %s: %w", img.Ref, t, err)
			}
		}
		imageCache.built = &img
		return img, nil
	}

	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(Dockerfile), 0o644); err != nil {
		return BuiltImage{}, err
	}
	p, err := testcontainers.NewDockerProvider()
	if err != nil {
		return BuiltImage{}, fmt.Errorf("connecting to Docker: %w", err)
	}
	defer p.Close()
	req := &testcontainers.ContainerRequest{FromDockerfile: testcontainers.FromDockerfile{
		Context: dir, Repo: ImageRepo, Tag: "bin-" + sum[:12], BuildLogWriter: buildLog, KeepImage: true,
		BuildOptionsModifier: func(o *client.ImageBuildOptions) {
			o.Tags = img.Tags
			if o.Labels == nil {
				o.Labels = map[string]string{}
			}
			o.Labels[LabelBinary] = sum
			o.Labels[LabelManaged] = "true"
			o.Labels["org.opencontainers.image.version"] = version
			o.Remove, o.ForceRemove = true, true // no intermediate containers left behind
		},
	}}
	if _, err := p.BuildImage(ctx, req); err != nil {
		return BuiltImage{}, fmt.Errorf("building image %s: %w", img.Ref, err)
	}
	pruneImages(ctx, cli, img.Ref, time.Now().Add(-time.Hour))
	imageCache.built = &img
	return img, nil
}

// pruneImages removes the bin-<hash> tags of parley's images other than keep that were built before
// cutoff, so that images of past source trees do not pile up (one per change). The cutoff spares an
// image another test binary of the same run may still be starting containers from; an image in use by a
// container is refused by Docker and kept. Errors are ignored: pruning is housekeeping.
func pruneImages(ctx context.Context, cli *testcontainers.DockerClient, keep string, cutoff time.Time) {
	list, err := cli.ImageList(ctx, client.ImageListOptions{Filters: make(client.Filters).Add("reference", ImageRepo).Add("label", LabelManaged+"=true")})
	if err != nil {
		return
	}
	for _, im := range list.Items {
		if time.Unix(im.Created, 0).After(cutoff) {
			continue
		}
		for _, tag := range im.RepoTags {
			if tag != keep && strings.HasPrefix(tag, ImageRepo+":bin-") {
				_, _ = cli.ImageRemove(ctx, tag, client.ImageRemoveOptions{PruneChildren: true})
			}
		}
	}
}

// moduleVersion is parley's version as this build knows it: the required version when parley is a
// dependency, else the main module's, else "devel".
func moduleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	for _, d := range bi.Deps {
		if d.Path == "github.com/parley-dev/parley" && d.Version != "" {
			return d.Version
		}
	}
	if bi.Main.Path == "github.com/parley-dev/parley" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

var badTagChars = regexp.MustCompile(`[^A-Za-z0-9_.-]`)

// versionTag is a Docker tag for a version; empty when there is no version worth a tag.
func versionTag(v string) string {
	if v == "" || v == "devel" {
		return ""
	}
	t := badTagChars.ReplaceAllString(v, "-")
	if len(t) > 128 {
		t = t[:128]
	}
	return t
}

func goCommand() string {
	if g := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(g) {
		return g
	}
	return "go"
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// captured keeps the last 8 KiB written to it, for error messages.
type captured struct{ b []byte }

func (c *captured) Write(p []byte) (int, error) {
	c.b = append(c.b, p...)
	if len(c.b) > 8<<10 {
		c.b = c.b[len(c.b)-8<<10:]
	}
	return len(p), nil
}

func (c *captured) String() string { return string(c.b) }

// DockerAvailable reports whether a Docker engine answers (the one DOCKER_HOST names, when it is set);
// the error says why not.
func DockerAvailable(ctx context.Context) error { return dockerengine.Available(ctx) }

// ImageMissingError is an image that is not on the Docker engine. Parley pulls nothing (the images run
// offline), so an image that is not there cannot be run at all.
type ImageMissingError struct {
	Image string
	Err   error // the engine's answer
}

func (e *ImageMissingError) Error() string {
	// Some engines say it twice ("no such image: x: No such image: x"); once is enough.
	msg := strings.TrimPrefix(e.Err.Error(), "Error response from daemon: ")
	if h := len(msg) / 2; len(msg)%2 == 0 && h > 1 && msg[h-1:h+1] == ": " && strings.EqualFold(msg[:h-1], msg[h+1:]) {
		msg = msg[h+1:]
	}
	return fmt.Sprintf("the image %q is not on the Docker engine (%s); build it or docker load it first: parley pulls nothing", e.Image, msg)
}

func (e *ImageMissingError) Unwrap() error { return e.Err }

// ImagesPresent checks that each image is on the Docker engine the containers would run on (DOCKER_HOST
// when set), so that a misspelt or never-built image fails once and at once rather than in every
// environment. An image that is not there is an *ImageMissingError; several are joined.
func ImagesPresent(ctx context.Context, images ...string) error {
	dockerengine.Defaults()
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return fmt.Errorf("connecting to Docker: %w", err)
	}
	defer cli.Close()
	var errs []error
	for _, img := range images {
		if _, err := cli.ImageInspect(ctx, img); err != nil {
			if cerrdefs.IsNotFound(err) {
				errs = append(errs, &ImageMissingError{Image: img, Err: err})
			} else {
				errs = append(errs, fmt.Errorf("looking for the image %q on the Docker engine: %w", img, err))
			}
		}
	}
	return errors.Join(errs...)
}
