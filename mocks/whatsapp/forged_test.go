package whatsapp

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/parley-dev/parley/journal"
)

// TestForgeWebhook: a forged webhook reaches the assistant with the promised (missing or wrong)
// signature, is journalled as an unsigned webhook.attempt with the status the assistant answered, and
// changes nothing in the customer's chat; both faces of Control do it.
func TestForgeWebhook(t *testing.T) {
	faces := []struct {
		name    string
		control func(s *Server) Control
	}{
		{"in-process", func(s *Server) Control { return s }},
		{"http", func(s *Server) Control { return NewControlClient(s.URL()) }},
	}
	tests := []struct {
		name    string
		forgery Forgery
		strict  bool // the assistant verifies signatures
		want    int
	}{
		{name: "unsigned to a strict assistant", forgery: ForgeryUnsigned, strict: true, want: 401},
		{name: "wrong secret to a strict assistant", forgery: ForgeryWrongSecret, strict: true, want: 401},
		{name: "tampered to a strict assistant", forgery: ForgeryTampered, strict: true, want: 401},
		{name: "unsigned to a lax assistant", forgery: ForgeryUnsigned, want: 200},
		{name: "tampered to a lax assistant", forgery: ForgeryTampered, want: 200},
	}
	for _, face := range faces {
		for _, tt := range tests {
			t.Run(face.name+"/"+tt.name, func(t *testing.T) {
				var mu sync.Mutex
				var sigs []string
				var bodies []string
				hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method == http.MethodGet {
						io.WriteString(w, r.URL.Query().Get("hub.challenge"))
						return
					}
					b, _ := io.ReadAll(r.Body)
					sig, has := r.Header["X-Hub-Signature-256"]
					mu.Lock()
					bodies = append(bodies, string(b))
					if has {
						sigs = append(sigs, sig[0])
					} else {
						sigs = append(sigs, "(none)")
					}
					mu.Unlock()
					if tt.strict && !VerifySignature(DefaultAppSecret, b, r.Header.Get("X-Hub-Signature-256")) {
						http.Error(w, "bad signature", http.StatusUnauthorized)
						return
					}
					w.WriteHeader(http.StatusOK)
				}))
				t.Cleanup(hook.Close)
				s := RunT(t, fixedWall(), WithWebhook(hook.URL+"/webhook"))
				ctx := testCtx(t)
				res, err := face.control(s).ForgeWebhook(ctx, lucia, CustomerMessage{Text: "Hola, soy Lucia"}, tt.forgery)
				if err != nil {
					t.Fatal(err)
				}
				if res.WebhookStatus != tt.want || res.Attempts != 1 || !strings.HasPrefix(res.ID, "wamid.") {
					t.Errorf("result %+v, want status %d after one attempt", res, tt.want)
				}
				mu.Lock()
				if len(bodies) != 1 || !strings.Contains(bodies[0], `"from":"`+lucia+`"`) || !strings.Contains(bodies[0], "Hola, soy Lucia") {
					t.Fatalf("posted %q", bodies)
				}
				sig, body := sigs[0], []byte(bodies[0])
				mu.Unlock()
				switch tt.forgery {
				case ForgeryUnsigned:
					if sig != "(none)" {
						t.Errorf("unsigned forgery carried X-Hub-Signature-256 %q", sig)
					}
				case ForgeryWrongSecret, ForgeryTampered:
					if !strings.HasPrefix(sig, "sha256=") || VerifySignature(DefaultAppSecret, body, sig) {
						t.Errorf("forgery %s carried %q, which is not a well-formed wrong signature", tt.forgery, sig)
					}
				}
				evs := s.Journal().Filter(func(e journal.Event) bool { return e.Kind == journal.KindWebhookAttempt })
				if len(evs) != 1 {
					t.Fatalf("%d webhook.attempt events, want 1", len(evs))
				}
				var d journal.WebhookAttemptData
				if err := evs[0].Decode(&d); err != nil {
					t.Fatal(err)
				}
				if d.Signed || d.Status != tt.want || d.Field != "messages" || d.RefID != res.ID || evs[0].Customer != lucia {
					t.Errorf("journalled %+v for %q", d, evs[0].Customer)
				}
				if n := len(s.Journal().Filter(func(e journal.Event) bool { return e.Customer == lucia && e.Kind != journal.KindWebhookAttempt })); n != 0 {
					t.Errorf("a forged message left %d other events for the customer (WhatsApp never had it)", n)
				}
				// The window did not open: a free-form reply is outside it (and fails with 131047).
				send(t, s, textTo(lucia, "hola"))
				var out journal.OutboundData
				if err := lastEvent(t, s.Journal(), journal.KindOutboundAccepted).Decode(&out); err != nil || out.InWindow {
					t.Errorf("free-form after a forged message: in_window %v (%v), want outside the window", out.InWindow, err)
				}
			})
		}
	}
}

func TestForgeWebhookBadInput(t *testing.T) {
	s := RunT(t, fixedWall(), WithWebhook("http://127.0.0.1:1/webhook"))
	tests := []struct {
		name    string
		waID    string
		m       CustomerMessage
		forgery Forgery
	}{
		{name: "unknown forgery", waID: lucia, m: CustomerMessage{Text: "Hola"}, forgery: "maybe"},
		{name: "no text", waID: lucia, forgery: ForgeryUnsigned},
		{name: "not text", waID: lucia, m: CustomerMessage{Type: "image"}, forgery: ForgeryUnsigned},
		{name: "bad wa_id", waID: "+34", m: CustomerMessage{Text: "Hola"}, forgery: ForgeryUnsigned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.ForgeWebhook(testCtx(t), tt.waID, tt.m, tt.forgery)
			if !errors.Is(err, errBadRequest) {
				t.Errorf("in-process: %v, want a bad request", err)
			}
			var ce *ControlError
			_, err = NewControlClient(s.URL()).ForgeWebhook(testCtx(t), tt.waID, tt.m, tt.forgery)
			if !errors.As(err, &ce) || ce.HTTP != 400 {
				t.Errorf("over HTTP: %v, want 400", err)
			}
		})
	}
}
