package load

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/bots/reference"
	"github.com/parley-dev/parley/harness/embedded"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

func start(t *testing.T, o embedded.Options) (*embedded.Env, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	env, err := embedded.Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Close() })
	return env, ctx
}

// TestRunAccountsForEveryMessage plays 200 customers at once (run it with -race) and checks that every
// message is accounted for from the journal and that the phones hold what the journal says they got.
func TestRunAccountsForEveryMessage(t *testing.T) {
	tg, ctx := start(t, embedded.Options{WhatsApp: []whatsapp.Option{whatsapp.WithMPS(0)}, Bot: []reference.Option{reference.WithSendRate(0)}})
	var progress int
	sum, err := Run(ctx, tg, Config{Customers: 200, Seed: 7, Think: time.Millisecond, Progress: func(Progress) { progress++ }, ProgressEvery: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if sum.JourneyErrors != 0 {
		t.Errorf("%d journeys failed: %v", sum.JourneyErrors, sum.Errors)
	}
	m := sum.Messages
	if sum.Lost != 0 || m.Inbound.Lost != 0 || m.Outbound.Lost != 0 {
		t.Errorf("lost messages: %+v", m)
	}
	if m.Inbound.Sent == 0 || m.Inbound.Sent != m.Inbound.Received+m.Inbound.Refused {
		t.Errorf("inbound does not add up: %+v", m.Inbound)
	}
	if m.Outbound.Sent == 0 || m.Outbound.Sent != m.Outbound.Received+m.Outbound.Refused {
		t.Errorf("outbound does not add up: %+v", m.Outbound)
	}
	if m.OnPhones != m.Outbound.Received {
		t.Errorf("the phones hold %d messages, the journal says %d were received", m.OnPhones, m.Outbound.Received)
	}
	// Every journey has at least one turn; all five are drawn from the default mix over 200 customers.
	total := 0
	for _, name := range JourneyNames() {
		if sum.Journeys[name] == 0 {
			t.Errorf("journey %s never played in 200 customers", name)
		}
		total += sum.Journeys[name]
	}
	if total != 200 || sum.Customers != 200 {
		t.Errorf("played %d journeys for %d customers, want 200", total, sum.Customers)
	}
	if sum.Turns < 200 || sum.P50 <= 0 || sum.P99 < sum.P50 || sum.Max < sum.P99 {
		t.Errorf("turns %d, p50 %v, p99 %v, max %v", sum.Turns, sum.P50, sum.P99, sum.Max)
	}
	if len(sum.Audit.Rules) == 0 {
		t.Error("the run was not audited")
	}
	for _, id := range sum.Audit.Broken {
		t.Errorf("the reference assistant broke %s under load: %+v", id, sum.Audit.Rules[id])
	}
	if got := sum.Audit.Rules["WA-OPTOUT-01"].Status; got != "passed" {
		t.Errorf("WA-OPTOUT-01 is %s after opt-out journeys, want passed", got)
	}
	if sum.PeakActive < 1 || sum.PeakActive > 200 {
		t.Errorf("peak of %d customers in a journey at once, for 200 customers", sum.PeakActive)
	}
	if progress == 0 {
		t.Error("no progress was reported")
	}
}

// TestRunCountsThrottlingWithItsReason keeps the platform's throughput limit but tells the assistant to
// send without pacing, so the mock refuses sends with 130429: each refusal must be counted with its code
// and nothing may be lost.
func TestRunCountsThrottlingWithItsReason(t *testing.T) {
	tg, ctx := start(t, embedded.Options{WhatsApp: []whatsapp.Option{whatsapp.WithMPS(5)}})
	sum, err := Run(ctx, tg, Config{Customers: 40, Seed: 1, Mix: Mix{Greeting: 1}, TurnTimeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	m := sum.Messages.Outbound
	throttled := 0
	for reason, n := range m.Reasons {
		if strings.HasPrefix(reason, "130429") {
			throttled += n
		}
	}
	if throttled == 0 {
		t.Fatalf("40 greetings under a 5 msg/s limit were never throttled: %+v", m)
	}
	if m.Sent != m.Received+m.Refused || sum.Lost != 0 {
		t.Errorf("outbound does not add up under throttling: %+v (lost %d)", m, sum.Lost)
	}
}
