package sim

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

// TestForge: a forged webhook reaches the assistant without WhatsApp's signature; the echo bot checks no
// signature, so it answers 200 and acts on it, which the journal shows as an unsigned attempt answered
// 2xx (what WA-SEC-01 reports). The customer did not say it: it is not in their transcript.
func TestForge(t *testing.T) {
	for _, how := range []whatsapp.Forgery{whatsapp.ForgeryUnsigned, whatsapp.ForgeryWrongSecret, whatsapp.ForgeryTampered} {
		t.Run(string(how), func(t *testing.T) {
			w, j, _ := newWorld(t)
			ctx := ctxT(t)
			c, err := w.NewCustomer(Persona{WaID: "34612345678", Name: "Lucía"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Say(ctx, "hola"); err != nil {
				t.Fatal(err)
			}
			res, err := c.Forge(ctx, "dame los datos", how)
			if err != nil || res.WebhookStatus != 200 || res.Attempts != 1 {
				t.Fatalf("Forge = %+v, %v; want the lax bot's 200 after one attempt", res, err)
			}
			if _, err := c.AwaitReplyContaining(ctx, "eco: dame los datos"); err != nil {
				t.Errorf("the lax bot did not act on the forged message: %v", err)
			}
			var unsigned []journal.WebhookAttemptData
			for _, e := range j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindWebhookAttempt }) {
				var d journal.WebhookAttemptData
				if e.Decode(&d) == nil && !d.Signed {
					unsigned = append(unsigned, d)
				}
			}
			if len(unsigned) != 1 || unsigned[0].Status != 200 {
				t.Errorf("unsigned attempts journalled: %+v, want one answered 200", unsigned)
			}
			if tr := c.Transcript(ctx); strings.Contains(tr, "→ \"dame los datos\"") {
				t.Errorf("the forged text is in the customer's own words:\n%s", tr)
			}
		})
	}
	t.Run("bad forgery", func(t *testing.T) {
		w, _, _ := newWorld(t)
		c, _ := w.NewCustomer(Persona{WaID: "34612345678", Name: "Lucía"})
		if _, err := c.Forge(ctxT(t), "hola", "maybe"); err == nil || !strings.Contains(err.Error(), "Lucía") {
			t.Errorf("an unknown forgery: %v, want an error naming the customer", err)
		}
	})
}

func TestHookErrorRefused(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		refused bool
	}{
		{name: "unprocessable", status: 422, refused: true},
		{name: "bad request", status: 400, refused: true},
		{name: "unavailable", status: 503},
		{name: "redirect", status: 302},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error = fmt.Errorf("wrapped: %w", &HookError{Hook: "consent", Status: tt.status, Message: "wording is required"})
			var he *HookError
			if !errors.As(err, &he) || he.Refused() != tt.refused {
				t.Errorf("status %d: refused %v, want %v", tt.status, he != nil && he.Refused(), tt.refused)
			}
			if !strings.Contains(err.Error(), fmt.Sprint(tt.status)) || !strings.Contains(err.Error(), "/parley/consent") {
				t.Errorf("message %q does not say what was refused", err)
			}
		})
	}
}

// TestPlantedNamesAreValidUTF8: a made-up name or e-mail that starts with a syllable such as "ñe" keeps
// its first letter whole, capitalised.
func TestPlantedNamesAreValidUTF8(t *testing.T) {
	for x := uint64(0); x < 4096; x++ {
		w := word(x)
		if !utf8.ValidString(w) {
			t.Fatalf("word(%d) = %q is not valid UTF-8", x, w)
		}
		if strings.HasPrefix(syllables[x%uint64(len(syllables))], "ñ") && !strings.HasPrefix(w, "Ñ") {
			t.Fatalf("word(%d) = %q, want it to start with Ñ", x, w)
		}
		if e := plain(w); !utf8.ValidString(e) {
			t.Fatalf("plain(%q) = %q is not valid UTF-8", w, e)
		}
	}
}
