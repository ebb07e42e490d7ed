package dlp_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/parley-dev/parley/mocks/dlp"
)

// TestControlErrorsSpeakHTTP: a wrong control call is answered as Google's front end answers a wrong
// call, a google.rpc.Status naming the field and the value, never with Go's own error text (strconv,
// encoding/json, Go types), which says nothing to someone calling over HTTP.
func TestControlErrorsSpeakHTTP(t *testing.T) {
	s := dlp.RunT(t)
	tests := []struct {
		name, method, path, body string
		want                     string
	}{
		{"after is not a number", "GET", "/_parley/journal?after=abc", "", `Invalid value at 'after' (TYPE_UINT64), "abc"`},
		{"after is negative", "GET", "/_parley/journal?after=-1", "", `Invalid value at 'after' (TYPE_UINT64), "-1"`},
		{"after overflows", "GET", "/_parley/journal?after=99999999999999999999", "", `Invalid value at 'after' (TYPE_UINT64), "99999999999999999999"`},
		{"count is a string", "POST", "/_parley/faults", `{"kind":"UNAVAILABLE","count":"3"}`, `Invalid value at 'count' (TYPE_INT32), "3"`},
		{"count overflows", "POST", "/_parley/faults", `{"kind":"UNAVAILABLE","count":99999999999999999999}`, `Invalid value at 'count' (TYPE_INT32), 99999999999999999999`},
		{"a misspelt field", "POST", "/_parley/faults", `{"kind":"UNAVAILABLE","cout":1}`, `Invalid JSON payload received. Unknown name "cout": Cannot find field.`},
		{"not JSON", "POST", "/_parley/faults", `{"kind":`, `Invalid JSON payload received.`},
		{"a kind out of range", "POST", "/_parley/faults", `{"kind":"4294967296"}`, `fault kind "4294967296": want a gRPC code name (RESOURCE_EXHAUSTED) or number`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, s.URL()+tc.path, strings.NewReader(tc.body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			var e struct {
				Error struct {
					Code    int    `json:"code"`
					Message string `json:"message"`
					Status  string `json:"status"`
				} `json:"error"`
			}
			if err := json.Unmarshal(b, &e); err != nil {
				t.Fatalf("%d %s: not a google.rpc.Status: %v", resp.StatusCode, b, err)
			}
			if resp.StatusCode != 400 || e.Error.Code != 400 || e.Error.Status != "INVALID_ARGUMENT" || !strings.HasPrefix(e.Error.Message, tc.want) {
				t.Errorf("%d %s\nwant 400 INVALID_ARGUMENT %q", resp.StatusCode, b, tc.want)
			}
			for _, goText := range []string{"strconv", "Parse", "json:", "Go struct", "Go value"} {
				if strings.Contains(e.Error.Message, goText) {
					t.Errorf("the message leaks Go's %q: %s", goText, e.Error.Message)
				}
			}
		})
	}
}
