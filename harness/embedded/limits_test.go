package embedded

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/dlp"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

// TestRequestLimits: every mock refuses a body or headers past its limit, in its service's error format,
// without reading the body whole, and keeps serving afterwards.
func TestRequestLimits(t *testing.T) {
	wa := whatsapp.RunT(t)
	df := dialogflow.RunT(t)
	d := dlp.RunT(t)
	const (
		sendPath   = "/v23.0/" + whatsapp.DefaultPhoneNumberID + "/messages"
		detectPath = "/v2/projects/" + dialogflow.DefaultProject + "/agent/sessions/s1:detectIntent"
		dlpPath    = "/v2/projects/parley-demo/content:inspect"
	)
	huge := func(n int) string { return `{"x":"` + strings.Repeat("a", n) + `"}` }
	for _, tc := range []struct {
		name   string
		url    string
		body   string
		header int // bytes of one extra header
		status int
		want   string // in the error body
	}{
		{"whatsapp body", wa.URL() + sendPath, huge(whatsapp.MaxRequestBytes), 0, http.StatusRequestEntityTooLarge, `"code":100`},
		{"dialogflow body", df.URL() + detectPath, huge(10 << 20), 0, http.StatusBadRequest, "Request payload size exceeds the limit"},
		{"dlp body", d.URL() + dlpPath, huge(dlp.MaxRequestBytes), 0, http.StatusBadRequest, "Request payload size exceeds the limit"},
		{"whatsapp headers", wa.URL() + sendPath, `{}`, 128 << 10, http.StatusRequestHeaderFieldsTooLarge, `"code":100`},
		{"dialogflow headers", df.URL() + detectPath, `{}`, 128 << 10, http.StatusRequestHeaderFieldsTooLarge, "Request header fields too large"},
		{"dlp headers", d.URL() + dlpPath, `{}`, 128 << 10, http.StatusRequestHeaderFieldsTooLarge, "Request header fields too large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, tc.url, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+whatsapp.DefaultAccessToken)
			if tc.header > 0 {
				req.Header.Set("X-Padding", strings.Repeat("p", tc.header))
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("HTTP %d %s, want %d", resp.StatusCode, trim(b), tc.status)
			}
			if tc.want != "" {
				if !json.Valid(b) || !bytes.Contains(b, []byte(`"error"`)) || !bytes.Contains(b, []byte(tc.want)) {
					t.Fatalf("refusal %s, want the service's error envelope with %q", trim(b), tc.want)
				}
			}
		})
	}
	// Still serving.
	resp, err := http.Get(wa.URL() + "/v23.0/" + whatsapp.DefaultPhoneNumberID + "?access_token=" + whatsapp.DefaultAccessToken)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("after the refusals: HTTP %d", resp.StatusCode)
	}
}

func trim(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// TestMocksCloseLeaveNoGoroutines: each mock, used and closed, leaves nothing running.
func TestMocksCloseLeaveNoGoroutines(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start func() (url string, path, body string, closeFn func() error, err error)
	}{
		{"dialogflow", func() (string, string, string, func() error, error) {
			s, err := dialogflow.NewServer()
			if err != nil {
				return "", "", "", nil, err
			}
			return s.URL(), "/v2/projects/" + dialogflow.DefaultProject + "/agent/sessions/s1:detectIntent",
				`{"queryInput":{"text":{"text":"hola","languageCode":"es"}}}`, s.Close, nil
		}},
		{"dlp", func() (string, string, string, func() error, error) {
			s, err := dlp.NewServer()
			if err != nil {
				return "", "", "", nil, err
			}
			return s.URL(), "/v2/projects/parley-demo/content:inspect", `{"item":{"value":"lucia@example.com"}}`, s.Close, nil
		}},
		{"whatsapp", func() (string, string, string, func() error, error) {
			s, err := whatsapp.NewServer()
			if err != nil {
				return "", "", "", nil, err
			}
			return s.URL(), "/v23.0/" + whatsapp.DefaultPhoneNumberID, "", s.Close, nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent(),
				goleak.IgnoreTopFunction("google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run"),
				goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"))
			url, path, body, closeFn, err := tc.start()
			if err != nil {
				t.Fatal(err)
			}
			method := http.MethodPost
			if body == "" {
				method = http.MethodGet
			}
			req, _ := http.NewRequest(method, url+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+whatsapp.DefaultAccessToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("HTTP %d %s", resp.StatusCode, trim(b))
			}
			if err := closeFn(); err != nil {
				t.Fatal(err)
			}
			http.DefaultClient.CloseIdleConnections()
		})
	}
}
