package whatsapp

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/journal"
)

// verifyEvents are the handshakes the journal holds, in order.
func verifyEvents(t *testing.T, s *Server) []VerifyResult {
	t.Helper()
	var out []VerifyResult
	for _, e := range s.Journal().Events() {
		if e.Kind == journal.KindWebhookVerify {
			var v VerifyResult
			if err := e.Decode(&v); err != nil {
				t.Fatal(err)
			}
			out = append(out, v)
		}
	}
	return out
}

// TestHandshakeAtStart: a mock started with a callback URL verifies it at once, as the App Dashboard does
// when the URL is saved, before any message; the first delivery then needs no handshake of its own.
func TestHandshakeAtStart(t *testing.T) {
	rcv := newReceiver(t)
	s := RunT(t, fixedWall(), WithWebhook(rcv.URL()))
	ctx := testCtx(t)
	if ok, err := s.AwaitHandshake(ctx); !ok || err != nil {
		t.Fatalf("handshake at start: verified %v, %v", ok, err)
	}
	if v := verifyEvents(t, s); len(v) != 1 || !v[0].OK || len(s.Journal().Events()) != 1 {
		t.Fatalf("journal after start: %+v, want one passed handshake and nothing else", s.Journal().Events())
	}
	customerSays(t, s, CustomerMessage{Text: "hola"})
	rcv.mu.Lock()
	n := rcv.verifies
	rcv.mu.Unlock()
	if n != 1 {
		t.Errorf("%d handshakes, want 1: the first delivery had no reason to verify again", n)
	}
}

// TestHandshakeAssistantNotUpYet: an assistant that is not up when the mock starts fails the start's
// handshake without failing the mock; the handshake runs again before the first delivery, which then
// goes through.
func TestHandshakeAssistantNotUpYet(t *testing.T) {
	rcv := newReceiver(t)
	up := make(chan struct{})
	inner := rcv.srv.Config.Handler
	rcv.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-up:
			inner.ServeHTTP(w, r)
		default:
			http.Error(w, "starting", http.StatusBadGateway) // a proxy in front of an assistant still starting
		}
	})
	s, err := NewServer(fixedWall(), WithWebhook(rcv.URL()))
	if err != nil {
		t.Fatalf("the mock failed to start because the assistant was not up: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ctx := testCtx(t)
	if ok, err := s.AwaitHandshake(ctx); ok || err != nil {
		t.Fatalf("handshake at start: verified %v, %v; want a failed handshake", ok, err)
	}
	close(up)
	if res := customerSays(t, s, CustomerMessage{Text: "hola"}); res.Attempts != 1 {
		t.Errorf("first delivery: %+v", res)
	}
	v := verifyEvents(t, s)
	if len(v) != 2 || v[0].OK || v[0].Status != http.StatusBadGateway || !v[1].OK {
		t.Errorf("handshakes %+v, want one refused at start and one passed before the first delivery", v)
	}
}

// TestHandshakeOnSetWebhook: setting the callback URL over the control API verifies it at once, as the
// App Dashboard does on "Verify and save"; the answer does not wait for it.
func TestHandshakeOnSetWebhook(t *testing.T) {
	rcv := newReceiver(t)
	s := RunT(t, fixedWall())
	ctx := testCtx(t)
	if res := call(t, s, "POST", "/_parley/webhook", `{"url":"`+rcv.URL()+`"}`, nil); res.Status != 200 {
		t.Fatalf("POST /_parley/webhook: HTTP %d %s", res.Status, res.Raw)
	}
	if ok, err := s.AwaitHandshake(ctx); !ok || err != nil {
		t.Fatalf("handshake on POST /_parley/webhook: verified %v, %v", ok, err)
	}
	if v := verifyEvents(t, s); len(v) != 1 || !v[0].OK || v[0].URL != rcv.URL() {
		t.Errorf("handshakes %+v, want one passed for %s", v, rcv.URL())
	}
	customerSays(t, s, CustomerMessage{Text: "hola"})
	if v := verifyEvents(t, s); len(v) != 1 {
		t.Errorf("%d handshakes after the first delivery, want still 1", len(v))
	}
}

// TestVerifyWaitsForHandshakeInFlight: a verification asked for while the handshake of a URL just
// configured is in flight runs after it, so the assistant sees them one after the other and the journal
// holds them in the order they were asked for (the seeded challenges in order), however the two are timed.
func TestVerifyWaitsForHandshakeInFlight(t *testing.T) {
	rcv := newReceiver(t)
	inner := rcv.srv.Config.Handler
	var (
		mu      sync.Mutex
		inside  int
		overlap bool
		seen    []string
	)
	rcv.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inside++
		overlap = overlap || inside > 1
		seen = append(seen, r.URL.Query().Get("hub.challenge"))
		mu.Unlock()
		time.Sleep(30 * time.Millisecond) // a slow first answer: the second request would overlap it
		inner.ServeHTTP(w, r)
		mu.Lock()
		inside--
		mu.Unlock()
	})
	s := RunT(t, fixedWall())
	ctx := testCtx(t)
	if err := s.SetWebhook(ctx, rcv.URL()); err != nil {
		t.Fatal(err)
	}
	res, err := s.VerifyWebhook(ctx)
	if err != nil || !res.OK {
		t.Fatalf("VerifyWebhook: %+v, %v", res, err)
	}
	v := verifyEvents(t, s)
	mu.Lock()
	defer mu.Unlock()
	if overlap {
		t.Error("the two handshakes reached the assistant at the same time")
	}
	if len(v) != 2 || len(seen) != 2 || v[0].Challenge != seen[0] || v[1].Challenge != seen[1] || v[1].Challenge != res.Challenge {
		t.Errorf("journalled %+v, the assistant saw %v, VerifyWebhook answered %+v: want the configured URL's handshake first", v, seen, res)
	}
}
