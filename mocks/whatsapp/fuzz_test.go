package whatsapp

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzSendDecoder throws arbitrary bodies at the send path through the handler (no network): whatever
// the body, the answer is 200 or the Graph envelope with a 4xx, never a panic or a 5xx.
func FuzzSendDecoder(f *testing.F) {
	seeds := []string{
		textTo(lucia, "hola"),
		`{"messaging_product":"whatsapp","to":"34600111222","type":"template","template":{"name":"promo_verano","language":{"code":"es"},"components":[{"type":"body","parameters":[{"type":"text","text":"a"}]},{"type":"button","index":"x"}]}}`,
		`{"messaging_product":"whatsapp","to":"34600111222","type":"interactive","interactive":{"type":"list","body":{"text":"b"},"action":{"button":"v","sections":[{"rows":[{"id":"a","title":"b"}]}]}}}`,
		`{"messaging_product":"whatsapp","to":"34600111222","type":"location","location":{"latitude":{},"longitude":[]}}`,
		`{"messaging_product":"whatsapp","status":"read","message_id":"wamid.x","typing_indicator":{"type":"audio"}}`,
		`{"messaging_product":"whatsapp","to":"34600111222","type":"contacts","contacts":[{"name":null}]}`,
		`{"messaging_product":"whatsapp","to":"34600111222","type":"reaction","reaction":{"message_id":"x","emoji":null}}`,
		`{"messaging_product":"whatsapp","to":"\u0000","type":"image","image":{"id":"","link":""}}`,
		`[]`, `null`, `{`, "", "\xff\xfe", `{"text":{"body":` + strings.Repeat("[", 10000),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	s, err := NewServer(fixedWall(), WithMPS(0), WithPairRate(0))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = s.Close() })
	openWindowFuzz(s)
	h := s.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/v23.0/"+DefaultPhoneNumberID+"/messages", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+DefaultAccessToken)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 && (rec.Code < 400 || rec.Code >= 500) {
			t.Fatalf("HTTP %d for %q: %s", rec.Code, body, rec.Body)
		}
		if rec.Code != 200 && !strings.Contains(rec.Body.String(), `"fbtrace_id"`) {
			t.Fatalf("no Graph envelope for %q: %s", body, rec.Body)
		}
	})
}

func openWindowFuzz(s *Server) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.customer(lucia).lastInbound = s.clock.Now()
}
