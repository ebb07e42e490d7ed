package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

const bombFeature = "Feature: f\n  Scenario Outline: o\n    Given a customer \"Ana\" with phone \"+34 600 000 001\" who speaks Spanish\n    When \"Ana\" says \"<t>\"\n\n    Examples:\n      | t |\n"

// A --features folder that would exhaust memory or hang is refused at once, in one line, exit status 2.
func TestCertifyFeatureBombs(t *testing.T) {
	folder := func(t *testing.T, rows int) string {
		dir := t.TempDir()
		var b strings.Builder
		b.WriteString(bombFeature)
		for i := range rows {
			fmt.Fprintf(&b, "      | hola %d |\n", i)
		}
		if err := os.WriteFile(filepath.Join(dir, "a.feature"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	zero := folder(t, 1)
	if err := os.Symlink("/dev/zero", filepath.Join(zero, "z.feature")); err != nil {
		t.Fatal(err)
	}
	fifo := folder(t, 1)
	if err := syscall.Mkfifo(filepath.Join(fifo, "f.feature"), 0o644); err != nil {
		t.Fatal(err)
	}
	long := folder(t, 0)
	if err := os.WriteFile(filepath.Join(long, "a.feature"), []byte(bombFeature+"      | "+strings.Repeat("x", 65530)+" |\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"symlink to /dev/zero", []string{"--features", zero}, "z.feature: not a regular file (a character device)"},
		{"FIFO", []string{"--features", fifo}, "f.feature: not a regular file (a FIFO)"},
		{"a line of 65,530 bytes", []string{"--features", long}, "a.feature:8: the line is longer than 32768 bytes"},
		{"more scenarios than the limit", []string{"--features", folder(t, 11), "--max-scenarios", "10"}, "more than 10 scenarios"},
		{"a limit of none", []string{"--features", folder(t, 1), "--max-scenarios", "0"}, "--max-scenarios 0: want 1 or more"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runEnv(t, nil, append([]string{"certify", "--out", filepath.Join(t.TempDir(), "out")}, tc.args...)...)
			// A clear error: a few lines at most (the lint's listing: the problem, its fix, a count),
			// never a stack trace.
			if exitCode(err) != 2 || err == nil || !strings.Contains(err.Error(), tc.want) ||
				strings.Count(err.Error(), "\n") > 5 || strings.Contains(err.Error(), "goroutine ") {
				t.Fatalf("exit %d, %v; want a short error containing %q", exitCode(err), err, tc.want)
			}
		})
	}
	t.Run("the limit raised", func(t *testing.T) {
		_, _, err := runEnv(t, nil, "certify", "--features", folder(t, 11), "--max-scenarios", "11", "--tags", "@nothing", "--out", filepath.Join(t.TempDir(), "out"))
		if err == nil || !strings.Contains(err.Error(), "selects no scenario") {
			t.Fatalf("got %v, want the suite loaded and the tags refused", err)
		}
	})
}

// Ctrl-C while a folder loads stops the command with a clear error.
func TestCertifyFeaturesInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.feature"), []byte(bombFeature+"      | a |\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut strings.Builder
	err := run(ctx, []string{"certify", "--features", dir, "--out", filepath.Join(t.TempDir(), "out")}, func(string) string { return "" }, &out, &errOut)
	if exitCode(err) != 2 || !strings.Contains(fmt.Sprint(err), "stopped while loading") || !strings.Contains(fmt.Sprint(err), context.Canceled.Error()) {
		t.Fatalf("exit %d, %v", exitCode(err), err)
	}
}
