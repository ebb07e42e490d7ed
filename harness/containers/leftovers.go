package containers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// Owner labels, on every container and network parley creates: the process that created it and its
// machine's host name. A run killed before Close leaves its containers running, ports published, for
// ever (there is no reaper); with these labels a later run on the same machine tells a dead run's
// leftovers (owner gone) from a live run's resources, and removes only the former.
const (
	LabelOwnerPID  = "dev.parley.owner-pid"
	LabelOwnerHost = "dev.parley.owner-host"
	// LabelTestImage marks an image built by parley's own tests (stand-ins for a vendor's assistant):
	// parley clean removes them, and leaves the parley image, which runs are reused from, alone.
	LabelTestImage = "dev.parley.test-image"
)

// hostName is this machine's name as the owner labels carry it.
var hostName = func() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "unknown"
	}
	return h
}()

// ownerLabels are the labels naming this process as the owner of what it creates.
func ownerLabels() map[string]string {
	return map[string]string{LabelOwnerPID: strconv.Itoa(os.Getpid()), LabelOwnerHost: hostName}
}

// ownerState says whether the process named by a resource's owner labels still runs.
type ownerState int

const (
	ownerAlive   ownerState = iota // on this machine and running, or on this machine and not checkable
	ownerGone                      // on this machine and no longer running
	ownerElse                      // on another machine: nothing here can tell
	ownerUnknown                   // no owner labels (made by a parley before they existed)
)

func (s ownerState) String() string {
	return [...]string{"its process still runs", "its process is gone", "made on another machine",
		"no owner recorded: made by an earlier parley, perhaps still running; --unowned removes it"}[s]
}

func ownerOf(labels map[string]string) ownerState {
	pidText, host := labels[LabelOwnerPID], labels[LabelOwnerHost]
	if pidText == "" || host == "" {
		return ownerUnknown
	}
	if host != hostName {
		return ownerElse
	}
	pid, err := strconv.Atoi(pidText)
	if err != nil || pid <= 0 {
		return ownerUnknown
	}
	if processRuns(pid) {
		return ownerAlive
	}
	return ownerGone
}

// Leftover is a container, network or image that parley made and that clean-up found.
type Leftover struct {
	Kind   string // container, network or image
	Name   string
	ID     string
	Reason string // why it is removed, or kept
}

func (l Leftover) String() string { return fmt.Sprintf("%s %s (%s)", l.Kind, l.Name, l.Reason) }

// CleanOptions say what Clean removes. The zero value removes what every run removes at start.
type CleanOptions struct {
	// DryRun lists what would be removed and removes nothing.
	DryRun bool
	// Unowned also removes the containers and networks that name no owner: made by a parley from before
	// the owner labels, they may still be in use by such a parley, so only on request.
	Unowned bool
	// Images also removes the images parley's tests built (LabelTestImage).
	Images bool
	// Filter ("key=value") limits clean-up to what carries that label too, e.g. one test binary's
	// LabelSession; empty for everything parley made.
	Filter string
}

// CleanResult is what Clean found.
type CleanResult struct {
	Removed []Leftover // removed, or to be removed with DryRun
	Kept    []Leftover // parley's, but not leftovers: a live run's, or another machine's
}

// Clean removes parley's leftovers: containers and networks labelled by parley whose owning process is
// gone (killed before it could remove them), and as o asks, those with no owner recorded and the images
// parley's tests built. Everything else of parley's is kept and listed with the reason: a live run's,
// another machine's. Containers go first, so that their networks are free to go.
func Clean(ctx context.Context, o CleanOptions) (CleanResult, error) {
	var res CleanResult
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return res, err
	}
	defer cli.Close()
	remove := func(s ownerState) bool { return s == ownerGone || (o.Unowned && s == ownerUnknown) }
	managed := make(client.Filters).Add("label", LabelManaged+"=true")
	testImages := make(client.Filters).Add("label", LabelTestImage+"=true")
	if o.Filter != "" {
		managed.Add("label", o.Filter)
		testImages.Add("label", o.Filter)
	}
	var errs []error

	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: managed})
	if err != nil {
		return res, fmt.Errorf("listing parley's containers: %w", err)
	}
	for _, c := range cs.Items {
		s := ownerOf(c.Labels)
		l := Leftover{Kind: "container", Name: strings.TrimPrefix(strings.Join(c.Names, ","), "/"), ID: c.ID, Reason: s.String()}
		if !remove(s) {
			res.Kept = append(res.Kept, l)
			continue
		}
		if !o.DryRun {
			if _, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
				errs = append(errs, fmt.Errorf("removing %s: %w", l.Name, err))
				continue
			}
		}
		res.Removed = append(res.Removed, l)
	}

	ns, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: managed})
	if err != nil {
		return res, fmt.Errorf("listing parley's networks: %w", err)
	}
	for _, n := range ns.Items {
		s := ownerOf(n.Labels)
		l := Leftover{Kind: "network", Name: n.Name, ID: n.ID, Reason: s.String()}
		if !remove(s) {
			res.Kept = append(res.Kept, l)
			continue
		}
		if !o.DryRun {
			if _, err := cli.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{}); err != nil {
				errs = append(errs, fmt.Errorf("removing network %s: %w", n.Name, err))
				continue
			}
		}
		res.Removed = append(res.Removed, l)
	}

	if !o.Images {
		return res, errors.Join(errs...)
	}
	ims, err := cli.ImageList(ctx, client.ImageListOptions{Filters: testImages})
	if err != nil {
		return res, errors.Join(append(errs, fmt.Errorf("listing the images parley's tests built: %w", err))...)
	}
	for _, im := range ims.Items {
		name := im.ID
		if tags := slices.DeleteFunc(slices.Clone(im.RepoTags), func(t string) bool { return t == "<none>:<none>" }); len(tags) > 0 {
			name = strings.Join(tags, ",")
		}
		l := Leftover{Kind: "image", Name: name, ID: im.ID, Reason: "built by parley's tests"}
		if !o.DryRun {
			// Not forced: an image a kept container still runs stays, and the error says so.
			if _, err := cli.ImageRemove(ctx, im.ID, client.ImageRemoveOptions{PruneChildren: true}); err != nil {
				errs = append(errs, fmt.Errorf("removing image %s: %w", name, err))
				continue
			}
		}
		res.Removed = append(res.Removed, l)
	}
	return res, errors.Join(errs...)
}

// removeDeadRuns removes, before a run starts, what runs of this machine that were killed before their
// Close left behind. It never fails the run: what it could not remove is logged, and parley clean can
// be run by hand.
func removeDeadRuns(ctx context.Context, log *slog.Logger) {
	res, err := Clean(ctx, CleanOptions{})
	for _, l := range res.Removed {
		log.Info("removed what a killed run left", "what", l.Kind, "name", l.Name)
	}
	if err != nil {
		log.Warn("could not remove what a killed run left (try parley clean)", "error", err)
	}
}

// remoteEngine reports whether DOCKER_HOST names an engine reached over TCP on another machine, where
// ports published on loopback cannot be reached from here. A socket, or TCP to this machine's loopback,
// is local.
func remoteEngine(dockerHost string) bool {
	u, err := url.Parse(dockerHost)
	if err != nil || (u.Scheme != "tcp" && u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return false
	}
	ip := net.ParseIP(h)
	return ip == nil || !ip.IsLoopback()
}
