package control

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/journal"
)

func TestFaultJSON(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     Fault
		wantErr  string
	}{
		{"every field", `{"kind":"RESOURCE_EXHAUSTED","count":2,"delay":"250ms","message":"m","method":"inspect"}`,
			Fault{Kind: "RESOURCE_EXHAUSTED", Count: 2, Delay: 250 * time.Millisecond, Message: "m", Method: "inspect"}, ""},
		{"a numeric kind", `{"kind":131047,"count":1}`, Fault{Kind: "131047", Count: 1}, ""},
		{"a kind as a string of digits", `{"kind":"131047"}`, Fault{Kind: "131047"}, ""},
		{"only a delay", `{"delay":"2s"}`, Fault{Delay: 2 * time.Second}, ""},
		{"an unknown field", `{"kind":"UNAVAILABLE","cout":1}`, Fault{}, `Unknown name "cout"`},
		{"a delay that is not a duration", `{"delay":"soon"}`, Fault{}, "want a duration"},
		{"a delay in nanoseconds", `{"delay":1000000}`, Fault{}, "delay"},
		{"a fractional kind", `{"kind":1.5}`, Fault{}, "whole number"},
		{"not an object", `[]`, Fault{}, "A fault is an object"},
		{"a count that is a string", `{"kind":"UNAVAILABLE","count":"3"}`, Fault{}, `Invalid value at 'count' (TYPE_INT32), "3"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f Fault
			err := json.Unmarshal([]byte(tc.in), &f)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || f != tc.want {
				t.Fatalf("%+v, %v; want %+v", f, err, tc.want)
			}
			b, _ := json.Marshal(f)
			var back Fault
			if err := json.Unmarshal(b, &back); err != nil || back != f {
				t.Errorf("round trip %s → %+v, %v", b, back, err)
			}
		})
	}
	if b, _ := json.Marshal(Fault{Kind: "UNAVAILABLE", Delay: 1500 * time.Millisecond}); string(b) != `{"kind":"UNAVAILABLE","delay":"1.5s"}` {
		t.Errorf("Marshal = %s", b)
	}
}

func TestFaultCheck(t *testing.T) {
	for _, tc := range []struct {
		f  Fault
		ok bool
	}{
		{Fault{Kind: "x"}, true},
		{Fault{Delay: time.Millisecond}, true},
		{Fault{Kind: "x", Count: 3, Delay: time.Second}, true},
		{Fault{}, false},
		{Fault{Count: 1}, false},
		{Fault{Kind: "x", Count: -1}, false},
		{Fault{Kind: "x", Delay: -time.Second}, false},
	} {
		if err := tc.f.Check(); (err == nil) != tc.ok {
			t.Errorf("Check(%+v) = %v", tc.f, err)
		}
	}
}

func TestFaultsTake(t *testing.T) {
	var fs Faults
	fs.Add(Fault{Delay: 10 * time.Millisecond})                        // every request, until cleared
	fs.Add(Fault{Kind: "QUOTA", Count: 2, Method: "a"})                // the next two of a
	fs.Add(Fault{Kind: "DOWN", Count: 1, Delay: 5 * time.Millisecond}) // the next one of any
	only := func(method string) func(Fault) bool {
		return func(f Fault) bool { return f.Method == "" || f.Method == method }
	}
	kind := func(f *Fault) string {
		if f == nil {
			return ""
		}
		return f.Kind
	}
	for i, want := range []struct {
		method string
		delay  time.Duration
		kind   string
		left   int
	}{
		{"b", 15 * time.Millisecond, "DOWN", 2}, // DOWN is used up; QUOTA is not b's
		{"a", 10 * time.Millisecond, "QUOTA", 2},
		{"a", 10 * time.Millisecond, "QUOTA", 1},
		{"a", 10 * time.Millisecond, "", 1},
	} {
		d, f := fs.Take(only(want.method))
		if d != want.delay || kind(f) != want.kind || len(fs.List()) != want.left {
			t.Errorf("request %d (%s): delay %v kind %q, %d left; want %v %q %d", i, want.method, d, kind(f), len(fs.List()), want.delay, want.kind, want.left)
		}
	}
	fs.Clear()
	if d, f := fs.Take(only("a")); d != 0 || f != nil || fs.List() == nil {
		t.Errorf("after Clear: %v %v %v", d, f, fs.List())
	}
}

// fakeMock is a Mock in memory, for the shared routes and the Endpoint.
type fakeMock struct {
	mu     sync.Mutex
	faults Faults
	j      *journal.Journal
}

func (m *fakeMock) InjectFault(_ context.Context, f Fault) error {
	if err := f.Check(); err != nil {
		return err
	}
	if f.Kind != "" && f.Kind != "UNAVAILABLE" {
		return errors.New("kind " + f.Kind + " is not modelled")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.faults.Add(f)
	return nil
}

func (m *fakeMock) ClearFaults(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.faults.Clear()
	return nil
}

func (m *fakeMock) Faults(context.Context) ([]Fault, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.faults.List(), nil
}

func (m *fakeMock) JournalAfter(_ context.Context, after uint64) ([]journal.Event, uint64, error) {
	p := m.j.PageAfter(after)
	return p.Events, p.Last, nil
}

// TestEndpoint: the shared control routes and the Endpoint that calls them are one Mock over HTTP.
func TestEndpoint(t *testing.T) {
	in := &fakeMock{j: journal.New(nil)}
	in.j.Record(journal.SourceHarness, journal.KindClockAdvanced, "", nil)
	fail := func(w http.ResponseWriter, status int, msg string) {
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "code": status}})
	}
	m := NewMux(func(w http.ResponseWriter, r *http.Request) { fail(w, http.StatusNotFound, "no route") })
	m.HandleFunc("GET /_parley/journal", ServeJournal(in, fail))
	m.HandleFunc("GET /_parley/faults", ServeFaults(in, fail))
	m.HandleFunc("POST /_parley/faults", ServeInjectFault(in, fail))
	m.HandleFunc("DELETE /_parley/faults", ServeClearFaults(in, fail))
	srv := httptest.NewServer(m)
	defer srv.Close()

	var c Mock = NewEndpoint("test", srv.URL+"/", WithHTTPClient(srv.Client()), nil)
	ctx := t.Context()
	want := Fault{Kind: "UNAVAILABLE", Count: 1, Delay: time.Second}
	if err := c.InjectFault(ctx, want); err != nil {
		t.Fatal(err)
	}
	var ce *Error
	if err := c.InjectFault(ctx, Fault{Kind: "TEAPOT"}); !errors.As(err, &ce) || ce.HTTP != 400 || ce.Message != "kind TEAPOT is not modelled" || ce.Mock != "test" {
		t.Errorf("a refused fault: %v", err)
	}
	if fs, err := c.Faults(ctx); err != nil || !slices.Equal(fs, []Fault{want}) {
		t.Errorf("Faults = %+v, %v", fs, err)
	}
	if err := c.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}
	if fs, err := c.Faults(ctx); err != nil || fs == nil || len(fs) != 0 {
		t.Errorf("after ClearFaults: %#v, %v", fs, err)
	}
	if evs, last, err := c.JournalAfter(ctx, 0); err != nil || len(evs) != 1 || last != 1 {
		t.Errorf("JournalAfter(0) = %v %d %v", evs, last, err)
	}
	if evs, last, err := c.JournalAfter(ctx, 1); err != nil || evs == nil || len(evs) != 0 || last != 1 {
		t.Errorf("JournalAfter(1) = %#v %d %v", evs, last, err)
	}
	resp, err := http.Post(srv.URL+"/_parley/faults", "application/json", strings.NewReader(`{"kind":"UNAVAILABLE","cout":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("an unknown field: HTTP %d", resp.StatusCode)
	}
	resp, err = http.Get(srv.URL + "/_parley/journal?after=x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("a bad after: HTTP %d", resp.StatusCode)
	}
}

// pagerMock is a fakeMock that reads its journal as pages, with the simulated time (Pager).
type pagerMock struct{ *fakeMock }

func (m pagerMock) JournalPage(_ context.Context, after uint64) (journal.Page, error) {
	return m.j.PageAfter(after), nil
}

// TestServeJournalCarriesTheClock: a Pager's journal page carries its simulated time, read by
// Endpoint.JournalPage; a mock that only has JournalAfter answers without it, as before.
func TestServeJournalCarriesTheClock(t *testing.T) {
	at := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	fail := func(w http.ResponseWriter, status int, msg string) { http.Error(w, msg, status) }
	for _, tc := range []struct {
		name string
		m    Mock
		want time.Time
	}{
		{"a Pager", pagerMock{&fakeMock{j: journal.New(journal.NewClock(at))}}, at},
		{"JournalAfter only", &fakeMock{j: journal.New(journal.NewClock(at))}, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(ServeJournal(tc.m, fail))
			defer srv.Close()
			resp, err := http.Get(srv.URL + "/_parley/journal?after=0")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if has := strings.Contains(string(body), `"now":`); has != !tc.want.IsZero() {
				t.Errorf("the page %s", body)
			}
			p, err := NewEndpoint("test", srv.URL, WithHTTPClient(srv.Client())).JournalPage(t.Context(), 0)
			if err != nil || !p.Now.Equal(tc.want) || p.Events == nil {
				t.Errorf("JournalPage = %+v, %v; want now %s", p, err, tc.want)
			}
		})
	}
}
