// Package gcptest holds the tests that every Google Cloud mock of parley must pass the same way.
package gcptest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/parley-dev/parley/journal"
)

// JournalPage checks that GET baseURL/_parley/journal?after=N answers {"events":[…],"last":L,"now":T} like every
// other mock (journal.Page), so the harness merges the mocks' journals one way, with errors in
// Google's envelope, and that the mock's control client (journalAfter) reads it. j is the mock's journal.
func JournalPage(t *testing.T, baseURL string, j *journal.Journal, journalAfter func(ctx context.Context, after uint64) ([]journal.Event, uint64, error)) {
	t.Helper()
	base := j.Last()
	for range 3 {
		j.Record(journal.SourceHarness, journal.KindClockAdvanced, "", journal.ClockData{})
	}
	tests := []struct {
		name   string
		query  string
		status int
		seqs   []uint64
		last   uint64
	}{
		{name: "everything", query: "", status: 200, seqs: []uint64{base + 1, base + 2, base + 3}, last: base + 3},
		{name: "after the first", query: fmt.Sprintf("?after=%d", base+1), status: 200, seqs: []uint64{base + 2, base + 3}, last: base + 3},
		{name: "nothing new", query: fmt.Sprintf("?after=%d", base+3), status: 200, seqs: []uint64{}, last: base + 3},
		{name: "past the end", query: "?after=999", status: 200, seqs: []uint64{}, last: 999},
		{name: "not a number", query: "?after=x", status: 400},
		{name: "negative", query: "?after=-1", status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Get(baseURL + "/_parley/journal" + tt.query)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("HTTP %d, want %d: %s", resp.StatusCode, tt.status, b)
			}
			if tt.status != 200 {
				var env struct {
					Error struct {
						Code    int
						Message string
					} `json:"error"`
				}
				if json.Unmarshal(b, &env) != nil || env.Error.Code != tt.status || env.Error.Message == "" {
					t.Errorf("error answer %s is not Google's error envelope", b)
				}
				return
			}
			if ct := resp.Header.Get("Content-Type"); ct == "" || ct[:16] != "application/json" {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			var raw map[string]json.RawMessage
			if err := json.Unmarshal(b, &raw); err != nil || len(raw) != 3 || raw["events"] == nil || string(raw["events"]) == "null" || raw["now"] == nil {
				t.Fatalf("answer %s is not {\"events\":[…],\"last\":N,\"now\":T}", b)
			}
			var p journal.Page
			if err := json.Unmarshal(b, &p); err != nil {
				t.Fatal(err)
			}
			if now := j.Clock().Now(); !p.Now.Equal(now) {
				t.Errorf("now %s, the mock's clock says %s", p.Now, now)
			}
			var seqs []uint64
			for _, e := range p.Events {
				seqs = append(seqs, e.Seq)
			}
			if !slices.Equal(seqs, tt.seqs) && !(len(seqs) == 0 && len(tt.seqs) == 0) || p.Last != tt.last {
				t.Errorf("events %v last %d, want %v last %d", seqs, p.Last, tt.seqs, tt.last)
			}
		})
	}
	t.Run("control client", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		evs, last, err := journalAfter(ctx, base+1)
		if err != nil || len(evs) != 2 || evs[0].Seq != base+2 || evs[0].Kind != journal.KindClockAdvanced || last != base+3 {
			t.Errorf("JournalAfter(%d) = %+v, %d, %v", base+1, evs, last, err)
		}
		if evs, last, err := journalAfter(ctx, base+3); err != nil || len(evs) != 0 || last != base+3 {
			t.Errorf("JournalAfter(%d) = %+v, %d, %v; want nothing and the same sequence number", base+3, evs, last, err)
		}
	})
}
