package control

import (
	"context"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// Mux is a mock's whole HTTP surface as http.ServeMux method-and-path patterns ("POST
// /{version}/{phone}/messages", "GET /_parley/journal"), so the table a mock registers is its routing.
//
// Whatever the table does not serve goes to the mock's fallback, which answers in the real service's
// error envelope and journals the request as unmodelled. ServeMux on its own would answer some of those
// requests itself, in shapes no real service has and with nothing journalled: a 405 for a known path
// with another method (the fallback, registered as "/", takes those), a redirect for a path with an
// empty, "." or ".." segment, and a GET route for a HEAD request (no mock models HEAD). Mux keeps all of
// them from ServeMux.
//
// Patterns match the decoded path segment by segment, as the mocks have always split it: an escaped
// slash (%2F) separates segments like a plain one, "." and ".." are names like any other (a path is
// never resolved), and a wildcard's value is the decoded segment. A path with an empty segment inside it
// ("/v2//x") goes to the fallback, unless the mock asks for JoinEmptySegments.
type Mux struct {
	mux       *http.ServeMux
	fallback  http.Handler
	canonical func(string) string
	joinEmpty bool
	patterns  []string
	paths     map[string]bool // every pattern given to ServeMux, the fallback's guards too
}

// MuxOption configures a Mux.
type MuxOption func(*Mux)

// IgnoreEdgeSlashes routes a path as if any slashes at its start and end were one leading slash
// ("//v23.0/123/messages/" as "/v23.0/123/messages"): a client that joins a base URL ending in "/" with a
// path starting with one still reaches the route. The handler sees the path as it was sent. A path is
// never moved into or out of the control prefix this way ("//_parley/reset" stays what it is), since
// RequireToken guards the path as sent.
func IgnoreEdgeSlashes() MuxOption {
	return func(m *Mux) {
		m.canonical = func(p string) string {
			c := "/" + strings.Trim(p, "/")
			if IsControlPath(c) != IsControlPath(p) {
				return p
			}
			return c
		}
	}
}

// JoinEmptySegments routes a path with an empty segment inside it ("projects//agent") instead of
// sending it to the fallback: the empty segment is joined to the one before it, which a wildcard then
// takes whole ("projects/"). For a mock whose handlers parse the resource name in the path as sent, and
// refuse a malformed one with the service's own message.
func JoinEmptySegments() MuxOption {
	return func(m *Mux) { m.joinEmpty = true }
}

// IsControlPath reports whether p is under the control prefix (/_parley or /_parley/…), as RequireToken
// and the mocks' fallbacks see it.
func IsControlPath(p string) bool {
	return p == strings.TrimSuffix(Prefix, "/") || strings.HasPrefix(p, Prefix)
}

// NewMux returns a Mux that answers with fallback whatever no pattern serves.
func NewMux(fallback http.HandlerFunc, opts ...MuxOption) *Mux {
	m := &Mux{mux: http.NewServeMux(), fallback: fallback, paths: map[string]bool{}}
	for _, o := range opts {
		o(m)
	}
	m.mux.Handle("/", m.restore(fallback))
	return m
}

// HandleFunc registers h for pattern, a ServeMux pattern with a method. Like ServeMux it panics on a
// pattern that is malformed or that conflicts with one already registered.
func (m *Mux) HandleFunc(pattern string, h http.HandlerFunc) {
	method, p, ok := strings.Cut(pattern, " ")
	if !ok || method == "" || strings.HasPrefix(method, "/") {
		panic("control.Mux: pattern " + pattern + " has no method")
	}
	m.mux.Handle(pattern, m.restore(h))
	m.patterns = append(m.patterns, pattern)
	m.paths[pattern] = true
	// ServeMux redirects "/v2" to "/v2/" when "/v2/{name...}" would match that with an empty name; the
	// parent path, registered for the fallback, is an exact match for "/v2" and keeps the redirect away.
	if i := strings.LastIndex(p, "/"); i > 0 && (strings.HasSuffix(p, "...}") || strings.HasSuffix(p, "/")) {
		parent := method + " " + p[:i]
		if !m.paths[parent] {
			m.mux.Handle(parent, m.restore(m.fallback))
			m.paths[parent] = true
		}
	}
}

// Patterns returns the registered patterns, in the order registered (the fallback is not one of them).
func (m *Mux) Patterns() []string { return append([]string(nil), m.patterns...) }

// ServeHTTP routes r.
func (m *Mux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	routed := r.URL.Path
	if m.canonical != nil {
		routed = m.canonical(routed)
	}
	if r.Method == http.MethodHead || r.Method == http.MethodConnect || routed == "" || routed[0] != '/' {
		m.fallback.ServeHTTP(w, r)
		return
	}
	raw, ok := m.escape(routed)
	if !ok {
		m.fallback.ServeHTTP(w, r)
		return
	}
	if routed == r.URL.Path && r.URL.RawPath == "" && raw == "" {
		m.mux.ServeHTTP(w, r)
		return
	}
	// ServeMux matches the escaped path, the request's RawPath when that encodes its Path. Without one
	// the escaped path is the decoded one escaped again, so that an escaped slash in the request
	// separates segments, as in the mocks' own splitting.
	u := *r.URL
	u.Path, u.RawPath = routed, raw
	r2 := r.WithContext(context.WithValue(r.Context(), sentURLKey{}, r.URL))
	r2.URL = &u
	m.mux.ServeHTTP(w, r2)
}

type sentURLKey struct{}

// restore gives h the URL the request was sent with, when ServeHTTP routed it by another one; the
// wildcards ServeMux matched stay on the request.
func (m *Mux) restore(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, ok := r.Context().Value(sentURLKey{}).(*url.URL); ok {
			r.URL = u
		}
		h.ServeHTTP(w, r)
	})
}

// escape returns the escaped form of the decoded path p that ServeMux is to match, "" when that is p's
// own escaping. A "." or ".." segment is escaped ("%2E") so that ServeMux takes it as a name rather than
// redirect; an empty segment inside p is joined to the one before by an escaped slash when the mock
// asked for JoinEmptySegments ("/v2/projects//agent" → "/v2/projects%2F/agent"), and otherwise makes p
// unroutable (ok false).
func (m *Mux) escape(p string) (raw string, ok bool) {
	if !strings.Contains(p, "//") && !strings.Contains(p+"/", "/./") && !strings.Contains(p+"/", "/../") {
		return "", true
	}
	segs := strings.Split(p[1:], "/")
	var b strings.Builder
	for i, seg := range segs {
		switch {
		case seg != "" || i == len(segs)-1: // a trailing slash is a path of its own, not an empty segment
			b.WriteByte('/')
		case m.joinEmpty && i > 0:
			b.WriteString("%2F")
		default:
			return "", false
		}
		switch seg {
		case ".":
			b.WriteString("%2E")
		case "..":
			b.WriteString("%2E%2E")
		default:
			b.WriteString(url.PathEscape(seg))
		}
	}
	raw = b.String()
	if u := (url.URL{Path: p, RawPath: raw}); u.EscapedPath() != raw || !isClean(raw) {
		return "", false
	}
	return raw, true
}

// isClean reports whether ServeMux would route the escaped path p as it is rather than redirect it.
func isClean(p string) bool {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c == p
}
