package control

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

func TestMux(t *testing.T) {
	route := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "%s %s %s|%s", name, r.URL.Path, r.PathValue("id"), r.PathValue("name"))
		}
	}
	newMux := func(opts ...MuxOption) *Mux {
		m := NewMux(route("fallback"), opts...)
		m.HandleFunc("GET /{version}/{id}", route("object"))
		m.HandleFunc("POST /{version}/{id}/messages", route("send"))
		m.HandleFunc("POST /{version}/{name...}", route("verb"))
		m.HandleFunc("GET /_parley/journal", route("journal"))
		return m
	}
	for _, tc := range []struct {
		name         string
		method, path string
		trim, join   bool
		want         string
	}{
		{"a route", "GET", "/v1/abc", false, false, "object /v1/abc abc|"},
		{"a route with its method", "POST", "/v1/abc/messages", false, false, "send /v1/abc/messages abc|"},
		{"another method is the fallback, not 405", "DELETE", "/v1/abc", false, false, "fallback /v1/abc |"},
		{"HEAD is not served by a GET route", "HEAD", "/v1/abc", false, false, "fallback /v1/abc |"},
		{"an unknown path", "GET", "/v1/abc/def/ghi", false, false, "fallback /v1/abc/def/ghi |"},
		{"the root", "GET", "/", false, false, "fallback / |"},
		{"an empty segment is the fallback, not a redirect", "GET", "/v1//abc", false, false, "fallback /v1//abc |"},
		{"a dot segment is a name", "GET", "/v1/.", false, false, "object /v1/. .|"},
		{"a dot-dot segment is a name", "GET", "/v1/..", false, false, "object /v1/.. ..|"},
		{"dot segments are counted, never resolved", "GET", "/v1/./abc", false, false, "fallback /v1/./abc |"},
		{"a dot-dot path", "GET", "/_media/../../etc/passwd", false, false, "fallback /_media/../../etc/passwd |"},
		{"a trailing slash is another path", "GET", "/v1/abc/", false, false, "fallback /v1/abc/ |"},
		{"the parent of a {name...} route is not redirected", "POST", "/v2", false, false, "fallback /v2 |"},
		{"a {name...} route", "POST", "/v2/projects/p/agent/sessions/s:detectIntent", false, false, "verb /v2/projects/p/agent/sessions/s:detectIntent |projects/p/agent/sessions/s:detectIntent"},
		{"an escaped slash separates segments", "GET", "/v1/a%2Fb", false, false, "fallback /v1/a/b |"},
		{"escapes are decoded in wildcards", "GET", "/v1/a%20b", false, false, "object /v1/a b a b|"},
		{"edge slashes ignored, path kept", "GET", "//v1/abc/", true, false, "object //v1/abc/ abc|"},
		{"edge slashes on control routes", "GET", "/_parley/journal/", true, false, "journal /_parley/journal/ |"},
		{"inner empty segments still the fallback", "GET", "/v1//abc", true, false, "fallback /v1//abc |"},
		{"edge slashes never lead into the control prefix", "GET", "//_parley/journal", true, false, "fallback //_parley/journal |"},
		{"edge slashes not ignored by default", "GET", "//v1/abc", false, false, "fallback //v1/abc |"},
		{"empty segments reach a {name...} route", "POST", "/v2/projects//agent/./sessions/s:detectIntent", false, true, "verb /v2/projects//agent/./sessions/s:detectIntent |projects//agent/./sessions/s:detectIntent"},
		{"a trailing slash reaches a {name...} route", "POST", "/v2/projects/p/agent/", false, true, "verb /v2/projects/p/agent/ |projects/p/agent/"},
		{"an empty segment is joined to the one before", "GET", "/v1//abc", false, true, "object /v1//abc abc|"},
		{"an empty first segment", "POST", "//v2/x", false, true, "fallback //v2/x |"},
		{"empty segments go to the fallback by default", "POST", "/v2/projects//agent", false, false, "fallback /v2/projects//agent |"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []MuxOption
			if tc.trim {
				opts = append(opts, IgnoreEdgeSlashes())
			}
			if tc.join {
				opts = append(opts, JoinEmptySegments())
			}
			req := httptest.NewRequest(tc.method, "http://mock"+tc.path, nil)
			rec := httptest.NewRecorder()
			newMux(opts...).ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || rec.Body.String() != tc.want {
				t.Errorf("%s %s: %d %q, want %q", tc.method, tc.path, rec.Code, rec.Body, tc.want)
			}
		})
	}
	if got := newMux().Patterns(); !slices.Equal(got, []string{"GET /{version}/{id}", "POST /{version}/{id}/messages", "POST /{version}/{name...}", "GET /_parley/journal"}) {
		t.Errorf("Patterns() = %q", got)
	}
}

func TestMuxRefusesPatternWithoutMethod(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a pattern without a method was accepted")
		}
	}()
	NewMux(func(http.ResponseWriter, *http.Request) {}).HandleFunc("/v1/abc", func(http.ResponseWriter, *http.Request) {})
}
