package dialogflow

import (
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
	values := map[string]string{
		"version": "v2", "project": s.Project(), "location": "global", "environment": "draft", "user": "u1",
		"session": "s1", "context": "c1", "name...": "projects/" + s.Project() + "/agent/sessions/s1:detectIntent",
	}
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
			req, _ := http.NewRequestWithContext(testCtx(t), method, s.URL()+path, strings.NewReader("{}"))
			code, b := do(t, req)
			for _, e := range j.After(before) {
				if e.Kind == journal.KindUnmodelled {
					t.Errorf("%s %s answered as unmodelled: HTTP %d %s", method, path, code, b)
				}
			}
		})
	}
}

// TestRoutingEdges: what the route table does not serve is answered as the mock always answered it,
// NOT_FOUND in Google's envelope and journalled as unmodelled, whatever ServeMux would have done on its
// own (405, redirects, GET routes answering HEAD).
func TestRoutingEdges(t *testing.T) {
	const sess = "/v2/projects/parley-demo/agent/sessions/s1"
	for _, tc := range []struct {
		name, method, path string
		wantHTTP           int
		wantKind           string
	}{
		{"the parent of the verb route is not redirected", "POST", "/v2", 404, journal.KindUnmodelled},
		{"an unknown version", "POST", "/v1/projects/parley-demo/agent/sessions/s1:detectIntent", 404, journal.KindUnmodelled},
		{"another verb", "POST", sess + "/contexts:batchDelete", 404, journal.KindUnmodelled},
		{"a verb on a context", "GET", sess + "/contexts/c1:get", 404, journal.KindUnmodelled},
		{"another method on contexts", "PUT", sess + "/contexts", 404, journal.KindUnmodelled},
		{"POST on a context", "POST", sess + "/contexts/c1", 404, journal.KindUnmodelled},
		{"HEAD on the agent", "HEAD", "/v2/projects/parley-demo/agent", 404, journal.KindUnmodelled},
		{"contexts in CX", "GET", "/v3/projects/parley-demo/agent/sessions/s1/contexts", 404, journal.KindUnmodelled},
		{"the agent in CX", "GET", "/v3/projects/parley-demo/agent", 404, journal.KindUnmodelled},
		{"a trailing slash on a control route", "GET", "/_parley/healthz/", 404, journal.KindUnmodelled},
		{"a control route with another method", "DELETE", "/_parley/sessions", 404, journal.KindUnmodelled},
		{"the bare control prefix", "GET", "/_parley", 404, journal.KindUnmodelled},
		{"a session with a colon is the handler's to refuse", "GET", "/v2/projects/parley-demo/agent/sessions/a:b/contexts", 400, journal.KindRequestRejected},
		{"a v2beta1 context", "GET", "/v2beta1/projects/parley-demo/agent/sessions/s1/contexts/nothere", 404, journal.KindRequestRejected},
		{"an ES session in v3", "POST", "/v3/projects/parley-demo/agent/sessions/s1:detectIntent", 400, journal.KindDetectIntentRejected},
		{"an empty project is detectIntent's to refuse", "POST", "/v2/projects//agent/sessions/s1:detectIntent", 400, journal.KindDetectIntentRejected},
		{"so is a dot segment", "POST", "/v2/projects/parley-demo/./agent/sessions/s1:detectIntent", 400, journal.KindDetectIntentRejected},
		{"an odd first segment", "POST", "//v2/projects/parley-demo/agent/sessions/s1:detectIntent", 404, journal.KindUnmodelled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := journal.New(nil)
			s := RunT(t, WithJournal(j))
			req, _ := http.NewRequestWithContext(testCtx(t), tc.method, s.URL()+tc.path, strings.NewReader(okBody))
			code, b := do(t, req)
			if code != tc.wantHTTP {
				t.Errorf("HTTP %d %s, want %d", code, b, tc.wantHTTP)
			}
			if n := len(j.Filter(func(e journal.Event) bool { return e.Kind == tc.wantKind })); n != 1 {
				t.Errorf("%d %s events, want 1: %v", n, tc.wantKind, kinds(j))
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
