package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/parley-dev/parley/harness/containers"
	"github.com/parley-dev/parley/internal/dockerengine"
)

const cleanUsage = `Usage: parley clean [flags]

Lists and removes what containers runs left in Docker: the containers and networks parley created whose
process is gone (a run killed before it could remove them, with its ports still published), and the
images parley's own tests built. With --unowned, also those that name no owner: made by a parley from
before owners were recorded, which may still be running. A run still going on this machine, and anything
made from another machine, is listed and kept. The parley image is kept: runs reuse it.

Every containers run already removes, before it starts, what killed runs of this machine left.

Examples:
  parley clean --dry-run           # what would go
  parley clean
  parley clean --unowned           # also what an earlier parley made

Flags:
`

// runClean removes parley's leftovers from Docker (containers.Clean) and says what went and what stayed.
func runClean(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("clean", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dryRun := fs.Bool("dry-run", false, "list what would be removed, and remove nothing")
	unowned := fs.Bool("unowned", false, "also remove containers and networks that name no owner (made by an earlier parley)")
	fs.Usage = func() {
		fmt.Fprint(stderr, cleanUsage)
		fs.PrintDefaults()
	}
	if err := flagsFromEnv(fs, getenv); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError("clean: %v", err)
	}
	if fs.NArg() > 0 {
		return usageError("clean takes no arguments, got %q", fs.Args())
	}
	// testcontainers announces every connection on stderr; this command's output is its list alone.
	tclog.SetDefault(tclog.NewNoopLogger())
	if err := dockerengine.Available(ctx); err != nil {
		return fmt.Errorf("clean: %w", err)
	}
	res, err := containers.Clean(ctx, containers.CleanOptions{DryRun: *dryRun, Images: true, Unowned: *unowned})
	verb := "removed"
	if *dryRun {
		verb = "would remove"
	}
	for _, l := range res.Removed {
		fmt.Fprintf(stdout, "%s %s\n", verb, l)
	}
	for _, l := range res.Kept {
		fmt.Fprintf(stdout, "kept %s\n", l)
	}
	if len(res.Removed)+len(res.Kept) == 0 {
		fmt.Fprintln(stdout, "nothing of parley's in Docker")
	}
	if err != nil {
		return fmt.Errorf("clean: %w", err)
	}
	return nil
}
