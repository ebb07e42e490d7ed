package report

import (
	"crypto/ed25519"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/parley-dev/parley/audit"
)

func TestReadFileMax(t *testing.T) {
	if _, err := ReadFileMax("/dev/zero", MaxSignatureBytes); !errors.Is(err, ErrFileTooLarge) {
		t.Fatalf("/dev/zero: %v", err)
	}
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte("1234"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFileMax(p, 4); err != nil || string(b) != "1234" {
		t.Fatalf("4 bytes under a limit of 4: %q %v", b, err)
	}
	if _, err := ReadFileMax(p, 3); !errors.Is(err, ErrFileTooLarge) {
		t.Fatalf("4 bytes under a limit of 3: %v", err)
	}
	// A FIFO with no writer is refused at once instead of blocking the open for ever.
	fifo := filepath.Join(t.TempDir(), "report.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if _, err := ReadFileMax(fifo, MaxReportBytes); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("a FIFO: %v", err)
	}
}

// A signed folder's manifest covers every file written: editing, removing any of them fails VerifyDir.
func TestSignDirCoversEveryFile(t *testing.T) {
	pub, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	fresh := func(t *testing.T) string {
		dir := filepath.Join(t.TempDir(), "out")
		if _, err := WriteDir(dir, fixtureReport(audit.SeverityLow), key); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	verify := func(dir string) (map[string]string, error) {
		m, _ := os.ReadFile(filepath.Join(dir, FileManifest))
		sig, _ := os.ReadFile(filepath.Join(dir, FileManifestSig))
		return VerifyDir(dir, m, sig, pub)
	}
	sums, err := verify(fresh(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{FileCucumber, FileJUnit, FileJSON, FileMarkdown, FileHTML}
	if got := slices.Sorted(maps.Keys(sums)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Fatalf("the manifest lists %v, want %v", got, want)
	}
	for _, f := range want {
		t.Run("edited "+f, func(t *testing.T) {
			dir := fresh(t)
			b, _ := os.ReadFile(filepath.Join(dir, f))
			if err := os.WriteFile(filepath.Join(dir, f), append(b, ' '), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := verify(dir); !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), f) {
				t.Fatalf("got %v", err)
			}
		})
	}
	t.Run("removed", func(t *testing.T) {
		dir := fresh(t)
		os.Remove(filepath.Join(dir, FileHTML))
		if _, err := verify(dir); !errors.Is(err, ErrChanged) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("manifest edited", func(t *testing.T) {
		dir := fresh(t)
		b, _ := os.ReadFile(filepath.Join(dir, FileManifest))
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if err := os.WriteFile(filepath.Join(dir, FileManifest), []byte(strings.Join(lines[1:], "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := verify(dir); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("got %v", err)
		}
	})
	if _, err := Manifest(t.TempDir(), []string{"../etc/passwd"}); err == nil {
		t.Fatal("a manifest of a file outside the folder")
	}
}

// Writing a report removes an earlier run's report files first and leaves nothing half-written behind;
// other files of the folder stay.
func TestWriteDirReplacesEarlierReport(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(nil)
	dir := t.TempDir()
	if _, err := WriteDir(dir, fixtureReport(audit.SeverityLow), key); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, partialPrefix+"123", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteDir(dir, fixtureReport(audit.SeverityLow), nil); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{FileCucumber, FileJUnit, "notes.txt", FileHTML, FileJSON, FileMarkdown}
	if !slices.Equal(names, want) {
		t.Fatalf("the folder holds %v, want %v (an unsigned report beside an earlier signature, or a partial folder, is a lie)", names, want)
	}
	if err := RemoveStale(dir); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 || entries[0].Name() != "notes.txt" {
		t.Fatalf("after RemoveStale: %v", entries)
	}
}
