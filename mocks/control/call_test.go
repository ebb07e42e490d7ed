package control

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCall(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.URL.Path != "/_parley/echo" || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, `{"error":{"message":"wrong path or type","code":400}}`, http.StatusBadRequest)
			return
		}
		w.Write(b)
	}))
	defer srv.Close()
	status, b, err := Call(context.Background(), http.DefaultClient, "test", srv.URL, http.MethodPost, "/echo", map[string]int{"n": 1})
	if err != nil || status != 200 || string(b) != `{"n":1}` {
		t.Errorf("echo: %d %s %v", status, b, err)
	}
	status, b, err = Call(context.Background(), http.DefaultClient, "test", srv.URL, http.MethodGet, "/other", nil)
	if err != nil || status != 400 || ErrorMessage(b) != "wrong path or type" {
		t.Errorf("refusal: %d %s %v", status, b, err)
	}
	_, _, err = Call(context.Background(), http.DefaultClient, "whatsapp", "http://127.0.0.1:1", http.MethodGet, "/healthz", nil)
	if err == nil || !strings.HasPrefix(err.Error(), "whatsapp control GET /healthz: ") {
		t.Errorf("unreachable mock: %v", err)
	}
}

func TestErrorMessage(t *testing.T) {
	for in, want := range map[string]string{
		`{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190}}`: "Invalid OAuth access token.",
		`{"error":{"code":404,"message":"No session.","status":"NOT_FOUND"}}`:                    "No session.",
		`plain text`:  "",
		`{"other":1}`: "",
	} {
		if got := ErrorMessage([]byte(in)); got != want {
			t.Errorf("ErrorMessage(%s) = %q, want %q", in, got, want)
		}
	}
}
