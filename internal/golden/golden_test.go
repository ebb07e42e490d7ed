package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAssertSameBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "want.txt")
	if err := os.WriteFile(path, []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	Assert(t, path, []byte("a\nb\n"))
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name, got, want, says string
	}{
		{"changed line", "a\nb\nc", "a\nx\nc", `line 2` + "\n" + ` got: "b"` + "\n" + `want: "x"`},
		{"missing line", "a", "a\nb", `line 2` + "\n" + ` got: (no such line)`},
		{"trailing newline", "a\n", "a", `line 2` + "\n" + ` got: ""` + "\n" + `want: (no such line)`},
		{"same", "a\nb", "a\nb", "no difference"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := Diff([]byte(tt.got), []byte(tt.want)); !strings.Contains(d, tt.says) {
				t.Errorf("Diff = %q, want it to say %q", d, tt.says)
			}
		})
	}
}
