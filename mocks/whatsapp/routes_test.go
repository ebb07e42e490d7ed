package whatsapp

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
// handler, never by the unmodelled fallback. The values put in the wildcards exist in a new mock, so
// what answers is the route itself, successful or not.
func TestRouteTable(t *testing.T) {
	rcv := newReceiver(t)
	s := RunT(t, fixedWall(), WithWebhook(rcv.URL()))
	values := map[string]string{
		"version": "v23.0", "phone": s.PhoneNumberID(), "id": s.PhoneNumberID(), "waba": s.WABAID(),
		"wa_id": lucia, "name": "pedido_enviado", "language": "es", "edge": "subscribed_apps",
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
			before := s.Journal().Last()
			req, _ := http.NewRequestWithContext(testCtx(t), method, s.URL()+path, strings.NewReader("{}"))
			req.Header.Set("Authorization", "Bearer "+s.AccessToken())
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			for _, e := range s.Journal().After(before) {
				if e.Kind == journal.KindUnmodelled {
					t.Errorf("%s %s answered as unmodelled: HTTP %d %s", method, path, resp.StatusCode, b)
				}
			}
		})
	}
}

// TestRoutingEdges: what the route table does not serve is answered as the mock always answered it, in
// the Graph or the control error envelope and journalled as unmodelled, whatever ServeMux would have
// done on its own (405, redirects, GET routes answering HEAD); and the quirks of the old router stay.
func TestRoutingEdges(t *testing.T) {
	rcv := newReceiver(t)
	s := RunT(t, fixedWall(), WithWebhook(rcv.URL()))
	pn, waba := s.PhoneNumberID(), s.WABAID()
	for _, tc := range []struct {
		name, method, path string
		wantHTTP           int
		wantBody           string // substring
		unmodelled         bool
	}{
		{"GET on the send route", "GET", "/v23.0/" + pn + "/messages", 400, `"code":2500`, true},
		{"PUT on an object", "PUT", "/v23.0/" + pn, 400, `"code":2500`, true},
		{"HEAD on an object", "HEAD", "/v23.0/" + pn, 400, "", true},
		{"not a version", "POST", "/v99/" + pn + "/messages", 400, `"code":2500`, true},
		{"a version as the phone number id", "POST", "/v23.0/messages", 400, `"code":2500`, true},
		{"a bare version", "GET", "/v23.0", 400, `"code":2500`, true},
		{"the root", "GET", "/", 400, `"code":2500`, true},
		{"an empty segment is not redirected", "POST", "/v23.0//" + pn + "/messages", 400, `"code":2500`, true},
		{"a dot-dot path is not redirected", "GET", "/_media/../../etc/passwd", 400, `"code":2500`, true},
		{"an escaped slash splits a segment", "GET", "/v23.0/12%2F34", 400, `"code":2500`, true},
		{"unknown control route", "GET", "/_parley/nothing", 404, "ParleyControlException", true},
		{"the bare control prefix", "GET", "/_parley", 404, "ParleyControlException", true},
		{"a control route with another method", "DELETE", "/_parley/clock", 404, "ParleyControlException", true},
		{"Graph under the control prefix", "POST", "/_parley/messages", 404, "ParleyControlException", true},
		{"the control prefix after a version is a Graph id", "GET", "/v23.0/_parley", 400, "does not exist", false},
		{"no version", "GET", "/" + pn, 200, `"verified_name"`, false},
		{"slashes at either end", "GET", "//v23.0/" + pn + "/", 200, `"verified_name"`, false},
		{"a trailing slash on a control route", "GET", "/_parley/healthz/", 200, `{"status":"ok"}`, false},
		{"leading slashes never reach a control route", "GET", "//_parley/healthz", 400, `"code":2500`, true},
		{"templates without a version", "GET", "/" + waba + "/message_templates", 200, `"data"`, false},
		{"templates of another account without a version", "GET", "/123/message_templates", 400, "does not exist", false},
		{"a download path is never a template list", "GET", "/_media/message_templates", 404, "does not exist", false},
		{"message_templates as an object", "GET", "/v23.0/message_templates", 400, "does not exist", false},
		{"deleting message_templates as an object", "DELETE", "/v23.0/message_templates", 400, "does not exist", false},
		{"deleting templates without a version", "DELETE", "/" + waba + "/message_templates", 400, "name", false},
		{"creating message_templates under a version", "POST", "/v23.0/message_templates", 400, `"code":2500`, true},
		{"an object after a template list without a version", "GET", "/v23.0/" + pn, 200, `"verified_name"`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := s.Journal().Last()
			req, _ := http.NewRequestWithContext(testCtx(t), tc.method, s.URL()+tc.path, nil)
			req.Header.Set("Authorization", "Bearer "+s.AccessToken())
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.wantHTTP || !strings.Contains(string(b), tc.wantBody) {
				t.Errorf("HTTP %d %s, want %d with %q", resp.StatusCode, b, tc.wantHTTP, tc.wantBody)
			}
			unmodelled := false
			for _, e := range s.Journal().After(before) {
				unmodelled = unmodelled || e.Kind == journal.KindUnmodelled
			}
			if unmodelled != tc.unmodelled {
				t.Errorf("journalled as unmodelled: %v, want %v", unmodelled, tc.unmodelled)
			}
		})
	}
}

// TestControlRoutesDocumented: the control routes of the table are the ones docs/control-api.md
// documents for the WhatsApp mock, no more and no fewer.
func TestControlRoutesDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/control-api.md")
	if err != nil {
		t.Fatal(err)
	}
	doc, _, _ := strings.Cut(string(b), "## The Dialogflow and DLP mocks")
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("`((?:GET|POST|PUT|PATCH|DELETE) /_parley/[^`?\\[ ]*)").FindAllStringSubmatch(doc, -1) {
		documented[m[1]] = true
	}
	if len(documented) < 10 {
		t.Fatalf("only %d control routes found in docs/control-api.md", len(documented))
	}
	s := RunT(t)
	for _, p := range s.mux.Patterns() {
		if strings.Contains(p, " /_parley/") && !documented[p] {
			t.Errorf("%s is not documented in docs/control-api.md", p)
		}
		delete(documented, p)
	}
	for p := range documented {
		t.Errorf("docs/control-api.md documents %s, which the WhatsApp mock does not serve", p)
	}
}
