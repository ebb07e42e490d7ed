package dialogflow

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestSessionNameInvalidUTF8 is the regression test of the fuzzer's find: a session id that is not UTF-8
// (%86 in the URL) is INVALID_ARGUMENT, also once the session has contexts. Before the fix the second
// call, whose answer names the session's contexts, failed with 500 INTERNAL.
func TestSessionNameInvalidUTF8(t *testing.T) {
	s := RunT(t)
	h := s.Handler()
	for i, body := range []string{
		`{"queryInput":{"text":{"text":"¿dónde está mi pedido?","languageCode":"es"}}}`,
		`{"queryInput":{"event":{"name":"0","languageCode":"es"}}}`,
	} {
		req := httptest.NewRequest(http.MethodPost, "/v2/projects/"+DefaultProject+"/agent/sessions/%86:detectIntent", strings.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "INVALID_ARGUMENT") {
			t.Fatalf("call %d: HTTP %d %s, want 400 INVALID_ARGUMENT", i+1, rec.Code, rec.Body)
		}
	}
}
