package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/parley-dev/parley/audit"
)

func TestRules(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		contains []string
	}{
		{name: "table in English", args: []string{"rules"}, contains: []string{"WA-OPTIN-01", "critical", "No business-initiated message without a prior opt-in", "38 rules"}},
		{name: "table in Spanish", args: []string{"rules", "--lang", "es"}, contains: []string{"GDPR-ERASE-01", "La supresión llega a Dialogflow y es definitiva", "38 reglas"}},
		{name: "bad language", args: []string{"rules", "--lang", "fr"}, wantCode: 2},
		{name: "unknown flag", args: []string{"rules", "--nope"}, wantCode: 2},
		{name: "stray argument", args: []string{"rules", "extra"}, wantCode: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := runArgs(t, tc.args...)
			if tc.wantCode != 0 {
				if exitCode(err) != tc.wantCode {
					t.Fatalf("exit %d (%v), want %d", exitCode(err), err, tc.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.contains {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %q:\n%s", s, out)
				}
			}
		})
	}
}

func TestRulesJSON(t *testing.T) {
	out, _, err := runArgs(t, "rules", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rules []audit.Rule
	if err := json.Unmarshal([]byte(out), &rules); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if len(rules) != len(audit.Catalogue()) {
		t.Fatalf("%d rules, want %d", len(rules), len(audit.Catalogue()))
	}
	for _, r := range rules {
		if r.ID == "" || r.TitleES == "" || r.Severity == "" || len(r.Sources) == 0 || r.Checks == "" {
			t.Errorf("incomplete rule in JSON: %+v", r)
		}
	}
}
