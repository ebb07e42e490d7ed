package reference

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRecognise: any text, including invalid UTF-8 and huge inputs, is classified without panicking, and
// the same way twice.
func FuzzRecognise(f *testing.F) {
	for _, s := range []string{"BAJA", "no quiero más mensajes", "borrad mis datos", "👍", "\xff\xfe", strings.Repeat("stop ", 500)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if a, b := recognise(s), recognise(s); a != b {
			t.Fatalf("recognise(%q) is not deterministic: %q then %q", s, a, b)
		}
		_ = yesNo(s)
		_ = detectLanguage(s, "es")
		_, _ = mask(s)
		_ = orderNumberIn(s)
		_, _ = rectification(s)
	})
}

// FuzzWebhook: a correctly signed body of any content is answered 200 or 400, never a panic or a 5xx.
func FuzzWebhook(f *testing.F) {
	for _, s := range []string{
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"34600000001","id":"wamid.1","timestamp":"1772442000","type":"text","text":{"body":"hola"}}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"statuses":[{"id":"wamid.1","status":"failed","recipient_id":"34600000001","errors":[{"code":131050}]}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"user_preferences","value":{"user_preferences":[{"wa_id":"34600000001","category":"marketing_messages","value":"stop"}]}}]}]}`,
		`{`, `null`, `[]`, `{"object":1}`,
	} {
		f.Add(s)
	}
	// Nothing answers: WhatsApp refuses connections at once and the NLU fails at once, so the jobs the
	// webhook queues end quickly and Close does not wait for real timeouts.
	b, err := New(testConfig(), WithLogger(discardLogger()), WithRetryBase(0), WithSendRate(0))
	if err != nil {
		f.Fatal(err)
	}
	_ = b.nlu.close()
	b.nlu = failingNLU{}
	f.Cleanup(func() { _ = b.Close() })
	h := b.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(body))
		req.Header.Set("X-Hub-Signature-256", sign("app-secret", []byte(body)))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Fatalf("status %d for %q", rec.Code, body)
		}
	})
}

// failingNLU is Dialogflow and DLP both down.
type failingNLU struct{}

var errNLUDown = errors.New("unavailable")

func (failingNLU) deidentify(context.Context, string) (string, int, error) { return "", 0, errNLUDown }
func (failingNLU) detectIntent(context.Context, string, string, string) (nluResult, error) {
	return nluResult{}, errNLUDown
}
func (failingNLU) deleteContexts(context.Context, string) error { return errNLUDown }
func (failingNLU) close() error                                 { return nil }
