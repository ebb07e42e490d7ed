package shared

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

// calls records what was asked of the shared mocks' controls.
type calls struct {
	mu  sync.Mutex
	got []string
}

func (c *calls) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, s)
}

func (c *calls) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.got
	c.got = nil
	return out
}

type fakeDialogflow struct {
	dialogflow.Control
	c *calls
}

func (f fakeDialogflow) InjectFault(context.Context, control.Fault) error {
	f.c.add("dialogflow fault")
	return nil
}

func (f fakeDialogflow) ClearFaults(context.Context) error {
	f.c.add("dialogflow clear")
	return nil
}

type fakeWhatsApp struct {
	whatsapp.Control
	c *calls
}

func (f fakeWhatsApp) InjectFault(context.Context, control.Fault) error {
	f.c.add("whatsapp fault")
	return nil
}

func (f fakeWhatsApp) ClearFaults(context.Context) error {
	f.c.add("whatsapp clear")
	return nil
}

func (f fakeWhatsApp) SetStatusDelivery(_ context.Context, d whatsapp.StatusDelivery) error {
	if d == (whatsapp.StatusDelivery{}) {
		f.c.add("statuses as usual")
	} else {
		f.c.add("statuses messy")
	}
	return nil
}

// TestScenarioLeavesNoFault: against one shared assistant, a fault or a status delivery a scenario put
// on the shared mocks ends with the scenario, so that no later scenario plays against a slow or failing
// Dialogflow it did not ask for; a scenario that put none clears nothing (another scenario's would be
// its own to clear).
func TestScenarioLeavesNoFault(t *testing.T) {
	ctx := context.Background()
	c := &calls{}
	v := New(Options{Journal: journal.New(nil), Send: fakeWhatsApp{c: c}, Dialogflow: fakeDialogflow{c: c}})
	env, err := v.Start(ctx, harness.Scenario{Name: "Dialogflow is slow"})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Dialogflow().InjectFault(ctx, control.Fault{}); err != nil {
		t.Fatal(err)
	}
	if err := env.World().WhatsApp.InjectFault(ctx, control.Fault{}); err != nil {
		t.Fatal(err)
	}
	if err := env.World().WhatsApp.SetStatusDelivery(ctx, whatsapp.StatusDelivery{Duplicate: 1}); err != nil {
		t.Fatal(err)
	}
	c.take()
	if err := env.Close(); err != nil {
		t.Fatal(err)
	}
	got := c.take()
	slices.Sort(got)
	if want := []string{"dialogflow clear", "statuses as usual", "whatsapp clear"}; !slices.Equal(got, want) {
		t.Errorf("closing a scenario that put faults: %v, want %v", got, want)
	}
	quiet, err := v.Start(ctx, harness.Scenario{Name: "A customer says hello"})
	if err != nil {
		t.Fatal(err)
	}
	if err := quiet.Close(); err != nil {
		t.Fatal(err)
	}
	if got := c.take(); len(got) != 0 {
		t.Errorf("closing a scenario that put no fault: %v, want nothing", got)
	}
}
