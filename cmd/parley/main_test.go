package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func runArgs(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(string) string { return "" }, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestVersion(t *testing.T) {
	out, _, err := runArgs(t, "version")
	if err != nil || !strings.HasPrefix(out, "parley ") {
		t.Fatalf("version = %q, %v", out, err)
	}
	if _, _, err := runArgs(t, "version", "extra"); exitCode(err) != 2 {
		t.Errorf("version with an argument: exit %d, want 2", exitCode(err))
	}
}

func TestUnknownCommand(t *testing.T) {
	_, stderr, err := runArgs(t, "certfy")
	if exitCode(err) != 2 || !strings.Contains(err.Error(), `"certfy"`) || !strings.Contains(stderr, "Commands:") {
		t.Errorf("unknown command: exit %d, err %v, stderr %q", exitCode(err), err, stderr)
	}
	_, stderr, err = runArgs(t)
	if exitCode(err) != 2 || !strings.Contains(stderr, "version") {
		t.Errorf("no arguments: exit %d, stderr %q", exitCode(err), stderr)
	}
	out, _, err := runArgs(t, "help")
	if err != nil || !strings.Contains(out, "version") {
		t.Errorf("help: %q, %v", out, err)
	}
}
