package main

import (
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestEveryCommandRefusesExposedMocksWithoutToken: serve, certify and load, in every mode, refuse a mock
// address beyond loopback without a control token before anything starts, with the same message: one
// check for every command that starts mocks.
func TestEveryCommandRefusesExposedMocksWithoutToken(t *testing.T) {
	exposed := []string{"--whatsapp", "0.0.0.0:0", "--dialogflow", "", "--dlp", ""}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"serve", append([]string{"serve"}, exposed...)},
		{"certify embedded", append([]string{"certify", "--out", "OUT"}, exposed...)},
		{"certify by URL", append([]string{"certify", "--out", "OUT", "--bot-url", "http://127.0.0.1:1"}, exposed...)},
		{"load embedded", append([]string{"load", "--customers", "1"}, exposed...)},
		{"load by URL", append([]string{"load", "--customers", "1", "--bot-url", "http://127.0.0.1:1"}, exposed...)},
		{"load in containers", append([]string{"load", "--customers", "1", "--mode", "containers"}, exposed...)},
		{"load, dlp exposed", []string{"load", "--customers", "1", "--dlp", "[::]:0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			out := filepath.Join(t.TempDir(), "report")
			for i, a := range tc.args {
				if a == "OUT" {
					tc.args[i] = out
				}
			}
			err := run(ctx, tc.args, func(string) string { return "" }, io.Discard, io.Discard)
			if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "listens beyond loopback") {
				t.Fatalf("err %v (exit %d), want the usage error of an exposed mock", err, exitCode(err))
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("a report folder was made before the check: %v", err)
			}
		})
	}
}

// TestControlTokenSources: the token comes from --control-token, PARLEY_CONTROL_TOKEN or
// --control-token-file (so that it need not show in the process list); a blank one, a file and a flag
// together, or an unreadable, oversized or non-regular file (a FIFO is refused at once, not waited on)
// are usage errors.
func TestControlTokenSources(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("token", "s3cr3t-from-file\n")
	blank := write("blank", " \n\t\n")
	huge := write("huge", strings.Repeat("a", 64<<10))
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		want    string // the token the mocks get
		refused string // part of the usage error, when refused
	}{
		{name: "flag", args: []string{"--control-token", "s3cr3t"}, want: "s3cr3t"},
		{name: "environment", env: map[string]string{"PARLEY_CONTROL_TOKEN": "from-env"}, want: "from-env"},
		{name: "file", args: []string{"--control-token-file", good}, want: "s3cr3t-from-file"},
		{name: "file from the environment", env: map[string]string{"PARLEY_CONTROL_TOKEN_FILE": good}, want: "s3cr3t-from-file"},
		{name: "none", want: ""},
		{name: "one space", args: []string{"--control-token", " "}, refused: "blank"},
		{name: "blank from the environment", env: map[string]string{"PARLEY_CONTROL_TOKEN": "\t"}, refused: "blank"},
		{name: "spaces around", args: []string{"--control-token", " s3cr3t"}, refused: "printable"},
		{name: "a control character", args: []string{"--control-token", "s3\x01cr3t"}, refused: "printable"},
		{name: "blank file", args: []string{"--control-token-file", blank}, refused: "blank"},
		{name: "missing file", args: []string{"--control-token-file", filepath.Join(dir, "nope")}, refused: "--control-token-file"},
		{name: "oversized file", args: []string{"--control-token-file", huge}, refused: "over"},
		{name: "a FIFO with no writer", args: []string{"--control-token-file", fifo}, refused: "not a regular file"},
		{name: "file and flag", args: []string{"--control-token", "a", "--control-token-file", good}, refused: "not both"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c serveConfig
			parseServeFlags(t, &c, tc.env, tc.args)
			err := c.check()
			if tc.refused != "" {
				if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), tc.refused) {
					t.Fatalf("err %v (exit %d), want a usage error with %q", err, exitCode(err), tc.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.ControlToken != tc.want {
				t.Errorf("token %q, want %q", c.ControlToken, tc.want)
			}
		})
	}
}

// TestServeWithTokenFileExposed: a token from a file lets serve listen beyond loopback, as the flag does.
func TestServeWithTokenFileExposed(t *testing.T) {
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("tok-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &lineWriter{lines: make(chan string, 16)}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"serve", "--whatsapp", "0.0.0.0:0", "--dialogflow", "", "--dlp", "", "--control-token-file", file},
			func(string) string { return "" }, out, io.Discard)
	}()
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
	select {
	case line := <-out.lines:
		if !strings.Contains(line, "whatsapp mock listening on") {
			t.Fatalf("serve said %q", line)
		}
	case err := <-errc:
		t.Fatalf("serve returned early: %v", err)
	case <-deadline.C:
		t.Fatal("serve announced nothing")
	}
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// parseServeFlags parses args and env into c as the commands do.
func parseServeFlags(t *testing.T, c *serveConfig, env map[string]string, args []string) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.flags(fs)
	if err := flagsFromEnv(fs, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
}
