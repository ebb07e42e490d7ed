package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise it comes from the module
// build information.
var version = ""

// parleyVersion returns parley's version: the one set at build time, the module version, or "devel".
func parleyVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

func runVersion(_ context.Context, args []string, _ func(string) string, stdout, _ io.Writer) error {
	if len(args) > 0 {
		return usageError("version takes no arguments, got %q", args)
	}
	_, err := fmt.Fprintf(stdout, "parley %s %s %s/%s\n", parleyVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}
