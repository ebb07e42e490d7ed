package whatsapp

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
)

// TestFaultFaces: the same fault JSON does the same thing posted to /_parley/faults and decoded and
// given to InjectFault in-process: the same sends refused or failed, the same delay, the same faults left.
func TestFaultFaces(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault string
		want  string // outcome of two sends, then the faults left
	}{
		{"a synchronous code for one send", `{"kind":"130429","count":1}`,
			"HTTP 429 code 130429 | HTTP 200 delivered | left 0"},
		{"a numeric kind", `{"kind":130429,"count":1}`,
			"HTTP 429 code 130429 | HTTP 200 delivered | left 0"},
		{"an asynchronous code is a failed status", `{"kind":"131047","count":1}`,
			"HTTP 200 failed 131047 | HTTP 200 delivered | left 0"},
		{"until cleared", `{"kind":"131056"}`,
			"HTTP 429 code 131056 | HTTP 429 code 131056 | left 1"},
		{"a message replaces the details", `{"kind":"131000","count":1,"message":"the platform is down"}`,
			"HTTP 500 code 131000 the platform is down | HTTP 200 delivered | left 0"},
		{"a delay for every Graph answer", `{"delay":"40ms","count":2}`,
			"HTTP 200 delivered delayed | HTTP 200 delivered delayed | left 0"},
		{"a delay and a code", `{"kind":"130429","count":1,"delay":"40ms"}`,
			"HTTP 429 code 130429 delayed | HTTP 200 delivered | left 0"},
		{"a code the mock does not model", `{"kind":"1"}`, "refused"},
		{"a method", `{"kind":"131047","method":"messages"}`, "refused"},
		{"a delay over 30s", `{"delay":"31s"}`, "refused"},
		{"nothing to inject", `{"count":1}`, "refused"},
		{"a misspelt field", `{"kind":"130429","cout":1}`, "refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, face := range []string{"in-process", "http"} {
				s := RunT(t, fixedWall(), WithWebhook(newReceiver(t).URL()), WithMPS(0), WithPairRate(0))
				ctx := testCtx(t)
				openWindow(t, s, lucia)
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
				for i := range 2 {
					start := time.Now()
					r := send(t, s, textTo(lucia, "x"))
					// A delay is a lower bound the mock must keep; a send that is not delayed can still
					// be slow on a loaded machine, so only a send the delay applies to is timed.
					slow := delays(tc.fault, i) && time.Since(start) >= 40*time.Millisecond
					out := fmt.Sprintf("HTTP %d", r.Status)
					if c := r.code(); c != 0 {
						out += fmt.Sprintf(" code %d", c)
						if d := r.details(); d != "Error injected by parley (fault injection)" {
							out += " " + d
						}
					} else {
						_ = s.AwaitIdle(ctx)
						out += " " + finalStatus(s, r.messageID())
					}
					if slow {
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

func finalStatus(s *Server, id string) string {
	evs := s.Journal().Filter(func(e journal.Event) bool {
		var sd journal.StatusData
		return strings.HasPrefix(e.Kind, "status.") && e.Decode(&sd) == nil && sd.ID == id
	})
	if len(evs) == 0 {
		return "no status"
	}
	var sd journal.StatusData
	_ = evs[len(evs)-1].Decode(&sd)
	if sd.Code != 0 {
		return fmt.Sprintf("%s %d", sd.Status, sd.Code)
	}
	return sd.Status
}

// delays says whether the fault, as JSON, delays the answer to the send numbered i (from 0).
func delays(fault string, i int) bool {
	var f control.Fault
	if json.Unmarshal([]byte(fault), &f) != nil {
		return false
	}
	return f.Delay > 0 && (f.Count == 0 || i < f.Count)
}
