package reference

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestHookRefusals(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		want                     int
		violations               []string
	}{
		{"bad JSON", "POST", "/parley/consent", `{`, 400, nil},
		{"unknown field", "POST", "/parley/consent", `{"version":"1","wa_id":"34600000001","purpose":"marketing","channel":"web","wording":"x","color":"red"}`, 400, nil},
		{"trailing data", "POST", "/parley/notify", `{"version":"1","wa_id":"34600000001","event":"order_shipped"} {}`, 400, nil},
		{"wrong version", "POST", "/parley/campaign", `{"version":"2","campaign":"x"}`, 400, nil},
		{"missing version", "POST", "/parley/campaign", `{"campaign":"x"}`, 400, nil},
		{"consent bad wa_id", "POST", "/parley/consent", `{"version":"1","wa_id":"+34 600","purpose":"marketing","channel":"web","wording":"x"}`, 422, nil},
		{"consent bad purpose", "POST", "/parley/consent", `{"version":"1","wa_id":"34600000001","purpose":"spam","channel":"web","wording":"x"}`, 422, nil},
		{"consent no channel", "POST", "/parley/consent", `{"version":"1","wa_id":"34600000001","purpose":"marketing","wording":"x"}`, 422, nil},
		{"consent no wording", "POST", "/parley/consent", `{"version":"1","wa_id":"34600000001","purpose":"marketing","channel":"sms"}`, 422, nil},
		{"consent complete", "POST", "/parley/consent", `{"version":"1","wa_id":"34600000001","purpose":"marketing","channel":"sms","wording":"Acepto ofertas de Tienda Ejemplo por WhatsApp","time":"2026-03-02T09:00:00Z"}`, 201, nil},
		{"withdrawal needs no wording", "POST", "/parley/consent", `{"version":"1","wa_id":"34600000001","purpose":"marketing","given":false}`, 201, nil},
		{"WA-OPTIN-03 takes incomplete consent", "POST", "/parley/consent", `{"version":"1","wa_id":"34600000001","purpose":"marketing"}`, 201, []string{"WA-OPTIN-03"}},
		{"notify unknown event", "POST", "/parley/notify", `{"version":"1","wa_id":"34600000001","event":"birthday"}`, 422, nil},
		{"notify bad wa_id", "POST", "/parley/notify", `{"version":"1","wa_id":"abc","event":"order_shipped"}`, 422, nil},
		{"release without handoff", "POST", "/parley/handoff/release", `{"version":"1","wa_id":"34600000001"}`, 404, nil},
		{"consent records without wa_id", "GET", "/parley/consent", ``, 400, nil},
		{"consent records", "GET", "/parley/consent?wa_id=34600000001", ``, 200, nil},
		{"unknown hook", "POST", "/parley/teleport", `{}`, 404, nil},
		{"wrong method", "GET", "/parley/campaign", ``, 405, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newUnitBot(t, tt.violations...)
			rec := httptest.NewRecorder()
			b.Handler().ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body)))
			if rec.Code != tt.want {
				t.Fatalf("status = %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			if rec.Code >= 400 && rec.Code != http.StatusNotFound && rec.Code != http.StatusMethodNotAllowed && !strings.Contains(rec.Body.String(), `"error"`) {
				t.Errorf("refusal without an error message: %s", rec.Body)
			}
		})
	}
}

func TestConsentLedgerRecordsProof(t *testing.T) {
	b := newUnitBot(t)
	rec := httptest.NewRecorder()
	b.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/parley/consent", strings.NewReader(
		`{"version":"1","wa_id":"34600000001","purpose":"marketing","given":true,"channel":"atm","wording":"Acepto ofertas de Tienda Ejemplo por WhatsApp","time":"2026-03-02T09:00:00Z"}`)))
	if rec.Code != 201 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	b.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/parley/consent?wa_id=34600000001", nil))
	for _, want := range []string{`"channel":"atm"`, `"wording":"Acepto ofertas de Tienda Ejemplo por WhatsApp"`, `"time":"2026-03-02T09:00:00Z"`, `"given":true`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("ledger lacks %s: %s", want, rec.Body)
		}
	}
}

// TestHookIdle: GET /parley/idle answers once what the assistant accepted is handled, not before; a
// caller that gives up while it is busy gets 503.
func TestHookIdle(t *testing.T) {
	b := newUnitBot(t)
	release := make(chan struct{})
	var handled atomic.Bool
	if _, err := b.enqueue("34600000001", func(context.Context) { <-release; handled.Store(true) }); err != nil {
		t.Fatal(err)
	}

	gone, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	b.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/parley/idle", nil).WithContext(gone))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"error"`) {
		t.Fatalf("busy, caller gone: %d %s, want 503 with an error", rec.Code, rec.Body)
	}

	answered := make(chan *httptest.ResponseRecorder)
	go func() {
		rec := httptest.NewRecorder()
		b.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/parley/idle", nil))
		answered <- rec
	}()
	close(release)
	rec = <-answered
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"result":"idle"`) {
		t.Fatalf("idle: %d %s, want 200 with result idle", rec.Code, rec.Body)
	}
	if !handled.Load() {
		t.Error("GET /parley/idle answered before the job it was waiting for had run")
	}
}
