package main

import (
	"encoding/json"
	"fmt"
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

// TestHelpAndEnvironment: rules, serve and load document themselves with examples and take every flag
// from its PARLEY_* variable, refusing a bad value with exit 2 and the variable's name.
func TestHelpAndEnvironment(t *testing.T) {
	for _, cmd := range []string{"rules", "serve", "load"} {
		_, stderr, err := runEnv(t, nil, cmd, "-h")
		if err != nil || !strings.Contains(stderr, "Examples:") || !strings.Contains(stderr, "PARLEY_") {
			t.Errorf("%s -h: %v\n%s", cmd, err, stderr)
		}
	}
	out, _, err := runEnv(t, map[string]string{"PARLEY_LANG": "es"}, "rules")
	if err != nil || !strings.Contains(out, "reglas") {
		t.Errorf("PARLEY_LANG=es parley rules: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		cmd string
		env map[string]string
		bad string
	}{
		{"rules", map[string]string{"PARLEY_JSON": "maybe"}, "PARLEY_JSON"},
		{"load", map[string]string{"PARLEY_CUSTOMERS": "many"}, "PARLEY_CUSTOMERS"},
	} {
		if _, _, err := runEnv(t, tc.env, tc.cmd); exitCode(err) != 2 || !strings.Contains(fmt.Sprint(err), tc.bad) {
			t.Errorf("%s with %v: exit %d, %v", tc.cmd, tc.env, exitCode(err), err)
		}
	}
}
