package steps

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"
)

const oneScenario = "Feature: f\n  Scenario: s\n    Given a customer \"Ana\" with phone \"+34 600 000 001\" who speaks Spanish\n"

// A line the Gherkin parser cannot take is a problem at its line, not a panic.
func TestLintFileLongLine(t *testing.T) {
	for _, n := range []int{MaxLineBytes + 1, 65530, 70000, 1 << 20} {
		content := oneScenario + "    When \"Ana\" says \"" + strings.Repeat("a", n) + "\"\n"
		ps := LintFile("long.feature", []byte(content))
		if len(ps) != 1 || ps[0].Line != 4 || !strings.Contains(ps[0].Message, "longer than") {
			t.Fatalf("a %d-byte line: %+v", n, ps)
		}
		if _, err := Scenarios(fstest.MapFS{"long.feature": {Data: []byte(content)}}, []string{"long.feature"}); err == nil || !strings.Contains(err.Error(), "long.feature:4") {
			t.Fatalf("Scenarios of a %d-byte line: %v", n, err)
		}
	}
	if ps := LintFile("ok.feature", []byte(oneScenario+"    When \"Ana\" says \""+strings.Repeat("a", 4096)+"\"\n")); len(ps) != 0 {
		t.Fatalf("a 4,096-character message: %+v", ps)
	}
}

func bombFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.feature"), []byte(oneScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestReadFeaturesRefusesBombs(t *testing.T) {
	ctx := context.Background()
	t.Run("symlink to /dev/zero", func(t *testing.T) {
		dir := bombFolder(t)
		if err := os.Symlink("/dev/zero", filepath.Join(dir, "z.feature")); err != nil {
			t.Fatal(err)
		}
		_, err := ReadFeatures(ctx, os.DirFS(dir), Limits{}, nil)
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "z.feature") || !strings.Contains(err.Error(), "character device") {
			t.Fatalf("got %v", err)
		}
		if _, ps := Lint(os.DirFS(dir), "."); len(ps) != 1 || !strings.Contains(ps[0].String(), "not a regular file") {
			t.Fatalf("Lint: %+v", ps)
		}
	})
	t.Run("FIFO", func(t *testing.T) {
		dir := bombFolder(t)
		if err := syscall.Mkfifo(filepath.Join(dir, "f.feature"), 0o644); err != nil {
			t.Skipf("no FIFO here: %v", err)
		}
		// Opening a FIFO for reading blocks until a writer comes: the test would hang if it were opened.
		_, err := ReadFeatures(ctx, os.DirFS(dir), Limits{}, nil)
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "FIFO") {
			t.Fatalf("got %v", err)
		}
		if _, ps := Lint(os.DirFS(dir), "."); len(ps) != 1 || !strings.Contains(ps[0].String(), "FIFO") {
			t.Fatalf("Lint: %+v", ps)
		}
	})
	t.Run("FIFO put in place of a file after it was checked", func(t *testing.T) {
		dir := bombFolder(t)
		fifo := filepath.Join(dir, "f.feature")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Skipf("no FIFO here: %v", err)
		}
		// swapped says f.feature is a regular file when it is looked at, as it was before the swap.
		swapped := swappedFS{FS: DirFS(dir), name: "f.feature"}
		done := make(chan error, 1)
		go func() { _, err := ReadFeatures(ctx, swapped, Limits{}, nil); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "FIFO") {
				t.Fatalf("got %v", err)
			}
		case <-time.After(10 * time.Second):
			// Free the blocked open before failing, so that nothing is left behind.
			if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
				w.Close()
			}
			t.Fatal("opening the FIFO blocked")
		}
	})
	t.Run("symlink to a regular file", func(t *testing.T) {
		dir := bombFolder(t)
		if err := os.Symlink("a.feature", filepath.Join(dir, "b.feature")); err != nil {
			t.Fatal(err)
		}
		got, err := ReadFeatures(ctx, os.DirFS(dir), Limits{}, nil)
		if err != nil || len(got) != 2 || string(got["b.feature"].Data) != oneScenario {
			t.Fatalf("got %v, %v", got, err)
		}
	})
	t.Run("a file over the limit", func(t *testing.T) {
		dir := bombFolder(t)
		big := oneScenario + strings.Repeat("# padding\n", 200)
		if err := os.WriteFile(filepath.Join(dir, "big.feature"), []byte(big), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadFeatures(ctx, os.DirFS(dir), Limits{FileBytes: 1000}, nil)
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "big.feature") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("a suite over the limit", func(t *testing.T) {
		dir := bombFolder(t)
		for _, n := range []string{"b", "c", "d"} {
			if err := os.WriteFile(filepath.Join(dir, n+".feature"), []byte(oneScenario), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		lim := Limits{SuiteBytes: int64(3 * len(oneScenario))}
		_, err := ReadFeatures(ctx, os.DirFS(dir), lim, nil)
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "d.feature") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := ReadFeatures(cctx, os.DirFS(bombFolder(t)), Limits{}, nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestReadFeaturesProgress(t *testing.T) {
	dir := bombFolder(t)
	if err := os.WriteFile(filepath.Join(dir, "b.feature"), []byte(oneScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	var seen []LoadProgress
	if _, err := ReadFeatures(context.Background(), os.DirFS(dir), Limits{}, func(p LoadProgress) { seen = append(seen, p) }); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[1].Files != 2 || seen[1].Bytes != int64(2*len(oneScenario)) || seen[1].File != "b.feature" {
		t.Fatalf("progress: %+v", seen)
	}
}

// swappedFS reports name as a regular file of one byte, whatever it is when opened.
type swappedFS struct {
	fs.FS
	name string
}

func (s swappedFS) Stat(name string) (fs.FileInfo, error) {
	if name == s.name {
		return regularInfo{name}, nil
	}
	return fs.Stat(s.FS, name)
}

func (s swappedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	es, err := fs.ReadDir(s.FS, name)
	for i, e := range es {
		if e.Name() == s.name {
			es[i] = fs.FileInfoToDirEntry(regularInfo{s.name})
		}
	}
	return es, err
}

type regularInfo struct{ name string }

func (r regularInfo) Name() string       { return r.name }
func (r regularInfo) Size() int64        { return 1 }
func (r regularInfo) Mode() fs.FileMode  { return 0o644 }
func (r regularInfo) ModTime() time.Time { return time.Time{} }
func (r regularInfo) IsDir() bool        { return false }
func (r regularInfo) Sys() any           { return nil }
