package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-dev/parley/report"
)

// TestCertifyRerun: --rerun plays only what failed in an earlier report and writes a report that says it
// is a rerun, of which report, and what it carried; it refuses what cannot be joined before any
// scenario runs, leaving --out as it was.
func TestCertifyRerun(t *testing.T) {
	tmp := t.TempDir()
	first := filepath.Join(tmp, "first")
	tags := "(@WA-OPTOUT-01 or @AI-DISC-01) and @en"
	if _, _, err := runEnv(t, nil, "certify", "--tags", tags, "--violate", "WA-OPTOUT-01", "--out", first); exitCode(err) != 1 {
		t.Fatalf("the first run: %v", err)
	}
	earlier := readReportFile(t, first)
	failed := len(earlier.ToReplay())
	if failed == 0 || failed == len(earlier.Scenarios) {
		t.Fatalf("the first run failed %d of %d scenarios; the test needs some of each", failed, len(earlier.Scenarios))
	}
	earlierJSON := filepath.Join(first, report.FileJSON)

	second := filepath.Join(tmp, "second")
	out, stderr, err := runEnv(t, nil, "certify", "--rerun", earlierJSON, "--violate", "WA-OPTOUT-01", "--out", second)
	if exitCode(err) != 1 {
		t.Fatalf("the rerun: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, fmt.Sprintf("[%d/%d]", failed, failed)) {
		t.Errorf("the rerun played other than the %d failed scenario(s):\n%s", failed, stderr)
	}
	if !strings.Contains(out, "a rerun of "+earlierJSON+" (NOT CERTIFIED") || strings.Contains(out, "two runs together") {
		t.Errorf("the verdict does not say it is a rerun of which report:\n%s", out)
	}
	r := readReportFile(t, second)
	if r.Rerun == nil || len(r.Rerun.Replayed) != failed || len(r.Rerun.Carried) != len(earlier.Scenarios)-failed ||
		len(r.Scenarios) != len(earlier.Scenarios) || r.Suite.Tags != tags {
		t.Fatalf("rerun report: %+v, %d scenarios, suite %+v", r.Rerun, len(r.Scenarios), r.Suite)
	}
	b, _ := os.ReadFile(earlierJSON)
	if r.Rerun.SHA256 != report.HashString(string(b)) {
		t.Errorf("the rerun names the earlier report by %s, not by its hash", r.Rerun.SHA256)
	}
	doc, _ := os.ReadFile(filepath.Join(second, report.FileJSON))
	if errs := validateSchema(readSchema(t), doc); len(errs) > 0 {
		t.Errorf("rerun report.json:\n%s", strings.Join(errs, "\n"))
	}

	own := filepath.Join(tmp, "features")
	os.MkdirAll(own, 0o755)
	src, _ := os.ReadFile("../../features/optout/opt-out.feature")
	os.WriteFile(filepath.Join(own, "optout.feature"), src, 0o644)
	keep := filepath.Join(tmp, "keep")
	tests := []struct {
		name  string
		args  []string
		wants string
	}{
		{"inside --out", []string{"--rerun", earlierJSON, "--out", first}, "inside --out"},
		{"with --tags", []string{"--rerun", earlierJSON, "--tags", "@en", "--out", keep}, "no --tags or --shard"},
		{"another assistant", []string{"--rerun", earlierJSON, "--out", keep}, "another assistant (parley reference assistant with --violate WA-OPTOUT-01) than this run (parley reference assistant)"},
		{"another suite", []string{"--rerun", earlierJSON, "--violate", "WA-OPTOUT-01", "--features", own, "--out", keep}, "another suite"},
		{"another threshold", []string{"--rerun", earlierJSON, "--violate", "WA-OPTOUT-01", "--fail-on", "high", "--out", keep}, "--fail-on low"},
		{"not a report", []string{"--rerun", filepath.Join(own, "optout.feature"), "--out", keep}, "not a parley report"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runEnv(t, nil, append([]string{"certify"}, tc.args...)...)
			if exitCode(err) != 2 || !strings.Contains(err.Error(), tc.wants) {
				t.Errorf("err = %v, want exit 2 and %q", err, tc.wants)
			}
		})
	}
	if _, err := os.Stat(earlierJSON); err != nil {
		t.Errorf("a refused rerun removed the earlier report: %v", err)
	}
}

// TestLatencyFactorFlag: --latency-factor and PARLEY_LATENCY_FACTOR only loosen the budgets; anything
// else is refused before a scenario runs.
func TestLatencyFactorFlag(t *testing.T) {
	tmp := t.TempDir()
	tests := []struct {
		name  string
		env   map[string]string
		args  []string
		wants string
	}{
		{"below 1", nil, []string{"--latency-factor", "0.5"}, "--latency-factor 0.5: want 1 or more"},
		{"not a number", map[string]string{"PARLEY_LATENCY_FACTOR": "slow"}, nil, `PARLEY_LATENCY_FACTOR="slow"`},
		{"not finite", map[string]string{"PARLEY_LATENCY_FACTOR": "NaN"}, nil, "want 1 or more"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"certify", "--out", filepath.Join(tmp, "o")}, tc.args...)
			if _, _, err := runEnv(t, tc.env, args...); exitCode(err) != 2 || !strings.Contains(err.Error(), tc.wants) {
				t.Errorf("err = %v, want exit 2 and %q", err, tc.wants)
			}
		})
	}
	out := filepath.Join(tmp, "ok")
	if _, stderr, err := runEnv(t, map[string]string{"PARLEY_LATENCY_FACTOR": "3"}, "certify", "--tags", "@AI-DISC-01 and @en", "--out", out); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
}
