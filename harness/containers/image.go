package containers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
# assistant (` + "`bot`" + `). Build it with ` + "`make images`" + `; the harness builds it the same way (BuildImage in
# harness/containers).
FROM scratch
COPY parley /parley
ENTRYPOINT ["/parley"]
`

// The module and the package the image's binary is built from.
const (
	parleyModule  = "github.com/parley-dev/parley"
	parleyPackage = parleyModule + "/cmd/parley"
)

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

// BuildOptions change what BuildImage does besides building the image.
type BuildOptions struct {
	// Log receives the go build and docker build output; nil discards it.
	Log io.Writer
	// Shared also points the shared tags dev and the parley version at the image, and removes the
	// bin-<hash> tags of parley images built more than an hour ago: what parley's own CLI and tests do,
	// so that a developer's engine holds the image of the current source tree under a known name and not
	// one image per past change. Without it the image gets its own bin-<hash> tag only, so that projects
	// and processes building other versions on the same engine never see a tag moved or removed.
	Shared bool
}

// BuildImage builds the parley image from source, or reuses it when an image with the same binary is
// present: it compiles cmd/parley for linux (CGO_ENABLED=0, -trimpath, so the same source gives the same
// bytes) from the source this program uses (parleySource), then builds Dockerfile around it, tagged
// bin-<hash> (and, with o.Shared, dev and the parley version when the build knows it). A process builds
// at most once; later calls return the first result.
//
// The image is built under a tag of its own and given its bin-<hash> tag only if no image has it by then:
// two processes building the same binary at once end with one image under that tag, the first, and the
// other's build is removed with its own tag.
func BuildImage(ctx context.Context, o BuildOptions) (BuiltImage, error) {
	imageCache.Lock()
	defer imageCache.Unlock()
	if imageCache.built != nil {
		return *imageCache.built, nil
	}
	buildLog := o.Log
	if buildLog == nil {
		buildLog = io.Discard
	}
	dockerengine.Defaults()
	dir, err := os.MkdirTemp("", "parley-image-")
	if err != nil {
		return BuiltImage{}, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "parley")
	src, err := parleySource(ctx)
	if err != nil {
		return BuiltImage{}, err
	}
	version := src.version
	args := append([]string{"build", "-trimpath", "-ldflags", "-s -w -X main.version=" + version, "-o", bin}, src.flags...)
	args = append(args, src.pkg)
	cmd := exec.CommandContext(ctx, goCommand(), args...)
	cmd.Dir = src.dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if src.dir != "" {
		cmd.Env = append(cmd.Env, "GOWORK=off") // parley's directory is a main module of its own
	}
	var out captured
	cmd.Stdout, cmd.Stderr = buildLog, io.MultiWriter(buildLog, &out)
	if err := cmd.Run(); err != nil {
		return BuiltImage{}, fmt.Errorf("building the parley binary for the image (go %v in %s): %w\n%s", args, src.where(), err, out.String())
	}
	sum, err := fileSHA256(bin)
	if err != nil {
		return BuiltImage{}, err
	}
	img := BuiltImage{Ref: ImageRepo + ":bin-" + sum[:12]}
	img.Tags = []string{img.Ref}
	if o.Shared {
		img.Tags = append(img.Tags, ImageRepo+":dev")
		if tag := versionTag(version); tag != "" {
			img.Tags = append(img.Tags, ImageRepo+":"+tag)
		}
	}

	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return BuiltImage{}, fmt.Errorf("connecting to Docker: %w", err)
	}
	defer cli.Close()
	if holds(ctx, cli, img.Ref, sum) {
		img.Reused = true
		if err := tagAll(ctx, cli, img.Ref, img.Tags[1:]); err != nil {
			return BuiltImage{}, err
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
	own := ImageRepo + ":build-" + sum[:12] + "-" + randomHex(4)
	req := &testcontainers.ContainerRequest{FromDockerfile: testcontainers.FromDockerfile{
		Context: dir, Repo: ImageRepo, Tag: strings.TrimPrefix(own, ImageRepo+":"), BuildLogWriter: buildLog, KeepImage: true,
		BuildOptionsModifier: func(o *client.ImageBuildOptions) {
			o.Tags = []string{own}
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
	// Another process may have built the same binary meanwhile: its image keeps the tag, and this
	// build, which nothing else knows, goes.
	if holds(ctx, cli, img.Ref, sum) {
		img.Reused = true
	} else if _, err := cli.ImageTag(ctx, client.ImageTagOptions{Source: own, Target: img.Ref}); err != nil {
		return BuiltImage{}, fmt.Errorf("tagging %s as %s: %w", own, img.Ref, err)
	}
	_, _ = cli.ImageRemove(ctx, own, client.ImageRemoveOptions{PruneChildren: true})
	if err := tagAll(ctx, cli, img.Ref, img.Tags[1:]); err != nil {
		return BuiltImage{}, err
	}
	if o.Shared {
		pruneImages(ctx, cli, img.Ref, time.Now().Add(-time.Hour))
	}
	imageCache.built = &img
	return img, nil
}

// holds reports whether ref is an image holding the binary whose SHA-256 is sum.
func holds(ctx context.Context, cli *testcontainers.DockerClient, ref, sum string) bool {
	res, err := cli.ImageInspect(ctx, ref)
	return err == nil && res.Config != nil && res.Config.Labels[LabelBinary] == sum
}

// tagAll gives ref the tags.
func tagAll(ctx context.Context, cli *testcontainers.DockerClient, ref string, tags []string) error {
	for _, t := range tags {
		if _, err := cli.ImageTag(ctx, client.ImageTagOptions{Source: ref, Target: t}); err != nil {
			return fmt.Errorf("tagging %s as %s: %w", ref, t, err)
		}
	}
	return nil
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

// source is where and how the go command builds cmd/parley.
type source struct {
	dir     string   // where it runs; "" is this process's working directory
	pkg     string   // the package to build
	flags   []string // more flags of go build
	version string   // parley's version, for the binary and the image's label
}

func (s source) where() string {
	if s.dir == "" {
		return "the working directory"
	}
	return s.dir
}

// parleySource finds the source of the parley this program uses, and builds cmd/parley there as the main
// module of its own directory, with its own go.sum: the project's go.mod and go.sum, which need not list
// what cmd/parley imports, are neither needed nor touched.
//   - Parley itself (its own tests and CLI): the package by import path, in the working directory; a
//     released parley (go install …@version): that version, from the module cache.
//   - A module that requires parley (a project's tests, parleycontainer): the directory the go command
//     finds parley in from the working directory, a directory parley is replaced by or its version in
//     the module cache. Test binaries record no dependencies, so the go command is asked.
//   - A program run outside the module it was built in: the version its build recorded, fetched into the
//     module cache as `go install …@version` would.
func parleySource(ctx context.Context) (source, error) {
	bi, ok := debug.ReadBuildInfo()
	if ok && bi.Main.Path == parleyModule {
		if v := mainVersion(bi); v != "devel" { // a released parley, installed with go install …@version
			dir, version, err := goModule(ctx, "mod", "download", "-json", parleyModule+"@"+v)
			if err != nil {
				return source{}, fmt.Errorf("fetching parley %s to build the image: %w", v, err)
			}
			return source{dir: dir, pkg: "./cmd/parley", flags: []string{"-mod=readonly"}, version: version}, nil
		}
		return source{pkg: parleyPackage, version: "devel"}, nil
	}
	if dir, version, err := goModule(ctx, "list", "-m", "-json", parleyModule); err == nil && dir != "" {
		return source{dir: dir, pkg: "./cmd/parley", flags: []string{"-mod=readonly"}, version: version}, nil
	}
	if ok {
		for _, d := range bi.Deps {
			if d.Path != parleyModule {
				continue
			}
			if d.Replace != nil && d.Replace.Version == "" && filepath.IsAbs(d.Replace.Path) {
				return source{dir: d.Replace.Path, pkg: "./cmd/parley", flags: []string{"-mod=readonly"}, version: "devel"}, nil
			}
			m := d
			if d.Replace != nil {
				m = d.Replace
			}
			dir, version, err := goModule(ctx, "mod", "download", "-json", m.Path+"@"+m.Version)
			if err != nil {
				return source{}, fmt.Errorf("fetching parley %s to build the image: %w", m.Version, err)
			}
			return source{dir: dir, pkg: "./cmd/parley", flags: []string{"-mod=readonly"}, version: version}, nil
		}
	}
	return source{pkg: parleyPackage, version: "devel"}, nil
}

// goModule runs a go command that describes a module in JSON (go list -m -json, go mod download -json)
// and returns its directory and version ("devel" for a directory that replaces it).
func goModule(ctx context.Context, args ...string) (dir, version string, err error) {
	cmd := exec.CommandContext(ctx, goCommand(), args...)
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var stderr captured
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", "", fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var m struct {
		Dir     string
		Version string
		Replace *struct {
			Dir     string
			Version string
		}
	}
	if err := json.Unmarshal(out, &m); err != nil {
		return "", "", fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	if m.Replace != nil {
		m.Dir, m.Version = m.Replace.Dir, m.Replace.Version
	}
	if m.Version == "" {
		m.Version = "devel"
	}
	return m.Dir, m.Version, nil
}

// mainVersion is the version of the main module as its build knows it, "devel" when it knows none.
func mainVersion(bi *debug.BuildInfo) string {
	if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
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
