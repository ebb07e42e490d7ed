package dialogflow

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/gcp"
	"github.com/parley-dev/parley/mocks/control"
)

// TestFaultFaces: the same fault JSON does the same thing posted to /_parley/faults and decoded and
// given to InjectFault in-process: the same detectIntent calls refused, the same delay, the same faults
// left.
func TestFaultFaces(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault string
		want  string // outcome of two detectIntent calls, then the faults left
	}{
		{"quota for one call", `{"kind":"RESOURCE_EXHAUSTED","count":1}`, "429 RESOURCE_EXHAUSTED | 200 | left 0"},
		{"quota by its short name, until cleared", `{"kind":"QUOTA"}`, "429 RESOURCE_EXHAUSTED | 429 RESOURCE_EXHAUSTED | left 1"},
		{"an outage with a message", `{"kind":"UNAVAILABLE","count":1,"message":"down for maintenance"}`, "503 UNAVAILABLE down for maintenance | 200 | left 0"},
		{"a deadline for two calls", `{"kind":"DEADLINE","count":2}`, "504 DEADLINE_EXCEEDED | 504 DEADLINE_EXCEEDED | left 0"},
		{"a delay", `{"delay":"40ms","count":1}`, "200 delayed | 200 | left 0"},
		{"a delay and an outage", `{"kind":"UNAVAILABLE","count":1,"delay":"40ms"}`, "503 UNAVAILABLE delayed | 200 | left 0"},
		{"detectIntent named", `{"kind":"QUOTA","count":1,"method":"detectIntent"}`, "429 RESOURCE_EXHAUSTED | 200 | left 0"},
		{"a kind the mock does not model", `{"kind":"TEAPOT"}`, "refused"},
		{"another method", `{"kind":"QUOTA","method":"listContexts"}`, "refused"},
		{"nothing to inject", `{"count":1}`, "refused"},
		{"the old field names", `{"code":"QUOTA","count":1}`, "refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, face := range []string{"in-process", "http"} {
				s := RunT(t)
				ctx := testCtx(t)
				var err error
				if face == "http" {
					code, b := post(t, s.URL()+"/_parley/faults", []byte(tc.fault), nil)
					if code != http.StatusNoContent {
						err = fmt.Errorf("HTTP %d %s", code, b)
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
				for call := range 2 {
					start := time.Now()
					code, b := post(t, s.URL()+"/v2/projects/parley-demo/agent/sessions/f:detectIntent", []byte(okBody), nil)
					out := fmt.Sprint(code)
					if code != 200 {
						var eb gcp.ErrorBody
						_ = json.Unmarshal(b, &eb)
						out += " " + eb.Error.Status
						if !strings.HasPrefix(eb.Error.Message, "Quota exceeded") && eb.Error.Message != "The service is currently unavailable." && eb.Error.Message != "Deadline exceeded." {
							out += " " + eb.Error.Message
						}
					}
					// A delay is a lower bound the mock must keep; a call that is not delayed can still
					// be slow on a loaded machine, so only the delayed call is timed.
					if call == 0 && strings.Contains(tc.fault, `"delay"`) && time.Since(start) >= 40*time.Millisecond {
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
