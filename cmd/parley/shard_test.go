package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/parley-dev/parley/report"
)

// TestCertifyShardsAsProcesses runs `parley certify --shard i/4` as four separate processes, in parallel
// as a CI matrix or a Kubernetes Indexed Job would, merges their reports with `parley report merge`, and
// checks the merge equals the unsharded run: the verdict, the summary, every rule's status and every
// scenario's outcome and rule statuses. One rule is broken on purpose, so equality is not of empty reports.
func TestCertifyShardsAsProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("runs five certifications")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	tags := "@WA-OPTOUT-01 or @AI-DISC-01 or @GDPR-ERASE-01 or @WA-ESC-01 or @GDPR-ACCESS-01"
	args := func(out string, extra ...string) []string {
		return append([]string{"certify", "--tags", tags, "--violate", "WA-ESC-01", "--seed", "5", "--out", out}, extra...)
	}
	start := func(args []string) (*exec.Cmd, *bytes.Buffer) {
		cmd := parleyProcess(ctx, args...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &out
	}
	// Exit 1 is "not certified", which the broken rule makes the expected outcome.
	wait := func(name string, cmd *exec.Cmd, out *bytes.Buffer) {
		if err := cmd.Wait(); err != nil {
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				t.Fatalf("%s: %v\n%s", name, err, out)
			}
		}
	}
	var parts []string
	type proc struct {
		cmd *exec.Cmd
		out *bytes.Buffer
	}
	var procs []proc
	for i := 1; i <= 4; i++ {
		dir := filepath.Join(tmp, fmt.Sprintf("shard%d", i))
		parts = append(parts, filepath.Join(dir, report.FileJSON))
		c, o := start(args(dir, "--shard", fmt.Sprintf("%d/4", i)))
		procs = append(procs, proc{c, o})
	}
	for i, p := range procs {
		wait(fmt.Sprintf("shard %d/4", i+1), p.cmd, p.out)
	}
	full := filepath.Join(tmp, "full")
	c, o := start(args(full))
	wait("unsharded run", c, o)

	merged := filepath.Join(tmp, "merged")
	if _, _, err := runEnv(t, nil, append(append([]string{"report", "merge"}, parts...), "--out", merged)...); err != nil && exitCode(err) != 1 {
		t.Fatalf("report merge: %v", err)
	}
	type view struct {
		Verdict   string
		Summary   report.Summary
		Rules     map[string]string
		Scenarios []string
	}
	see := func(r report.Report) view {
		v := view{Verdict: r.Verdict, Summary: r.Summary, Rules: map[string]string{}}
		for _, rr := range r.Rules {
			v.Rules[rr.ID] = string(rr.Status)
		}
		for _, s := range r.Scenarios {
			rs, _ := json.Marshal(s.RuleStatus)
			v.Scenarios = append(v.Scenarios, s.Name+" "+s.Status+" "+string(rs))
		}
		sort.Strings(v.Scenarios)
		return v
	}
	m, w := readReportFile(t, merged), readReportFile(t, full)
	gotJSON, _ := json.MarshalIndent(see(m), "", " ")
	wantJSON, _ := json.MarshalIndent(see(w), "", " ")
	if !bytes.Equal(gotJSON, wantJSON) {
		t.Errorf("the merged shards differ from the unsharded run:\nmerged: %s\nwhole:  %s", gotJSON, wantJSON)
	}
	if len(m.Suite.Shards) != 4 || w.Summary.Scenarios < 4 || w.Verdict == "" {
		t.Errorf("merged %d shards of %d scenarios, verdict %q", len(m.Suite.Shards), w.Summary.Scenarios, w.Verdict)
	}
	if w.Rules == nil || see(w).Rules["WA-ESC-01"] != "broken" {
		t.Errorf("WA-ESC-01 was broken on purpose but reads %q", see(w).Rules["WA-ESC-01"])
	}
}
