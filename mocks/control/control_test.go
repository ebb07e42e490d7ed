package control

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRequireToken(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "served "+r.URL.Path) })
	for _, tc := range []struct {
		name       string
		token      string
		format     ErrorFormat
		path, auth string
		wantStatus int
		wantBody   string // substring
	}{
		{"control without token", "s3cret", GraphErrors, "/_parley/healthz", "", 401, `"type":"ParleyControlException"`},
		{"control wrong token", "s3cret", GraphErrors, "/_parley/journal", "Bearer nope", 401, "not valid"},
		{"control prefix of token", "s3cret", GraphErrors, "/_parley/journal", "Bearer s3cre", 401, "not valid"},
		{"control other scheme", "s3cret", GraphErrors, "/_parley/journal", "Basic s3cret", 401, "not valid"},
		{"bare prefix guarded", "s3cret", GraphErrors, "/_parley", "", 401, "Bearer"},
		{"google format", "s3cret", GoogleErrors, "/_parley/healthz", "", 401, `"status":"UNAUTHENTICATED"`},
		{"control right token", "s3cret", GraphErrors, "/_parley/healthz", "Bearer s3cret", 200, "served /_parley/healthz"},
		{"service surface untouched", "s3cret", GraphErrors, "/v23.0/123/messages", "", 200, "served /v23.0"},
		{"lookalike path untouched", "s3cret", GraphErrors, "/_parleyx", "", 200, "served /_parleyx"},
		{"empty token guards nothing", "", GraphErrors, "/_parley/healthz", "", 200, "served"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tc.path, nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			rec := httptest.NewRecorder()
			RequireToken(tc.token, tc.format, next).ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus || !strings.Contains(rec.Body.String(), tc.wantBody) {
				t.Fatalf("%d %s, want %d with %q", rec.Code, rec.Body, tc.wantStatus, tc.wantBody)
			}
			if rec.Code == 401 {
				if rec.Header().Get("WWW-Authenticate") == "" {
					t.Error("401 without a WWW-Authenticate challenge")
				}
				var env struct {
					Error struct{ Code int } `json:"error"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Error.Code != 401 {
					t.Errorf("error body %s: code %d, %v", rec.Body, env.Error.Code, err)
				}
				if strings.Contains(rec.Body.String(), "s3cret") {
					t.Error("the 401 answer echoes the token")
				}
			}
		})
	}
}

func TestClientSendsToken(t *testing.T) {
	srv := httptest.NewServer(RequireToken("tok", GraphErrors, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	defer srv.Close()
	for _, tc := range []struct {
		name  string
		token string
		want  int
	}{{"with token", "tok", 200}, {"without", "", 401}, {"wrong", "bad", 401}} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/_parley/healthz", nil)
			resp, err := Client(tc.token, nil).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
			if req.Header.Get("Authorization") != "" {
				t.Error("the caller's request was modified")
			}
		})
	}
}

func TestIsLoopback(t *testing.T) {
	for _, tc := range []struct {
		name string
		addr string
		want bool
	}{
		{"ipv4 loopback", "127.0.0.1:4010", true},
		{"other 127/8", "127.1.2.3:0", true},
		{"ipv6 loopback", "[::1]:4010", true},
		{"localhost", "localhost:4010", true},
		{"all interfaces, empty host", ":4010", false},
		{"all interfaces", "0.0.0.0:4010", false},
		{"all interfaces v6", "[::]:4010", false},
		{"a name", "mocks:4010", false},
		{"lan address", "192.168.1.5:4010", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsLoopback(tc.addr); got != tc.want {
				t.Errorf("IsLoopback(%q) = %v, want %v", tc.addr, got, tc.want)
			}
		})
	}
}

func TestCheckToken(t *testing.T) {
	for _, tc := range []struct {
		token string
		ok    bool
	}{
		{"s3cr3t", true}, {"a.b-c_d~e+f/g=", true},
		{"", false}, {" ", false}, {"\t\n", false}, {" s3cr3t", false}, {"s3 cr3t", false}, {"s3\x7fcr3t", false}, {"contraseña", false},
	} {
		if err := CheckToken(tc.token); (err == nil) != tc.ok {
			t.Errorf("CheckToken(%q): %v, want ok %t", tc.token, err, tc.ok)
		}
	}
}
