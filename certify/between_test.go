package certify

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/harness/embedded"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/production"
)

// callsBetween is an assistant by URL that, after its first scenario ended and before the next began,
// calls a production host parley does not model, through the production front on the run's journal.
type callsBetween struct {
	*embedded.ByURL
	front *httptest.Server

	mu     sync.Mutex
	starts int
}

func (c *callsBetween) Start(ctx context.Context, s harness.Scenario) (harness.Environment, error) {
	c.mu.Lock()
	c.starts++
	second := c.starts == 2
	c.mu.Unlock()
	if second {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.front.URL+"/v2/entries:write", strings.NewReader("{}"))
		req.Host = "logging.googleapis.com"
		res, err := c.front.Client().Do(req)
		if err != nil {
			return nil, err
		}
		res.Body.Close()
	}
	return c.ByURL.Start(ctx, s)
}

// TestUnmodelledBetweenScenariosFails: a call to a host parley does not model, made by the assistant
// between two scenarios (in no scenario's part of the journal), fails the run all the same, naming the
// host and the path.
func TestUnmodelledBetweenScenariosFails(t *testing.T) {
	if testing.Short() {
		t.Skip("plays scenarios against the reference assistant")
	}
	v := referenceByURL(t)
	kit, err := production.NewKit(dialogflow.DefaultProject)
	if err != nil {
		t.Fatal(err)
	}
	f, err := production.NewFront(production.Options{Credentials: kit.Credentials, Journal: v.Journal()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(f)
	defer srv.Close()
	s, err := Features(movingClock, "clock")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Select(s, "", "")
	if err != nil {
		t.Fatal(err)
	}
	var kept []Scenario
	for _, sc := range plan.Selected {
		if !sc.Alone && len(kept) < 2 {
			kept = append(kept, sc)
		}
	}
	plan.Selected = kept
	rep := certifyByURL(t, &callsBetween{ByURL: v, front: srv}, plan, 1)
	var named bool
	for _, sc := range rep.Scenarios {
		if strings.Contains(sc.Error, "logging.googleapis.com") && strings.Contains(sc.Error, "/v2/entries:write") {
			named = true
		}
	}
	if !named || rep.Certified() {
		for _, sc := range rep.Scenarios {
			t.Logf("%q %s: %s", sc.Name, sc.Status, sc.Error)
		}
		t.Errorf("verdict %s, the call between scenarios named in a scenario's failure: %v; want NOT CERTIFIED naming it", rep.Verdict, named)
	}
	var journalled bool
	for _, e := range v.Journal().Events() {
		journalled = journalled || e.Kind == journal.KindUnmodelled
	}
	if !journalled {
		t.Error("the call was not journalled as unmodelled")
	}
}
