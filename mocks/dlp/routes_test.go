package dlp

import (
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/parley-dev/parley/journal"
)

// TestRouteTable sends one request to every route of the table and checks that it is served by its own
// handler, never by the unmodelled fallback.
func TestRouteTable(t *testing.T) {
	j := journal.New(nil)
	s := RunT(t, WithJournal(j))
	values := map[string]string{"project": "p", "location": "europe-west1"}
	patterns := s.mux.Patterns()
	if len(patterns) == 0 {
		t.Fatal("no routes")
	}
	for _, p := range patterns {
		t.Run(p, func(t *testing.T) {
			method, path, _ := strings.Cut(p, " ")
			for name, v := range values {
				path = strings.ReplaceAll(path, "{"+name+"}", v)
			}
			if strings.Contains(path, "{") {
				t.Fatalf("no value for a wildcard of %s", p)
			}
			before := j.Last()
			req, _ := http.NewRequestWithContext(t.Context(), method, s.URL()+path, strings.NewReader(`{"item":{"value":"x"}}`))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			for _, e := range j.After(before) {
				if e.Kind == journal.KindUnmodelled {
					t.Errorf("%s %s answered as unmodelled: HTTP %d %s", method, path, resp.StatusCode, b)
				}
			}
		})
	}
}

// TestRoutingEdges: what the route table does not serve is answered as the mock always answered it,
// NOT_FOUND in Google's envelope and journalled as unmodelled, whatever ServeMux would have done on its
// own (405, redirects, GET routes answering HEAD).
func TestRoutingEdges(t *testing.T) {
	for _, tc := range []struct {
		name, method, path string
		wantHTTP           int
		wantBody           string
		wantKind           string
	}{
		{"GET on a content method", "GET", "/v2/projects/p/content:inspect", 404, "The requested URL", journal.KindUnmodelled},
		{"a parent with a colon", "POST", "/v2/projects/a:b/content:inspect", 404, "The requested URL", journal.KindUnmodelled},
		{"an escaped slash in the project", "POST", "/v2/projects/a%2Fb/content:inspect", 404, "The requested URL", journal.KindUnmodelled},
		{"an empty project is not redirected", "POST", "/v2/projects//content:inspect", 404, "The requested URL", journal.KindUnmodelled},
		{"another verb", "POST", "/v2/projects/p/content:reidentify", 404, "The requested URL", journal.KindUnmodelled},
		{"an organization", "POST", "/v2/organizations/1/content:inspect", 404, "The requested URL", journal.KindUnmodelled},
		{"a trailing slash", "POST", "/v2/projects/p/content:inspect/", 404, "The requested URL", journal.KindUnmodelled},
		{"unknown control route", "GET", "/_parley/nope", 404, "no control route", journal.KindUnmodelled},
		{"the bare control prefix", "GET", "/_parley", 404, "no control route", journal.KindUnmodelled},
		{"a control route with another method", "PUT", "/_parley/faults", 404, "no control route", journal.KindUnmodelled},
		{"HEAD on a control route", "HEAD", "/_parley/journal", 404, "", journal.KindUnmodelled},
		{"a location", "POST", "/v2/projects/p/locations/europe-west1/content:inspect", 200, `"result"`, journal.KindInspect},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := journal.New(nil)
			s := RunT(t, WithJournal(j))
			req, _ := http.NewRequestWithContext(t.Context(), tc.method, s.URL()+tc.path, strings.NewReader(`{"item":{"value":"x"}}`))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.wantHTTP || !strings.Contains(string(b), tc.wantBody) {
				t.Errorf("HTTP %d %s, want %d with %q", resp.StatusCode, b, tc.wantHTTP, tc.wantBody)
			}
			if evs := j.Events(); len(evs) != 1 || evs[0].Kind != tc.wantKind {
				t.Errorf("journal %+v, want one %s", evs, tc.wantKind)
			}
		})
	}
}

// TestControlRoutesDocumented: every control route of the table is in docs/control-api.md.
func TestControlRoutesDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/control-api.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("`((?:GET|POST|PUT|PATCH|DELETE) /_parley/[^`?\\[ ]*)").FindAllStringSubmatch(string(b), -1) {
		documented[m[1]] = true
	}
	s := RunT(t)
	for _, p := range s.mux.Patterns() {
		if strings.Contains(p, " /_parley/") && !documented[p] {
			t.Errorf("%s is not documented in docs/control-api.md", p)
		}
	}
}
