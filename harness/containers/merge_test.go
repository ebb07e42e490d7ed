package containers

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

// countingMock serves a WhatsApp mock's handler and counts the requests by path. With oldPages its
// journal pages leave out the simulated time, as a mock built before pages carried it does.
type countingMock struct {
	mu       sync.Mutex
	paths    map[string]int
	oldPages bool
	h        http.Handler
}

func (c *countingMock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.paths[r.Method+" "+r.URL.Path]++
	c.mu.Unlock()
	if !c.oldPages || r.URL.Path != "/_parley/journal" {
		c.h.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, r)
	var p struct {
		Events []journal.Event `json:"events"`
		Last   uint64          `json:"last"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_ = json.NewEncoder(w).Encode(p)
}

func (c *countingMock) counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.paths {
		out[k] = v
	}
	return out
}

// TestRecordSyncsInOneRequest: a local record brings the mocks' events in and takes the mocks' simulated
// time from one page of the journal, and is stamped with that time; from a mock whose pages do not carry
// the time, it asks for the clock as well and is stamped alike.
func TestRecordSyncsInOneRequest(t *testing.T) {
	for _, tc := range []struct {
		name     string
		oldPages bool
		want     map[string]int
	}{
		{"the page carries the clock", false, map[string]int{"GET /_parley/journal": 1}},
		{"a mock whose page does not", true, map[string]int{"GET /_parley/journal": 1, "GET /_parley/clock": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			wa, err := whatsapp.NewServer(whatsapp.WithControlToken("t0ken"))
			if err != nil {
				t.Fatal(err)
			}
			defer wa.Close()
			mock := &countingMock{paths: map[string]int{}, oldPages: tc.oldPages, h: wa.Handler()}
			srv := httptest.NewServer(mock)
			defer srv.Close()
			hc := control.Client("t0ken", nil)
			m := &mergedJournal{j: journal.New(nil), wa: whatsapp.NewControlClient(srv.URL, control.WithHTTPClient(hc)), httpc: hc, base: srv.URL}

			now, err := wa.AdvanceClock(ctx, 26*time.Hour) // journalled by the mock: one event to bring in
			if err != nil {
				t.Fatal(err)
			}
			before := mock.counts()
			ev := m.Record(journal.SourceCustomer, journal.KindInboundSent, "34600000001", map[string]string{"text": "hola"})
			got := mock.counts()
			for k := range before {
				got[k] -= before[k]
				if got[k] == 0 {
					delete(got, k)
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("one record made the requests %v, want %v", got, tc.want)
			}
			for k, n := range tc.want {
				if got[k] != n {
					t.Errorf("one record made the requests %v, want %v", got, tc.want)
					break
				}
			}
			if !ev.At.Equal(now) {
				t.Errorf("the record is stamped %s, the mocks' clock says %s", ev.At, now)
			}
			evs := m.j.Events()
			if len(evs) != 2 || evs[0].Kind != journal.KindClockAdvanced || evs[1].Seq != ev.Seq {
				t.Errorf("the merged journal is %+v, want the mocks' clock.advanced then the record", evs)
			}
		})
	}
}

// TestSettleIdleReadsTheJournalOnceBetweenRounds: a settle whose first round sees the assistant act
// takes a second round, and the journal read that ends the first round starts the second: three reads
// of the journal for two rounds, not four.
func TestSettleIdleReadsTheJournalOnceBetweenRounds(t *testing.T) {
	ctx := context.Background()
	wa, err := whatsapp.NewServer(whatsapp.WithControlToken("t0ken"))
	if err != nil {
		t.Fatal(err)
	}
	defer wa.Close()
	mock := &countingMock{paths: map[string]int{}, h: wa.Handler()}
	srv := httptest.NewServer(mock)
	defer srv.Close()
	var idles atomic.Int32
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if idles.Add(1) == 1 { // the assistant acts once: an event in the mocks' journal
			if _, err := wa.AdvanceClock(r.Context(), time.Minute); err != nil {
				t.Error(err)
			}
		}
		_, _ = w.Write([]byte(`{"idle":true}`))
	}))
	defer bot.Close()
	hc := control.Client("t0ken", nil)
	e := &Env{referenceIdle: true, botc: bot.Client(), botBase: bot.URL, wa: whatsapp.NewControlClient(srv.URL, control.WithHTTPClient(hc))}
	e.merge = &mergedJournal{j: journal.New(nil), wa: e.wa, httpc: hc, base: srv.URL}
	if err := e.settle(ctx); err != nil {
		t.Fatal(err)
	}
	got := mock.counts()
	if got["GET /_parley/journal"] != 3 || got["GET /_parley/idle"] != 2 || idles.Load() != 4 || len(got) != 2 {
		t.Errorf("a settle of two rounds made the requests %v and %d of the assistant's idle signal; want 3 journal reads, 2 waits for the WhatsApp mock, 4 for the assistant", got, idles.Load())
	}
	if evs := e.merge.j.Events(); len(evs) != 1 || evs[0].Kind != journal.KindClockAdvanced {
		t.Errorf("the merged journal is %+v, want the assistant's one event", evs)
	}
}
