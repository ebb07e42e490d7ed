// Package golden compares what a test produced with a file checked into the repository, byte for byte,
// and rewrites the file when the test binary runs with -update. Every package whose tests pin bytes
// (payloads, reports, generated docs) uses it, so -update means the same everywhere and a package does
// not register the flag a second time.
package golden

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files with what the tests produce")

// Assert fails t when got differs from the contents of the file at path; with -update it writes got to
// path instead. The error names the test to run with -update to accept a change.
func Assert(t testing.TB, path string, got []byte) {
	t.Helper()
	test, _, _ := strings.Cut(t.Name(), "/")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run '^%s$' -update to create it)", err, test)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not what the test produced (run go test -run '^%s$' -update if the change is intended): %s",
			path, test, Diff(got, want))
	}
}

// Diff describes where got and want first differ: the line number and both versions of that line.
func Diff(got, want []byte) string {
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl []byte
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if i >= len(g) || i >= len(w) || !bytes.Equal(gl, wl) {
			return fmt.Sprintf("line %d\n got: %s\nwant: %s\n(%d lines produced, %d in the file)",
				i+1, line(g, i), line(w, i), len(g), len(w))
		}
	}
	return "no difference"
}

func line(lines [][]byte, i int) string {
	if i >= len(lines) {
		return "(no such line)"
	}
	return fmt.Sprintf("%q", lines[i])
}

// Updating reports whether the test binary runs with -update, for tests that keep files other than
// golden ones (screenshots) only when asked to.
func Updating() bool { return *update }
