package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-dev/parley/internal/golden"
)

// transcript runs parley with args as a user would see it: the command, stdout, stderr with the line
// main adds for an error, and the exit status.
func transcript(t *testing.T, args ...string) []byte {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(string) string { return "" }, &out, &errOut)
	if err != nil && !errors.Is(err, errSilent) {
		fmt.Fprintln(&errOut, "parley:", err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "$ parley %s\n", strings.Join(args, " "))
	if out.Len() > 0 {
		fmt.Fprintf(&b, "--- stdout\n%s", out.String())
	}
	if errOut.Len() > 0 {
		fmt.Fprintf(&b, "--- stderr\n%s", errOut.String())
	}
	code := 0
	if err != nil {
		code = exitCode(err)
	}
	fmt.Fprintf(&b, "--- exit %d\n", code)
	return b.Bytes()
}

// TestCLIGolden pins what people see at the command line: every problem of every feature file with
// file:line and a fix (lint, and certify before it runs anything); one line and a hint for a wrong flag
// rather than the whole usage; the commands for a bare parley; help that is not an error.
func TestCLIGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"lint", []string{"lint", "testdata/lint"}},
		{"lint-good", []string{"lint", "testdata/lint/good"}},
		{"lint-one-file", []string{"lint", "testdata/lint/broken/typo.feature"}},
		{"lint-missing", []string{"lint", "testdata/lint/nowhere"}},
		{"certify-features", []string{"certify", "--features", "testdata/lint"}},
		{"certify-unknown-flag", []string{"certify", "--bogus"}},
		{"load-bad-value", []string{"load", "--customers", "many"}},
		{"report-unknown-flag", []string{"report", "verify", "--key", "k.pem"}},
		{"rules-one", []string{"rules", "WA-OPTOUT-01"}},
		{"rules-one-es", []string{"rules", "--lang", "es", "GDPR-ERASE-01"}},
		{"rules-unknown", []string{"rules", "WA-OPTOUT-09"}},
		{"no-command", nil},
		{"version-help", []string{"version", "-h"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			golden.Assert(t, filepath.Join("testdata", "cli", tc.name+".golden"), transcript(t, tc.args...))
		})
	}
}
