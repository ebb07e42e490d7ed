package control

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// Prefix is where every mock's control routes live.
const Prefix = "/_parley/"

// ErrorFormat is the shape of the 401 answer, so a refused call reads like the mock's other errors.
type ErrorFormat int

const (
	// GraphErrors is the WhatsApp mock's control error: the Graph envelope with type
	// ParleyControlException and code equal to the HTTP status (docs/control-api.md).
	GraphErrors ErrorFormat = iota
	// GoogleErrors is google.rpc.Status as Google's REST APIs write it:
	// {"error":{"code":401,"message":…,"status":"UNAUTHENTICATED"}}.
	GoogleErrors
)

// CheckToken refuses a control token no client could send: a blank one, or one with spaces or characters
// outside printable ASCII, which HTTP trims from an Authorization header or cannot carry in it.
func CheckToken(token string) error {
	if strings.TrimSpace(token) == "" {
		return errors.New("the control token is blank: give one of printable characters")
	}
	for _, r := range token {
		if r <= ' ' || r > '~' {
			return fmt.Errorf("the control token has spaces or characters outside printable ASCII (%q): HTTP cannot carry it as sent; use letters, digits and punctuation", r)
		}
	}
	return nil
}

// RequireToken serves next, except that a request under /_parley/ (or /_parley itself) must carry
// `Authorization: Bearer token`; otherwise it gets 401 with a WWW-Authenticate challenge. An empty token
// guards nothing: next is returned as it is.
func RequireToken(token string, format ErrorFormat, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !IsControlPath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) == 1 {
			next.ServeHTTP(w, r)
			return
		}
		msg := "the control API needs Authorization: Bearer <control token> (--control-token or PARLEY_CONTROL_TOKEN)"
		if len(got) > 0 {
			msg = "the control token is not valid"
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="parley control"`)
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(http.StatusUnauthorized)
		var body any
		switch format {
		case GoogleErrors:
			body = map[string]any{"error": map[string]any{"code": http.StatusUnauthorized, "message": msg, "status": "UNAUTHENTICATED"}}
		default:
			body = map[string]any{"error": map[string]any{"message": msg, "type": "ParleyControlException", "code": http.StatusUnauthorized}}
		}
		_ = json.NewEncoder(w).Encode(body)
	})
}

// Client returns an HTTP client that sends `Authorization: Bearer token` on every request, for the mocks'
// control clients (WithHTTPClient). A nil base uses
// http.DefaultTransport; an empty token returns a client that adds nothing.
func Client(token string, base http.RoundTripper) *http.Client {
	if base == nil {
		base = http.DefaultTransport
	}
	if token == "" {
		return &http.Client{Transport: base}
	}
	return &http.Client{Transport: bearer{token: token, base: base}}
}

type bearer struct {
	token string
	base  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context()) // a RoundTripper must not modify the caller's request
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.base.RoundTrip(r)
}

// IsLoopback reports whether a listen address (host:port) binds to loopback only. An empty host, 0.0.0.0
// and :: bind every interface; a name other than localhost may resolve anywhere and counts as not loopback.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
