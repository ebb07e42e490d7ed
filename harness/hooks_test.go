package harness

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/sim"
)

// TestHooksRedirectNotFollowed: a certification hook answered with a redirect is a failed call with that
// status, journalled; the body (a customer's consent, an order) never reaches the host redirected to.
// This holds with no client given and with one given, which is left as it was.
func TestHooksRedirectNotFollowed(t *testing.T) {
	for _, given := range []*http.Client{nil, {}} {
		var away atomic.Int32
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { away.Add(1) }))
		t.Cleanup(other.Close)
		bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
		}))
		t.Cleanup(bot.Close)
		j := journal.New(nil)
		h := &Hooks{BaseURL: bot.URL, Client: given, Journal: j}
		err := h.Notify(context.Background(), "34600000001", "order_shipped", "48213", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		if n := away.Load(); n != 0 {
			t.Fatalf("the redirect was followed: the other host got %d requests", n)
		}
		var he *sim.HookError
		if !errors.As(err, &he) || he.Status != http.StatusTemporaryRedirect {
			t.Fatalf("Notify through a redirect: %v, want a HookError with status 307", err)
		}
		var d journal.HookData
		evs := j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindHookCalled })
		if len(evs) != 1 || evs[0].Decode(&d) != nil || d.Status != http.StatusTemporaryRedirect || d.Error == "" {
			t.Fatalf("journal %d events, %+v", len(evs), d)
		}
		if given != nil && given.CheckRedirect != nil {
			t.Fatal("the caller's client was changed")
		}
	}
}
