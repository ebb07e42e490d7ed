package whatsapp

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
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

// FuzzRoutes throws arbitrary methods, paths and bodies at the whole surface: every answer is JSON, and
// anything but a 2xx is an error envelope; a 5xx is only ever the control API's own (never a Go panic).
func FuzzRoutes(f *testing.F) {
	for _, seed := range []struct{ method, path, body string }{
		{"POST", "/v23.0/" + DefaultPhoneNumberID + "/messages", textTo(lucia, "x")},
		{"GET", "/v23.0/" + DefaultWABAID + "/message_templates?limit=0&after=%%%", ""},
		{"DELETE", "/v23.0/" + DefaultWABAID + "/message_templates?name=", ""},
		{"POST", "/v23.0/" + DefaultWABAID + "/message_templates", `{"name":"a","language":"es","category":"UTILITY","components":[{"type":"BODY"}]}`},
		{"GET", "/v99.9/123/456/789", ""},
		{"POST", "/_parley/customers/34600111222/messages", `{"type":"reaction"}`},
		{"POST", "/_parley/clock", `{"advance":"-1h"}`},
		{"POST", "/_parley/faults", `{"kind":131000,"count":-1}`},
		{"GET", "/_parley/customers/x/inbox?min=1", ""},
		{"GET", "/_media/../../etc/passwd", ""},
	} {
		f.Add(seed.method, seed.path, seed.body)
	}
	s, err := NewServer(fixedWall())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = s.Close() })
	h := s.Handler()
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !validMethod(method) || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \x00\r\n\t#?") && !strings.Contains(path, "?") {
			t.Skip()
		}
		req, err := http.NewRequest(method, "http://mock"+path, strings.NewReader(body))
		if err != nil {
			t.Skip()
		}
		req.Header.Set("Authorization", "Bearer "+DefaultAccessToken)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req.WithContext(ctx))
		if !json.Valid(rec.Body.Bytes()) && rec.Header().Get("Content-Type") == "application/json; charset=UTF-8" {
			t.Fatalf("%s %s: invalid JSON %q", method, path, rec.Body)
		}
		if rec.Code >= 300 && !strings.Contains(rec.Body.String(), `"error"`) {
			t.Fatalf("%s %s: HTTP %d without an error envelope: %s", method, path, rec.Code, rec.Body)
		}
		if rec.Code >= 500 && rec.Code != http.StatusGatewayTimeout && strings.Contains(rec.Body.String(), "OAuthException") && !strings.Contains(rec.Body.String(), "131000") {
			t.Fatalf("%s %s: HTTP %d: %s", method, path, rec.Code, rec.Body)
		}
	})
}

func validMethod(m string) bool {
	switch m {
	case "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS":
		return true
	}
	return false
}
