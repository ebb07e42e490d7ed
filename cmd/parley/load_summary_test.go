package main

import (
	"bytes"
	"testing"

	"github.com/parley-dev/parley/internal/golden"
	"github.com/parley-dev/parley/load"
)

// TestLoadSummaryGolden: the summary says which limit shaped the latencies (the default 80 messages/s
// throughput limit when the replies could not all go at once, refusals when a limit refused sends, none
// otherwise) and prints no stray [] when no rule broke.
func TestLoadSummaryGolden(t *testing.T) {
	base := func(sent int, wall float64) load.Summary {
		return load.Summary{Shard: "1/1", Customers: 200, PeakActive: 200, Journeys: map[string]int{"greeting": 120, "opt_out": 80},
			Turns: 372, Wall: load.Seconds(wall), TurnsPerSecond: 372 / wall, P50: 2100, P95: 2840, P99: 2840, Max: 2840,
			Messages: load.Accounting{Inbound: load.Flow{Sent: 372, Received: 372}, Outbound: load.Flow{Sent: sent, Received: sent}, OnPhones: sent},
			Events:   5477, Audit: load.AuditSummary{Rules: map[string]load.RuleOutcome{"WA-OPTOUT-01": {Status: "passed"}}}}
	}
	refused := base(610, 8.2)
	refused.Messages.Outbound.Refused, refused.Messages.Outbound.Received, refused.Messages.OnPhones = 7, 603, 603
	refused.Messages.Outbound.Reasons = map[string]int{"130429: Rate limit hit": 5, "131056: (Business Account, Consumer Account) pair rate limit hit": 2}
	broken := base(60, 0.4)
	broken.Audit.Broken = []string{"WA-OPTOUT-01"}
	tests := []struct {
		name string
		sum  load.Summary
		lim  *sendLimit
	}{
		{"load-throughput", base(603, 8.2), &sendLimit{MPS: 80, Paced: 70}},
		{"load-no-limit", base(60, 0.4), &sendLimit{MPS: 80, Paced: 70}},
		{"load-mps-0", base(603, 5.7), &sendLimit{}},
		{"load-refused", refused, &sendLimit{MPS: 80}},
		{"load-broken-merged", broken, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := printSummary(&b, tc.sum, false, tc.lim); err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, "testdata/cli/"+tc.name+".golden", b.Bytes())
		})
	}
}
