package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const cxFixture = "../../fixtures/agents/cx-en-dental"

// copyTree copies a fixture export into a temporary folder a test may change.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestAgentTest(t *testing.T) {
	out, _, err := runArgs(t, "agent", "test", "--agent", cxFixture)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{`CX agent "Brightsmile Dental"`, "PASS  Book a cleaning (7 turns)", "4 passed, 0 failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// A test case whose expectation the agent does not meet: exit 1, with the first differing turn.
	dir := copyTree(t, cxFixture)
	tc := filepath.Join(dir, "testCases", "Cancel an appointment.json")
	b, err := os.ReadFile(tc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tc, []byte(strings.Replace(string(b), `"name": "Anything else"`, `"name": "Goodbye"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err = runArgs(t, "agent", "test", "--agent", dir)
	if exitCode(err) != 1 {
		t.Errorf("exit %d (%v), want 1", exitCode(err), err)
	}
	for _, want := range []string{`FAIL  Cancel an appointment: turn 3 of 4, user said "it's ana@example.com"`,
		`PAGE       expected "Goodbye"`, `actual   "Anything else"`, "3 passed, 1 failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// An export that cannot be loaded: exit 2, with the file and the construct.
	if err := os.MkdirAll(filepath.Join(dir, "playbooks"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, _, err = runArgs(t, "agent", "test", "--agent", dir)
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "playbooks/: playbooks are not modelled") {
		t.Errorf("exit %d (%v), want 2", exitCode(err), err)
	}
	_, _, err = runArgs(t, "agent", "test")
	if exitCode(err) != 2 {
		t.Errorf("no --agent: exit %d (%v), want 2", exitCode(err), err)
	}
}

func TestAgentSummary(t *testing.T) {
	out, _, err := runArgs(t, "agent", "summary", "--agent", cxFixture)
	if err != nil || !strings.Contains(out, "9 intents, 39 training phrases") || strings.Contains(out, "PASS") {
		t.Errorf("%v\n%s", err, out)
	}
}

func TestAgentSummaryES(t *testing.T) {
	out, _, err := runArgs(t, "agent", "summary", "--agent", "../../fixtures/agent")
	if err != nil || !strings.HasPrefix(out, `ES agent "Tienda Ejemplo"`) || !strings.Contains(out, "with webhook fulfilment") {
		t.Errorf("%v\n%s", err, out)
	}
}
