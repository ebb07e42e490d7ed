package harbour

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzWords: reading any text never panics, folding is stable, and a menu choice is 0 or a digit 1-9.
func FuzzWords(f *testing.F) {
	for _, s := range []string{"", "1", "STOP", "¿Dónde está mi pedido HB-50017?", "me opongo", "\xff\xfe", "ñeñe 😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = understand(s)
		_ = language(s)
		if n := menuChoice(s); n < 0 || n > 9 {
			t.Fatalf("menuChoice(%q) = %d", s, n)
		}
		if utf8.ValidString(s) && fold(fold(s)) != fold(s) {
			t.Fatalf("fold is not stable on %q", s)
		}
		_, _ = maskLeftovers(s)
	})
}

// FuzzWebhook: any signed body gets 200 or 400 and never crashes the assistant.
func FuzzWebhook(f *testing.F) {
	f.Add(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"1","id":"a","type":"text","text":{"body":"hi"}}]}}]}]}`)
	f.Add(`{"entry":[{"changes":[{"value":{"statuses":[{"recipient_id":"1","errors":[{"code":131050}]}]}}]}]}`)
	f.Add(`{"object":`)
	r := newRig(f)
	f.Fuzz(func(t *testing.T, body string) {
		req, err := http.NewRequest(http.MethodPost, r.srv.URL+"/webhook", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Hub-Signature-256", sign(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("answered %d", resp.StatusCode)
		}
	})
}
