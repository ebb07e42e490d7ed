package whatsapp

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/parley-dev/parley/journal"
)

// elsewhere is a host the allow-list does not name: it counts every request that reaches it and keeps
// what the requests carried.
type elsewhere struct {
	srv *httptest.Server

	mu      sync.Mutex
	queries []string
	sigs    []string
}

func newElsewhere(t *testing.T) *elsewhere {
	e := &elsewhere{}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.queries = append(e.queries, r.URL.RawQuery)
		e.sigs = append(e.sigs, r.Header.Get("X-Hub-Signature-256"))
		e.mu.Unlock()
		if r.Method == http.MethodGet {
			_, _ = w.Write([]byte(r.URL.Query().Get("hub.challenge")))
		}
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *elsewhere) hits() ([]string, []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.queries...), append([]string(nil), e.sigs...)
}

// TestWebhookRedirectNotFollowed: Meta does not follow a redirect from a webhook, so neither does the mock.
// A 3xx to the handshake or to a signed POST is a failed attempt, journalled with the status and the
// reason, retried as any failure; the verify token and the signature never reach the host redirected to,
// which the allow-list does not name. This holds for the mock's own client and for one given to it.
func TestWebhookRedirectNotFollowed(t *testing.T) {
	for _, tc := range []struct {
		name       string
		status     int
		redirectOn string // the method answered with a redirect
		ownClient  bool
	}{
		{"handshake 302, own client", http.StatusFound, http.MethodGet, true},
		{"handshake 307, given client", http.StatusTemporaryRedirect, http.MethodGet, false},
		{"delivery 307, own client", http.StatusTemporaryRedirect, http.MethodPost, true},
		{"delivery 308, given client", http.StatusPermanentRedirect, http.MethodPost, false},
		{"delivery 302, own client", http.StatusFound, http.MethodPost, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			away := newElsewhere(t)
			r := &receiver{t: t, secret: DefaultAppSecret, token: DefaultVerifyToken}
			r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				if req.Method == tc.redirectOn {
					target := away.srv.URL + "/stolen"
					if req.URL.RawQuery != "" {
						target += "?" + req.URL.RawQuery
					}
					http.Redirect(w, req, target, tc.status)
					return
				}
				r.serve(w, req)
			}))
			t.Cleanup(r.srv.Close)
			allowed, _ := url.Parse(r.srv.URL)
			opts := []Option{fixedWall(), WithWebhook(r.URL()), WithWebhookHosts(allowed.Host), WithWebhookRetry(3, 0)}
			given := &http.Client{}
			if !tc.ownClient {
				opts = append(opts, WithHTTPClient(given))
			}
			s := RunT(t, opts...)
			res, err := s.SendFromCustomer(testCtx(t), lucia, CustomerMessage{Text: "hola"})
			if err != nil {
				t.Fatal(err)
			}
			if queries, sigs := away.hits(); len(queries) != 0 {
				t.Fatalf("the redirect was followed to a host not on the list: queries %q, signatures %q", queries, sigs)
			}
			if res.Error == "" {
				t.Fatalf("a redirected webhook counted as delivered: %+v", res)
			}
			if given.CheckRedirect != nil {
				t.Fatal("WithHTTPClient changed the caller's client")
			}
			evs := s.Journal().Events()
			if tc.redirectOn == http.MethodGet {
				var v VerifyResult
				for _, e := range evs {
					if e.Kind == journal.KindWebhookVerify {
						if err := e.Decode(&v); err != nil {
							t.Fatal(err)
						}
					}
				}
				if v.OK || v.Status != tc.status || !strings.Contains(v.Error, "redirects are not followed") {
					t.Fatalf("handshake journalled as %+v, want not ok, status %d and the redirect named", v, tc.status)
				}
				if strings.Contains(v.Error, DefaultVerifyToken) {
					t.Fatalf("the journal carries the verify token: %q", v.Error)
				}
				return
			}
			got := attempts(t, s.Journal())
			if len(got) != 3 || res.Attempts != 3 || res.WebhookStatus != tc.status {
				t.Fatalf("%d attempts journalled, result %+v; want 3 failed attempts with status %d", len(got), res, tc.status)
			}
			for _, a := range got {
				if a.Status != tc.status || a.URL != r.URL() || !strings.Contains(a.Error, "redirects are not followed") ||
					!strings.Contains(a.Error, away.srv.URL+"/stolen") {
					t.Errorf("attempt journalled as %+v, want status %d and the redirect it was refused", a, tc.status)
				}
			}
		})
	}
}
