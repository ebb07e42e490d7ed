package dlp_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/dlp"
)

// TestFaultFaces: the same fault JSON does the same thing posted to /_parley/faults and decoded and
// given to InjectFault in-process: the same content calls refused, the same delay, the same faults left.
func TestFaultFaces(t *testing.T) {
	inspect, _ := os.ReadFile(filepath.Join("testdata", "rest", "inspect_spanish.json"))
	deidentify, _ := os.ReadFile(filepath.Join("testdata", "rest", "deidentify_docs_example.json"))
	for _, tc := range []struct {
		name  string
		fault string
		want  string // outcome of an inspect then a deidentify call, then the faults left
	}{
		{"quota for one call", `{"kind":"RESOURCE_EXHAUSTED","count":1}`, "inspect 429 RESOURCE_EXHAUSTED | deidentify 200 | left 0"},
		{"one method only", `{"kind":"UNAVAILABLE","method":"deidentify","count":1}`, "inspect 200 | deidentify 503 UNAVAILABLE | left 0"},
		{"a code by number", `{"kind":14,"count":2}`, "inspect 503 UNAVAILABLE | deidentify 503 UNAVAILABLE | left 0"},
		{"a delay on one method", `{"delay":"40ms","method":"inspect","count":1}`, "inspect 200 delayed | deidentify 200 | left 0"},
		{"until cleared, with a message", `{"kind":"PERMISSION_DENIED","message":"no access"}`, "inspect 403 PERMISSION_DENIED no access | deidentify 403 PERMISSION_DENIED no access | left 1"},
		{"OK is not a fault", `{"kind":"OK"}`, "refused"},
		{"not a gRPC code", `{"kind":"17"}`, "refused"},
		{"not a code name", `{"kind":"TEAPOT"}`, "refused"},
		{"another method", `{"kind":"UNAVAILABLE","method":"reidentify"}`, "refused"},
		{"nothing to inject", `{"count":1}`, "refused"},
		{"the old field names", `{"code":"UNAVAILABLE","times":1}`, "refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, face := range []string{"in-process", "http"} {
				s := dlp.RunT(t)
				ctx := ctxT(t)
				var err error
				if face == "http" {
					resp, herr := http.Post(s.URL()+"/_parley/faults", "application/json", strings.NewReader(tc.fault))
					if herr != nil {
						t.Fatal(herr)
					}
					resp.Body.Close()
					if resp.StatusCode != http.StatusNoContent {
						err = fmt.Errorf("HTTP %d", resp.StatusCode)
					}
				} else {
					var f control.Fault
					if err = json.Unmarshal([]byte(tc.fault), &f); err == nil {
						err = s.InjectFault(ctx, f)
					}
				}
				if err != nil {
					got = append(got, "refused")
					continue
				}
				var parts []string
				for _, call := range []struct {
					method string
					body   []byte
				}{{"inspect", inspect}, {"deidentify", deidentify}} {
					start := time.Now()
					resp, err := http.Post(s.URL()+"/v2/projects/demo/content:"+call.method, "application/json", strings.NewReader(string(call.body)))
					if err != nil {
						t.Fatal(err)
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					out := fmt.Sprintf("%s %d", call.method, resp.StatusCode)
					if resp.StatusCode != 200 {
						var e struct {
							Error struct{ Status, Message string } `json:"error"`
						}
						_ = json.Unmarshal(b, &e)
						out += " " + e.Error.Status
						if !strings.HasPrefix(e.Error.Message, "Quota exceeded") && e.Error.Message != "The service is currently unavailable." {
							out += " " + e.Error.Message
						}
					}
					// A delay is a lower bound the mock must keep; a call that is not delayed can still
					// be slow on a loaded machine, so only a call the delay applies to is timed.
					if delayed(tc.fault, call.method) && time.Since(start) >= 40*time.Millisecond {
						out += " delayed"
					}
					parts = append(parts, out)
				}
				fs, _ := s.Faults(ctx)
				got = append(got, strings.Join(parts, " | ")+fmt.Sprintf(" | left %d", len(fs)))
			}
			if got[0] != tc.want || got[1] != tc.want {
				t.Errorf("in-process: %s\nhttp:       %s\nwant:       %s", got[0], got[1], tc.want)
			}
		})
	}
}

// delayed says whether the fault, as JSON, delays calls of method.
func delayed(fault, method string) bool {
	var f control.Fault
	if json.Unmarshal([]byte(fault), &f) != nil {
		return false
	}
	return f.Delay > 0 && (f.Method == "" || f.Method == method)
}
