package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCertifySpanishConsole: with --lang es the summary at the terminal is in Spanish, as the report is.
func TestCertifySpanishConsole(t *testing.T) {
	out, progress, err := runEnv(t, nil, "certify", "--tags", "@WA-OPTOUT-01 and @es", "--violate", "WA-OPTOUT-01", "--lang", "es", "--out", filepath.Join(t.TempDir(), "informe"))
	if exitCode(err) != 1 {
		t.Fatalf("exit %v", err)
	}
	for _, want := range []string{": NO CERTIFICADO\n", " escenarios: ", " superados, ", " reglas: ", "solo se ejecutó parte de la batería: --tags", "✗ WA-OPTOUT-01", " crítica ", "hallazgo(s)", "  informe: "} {
		if !strings.Contains(out, want) {
			t.Errorf("the console lacks %q:\n%s", want, out)
		}
	}
	for _, english := range []string{"NOT CERTIFIED", " scenarios: ", " rules: ", "only part of the suite", "report:"} {
		if strings.Contains(out, english) {
			t.Errorf("the console still says %q:\n%s", english, out)
		}
	}
	// The lines printed as each scenario ends speak Spanish too.
	if !strings.Contains(progress, "] fallido ") || !strings.Contains(progress, " hallazgo(s), ") || strings.Contains(progress, "finding(s)") {
		t.Errorf("the progress lines are not in Spanish:\n%s", progress)
	}
}
