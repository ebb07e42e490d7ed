package shared

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

// idleRun is a shared run over a real WhatsApp mock whose assistant's idle signal is idle, with Quiet and
// ReplyWait too long for any test to sit through: a settle that returns did not wait for them.
func idleRun(t *testing.T, idle func(ctx context.Context) error) (*Run, *journal.Journal) {
	t.Helper()
	j := journal.New(nil)
	wa, err := whatsapp.NewServer(whatsapp.WithJournal(j))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = wa.Close() })
	return New(Options{Journal: j, WhatsApp: whatsapp.NewControlClient(wa.URL()), Quiet: time.Hour, ReplyWait: time.Hour, Idle: idle}), j
}

// TestSettleOnTheAssistantsIdle: with an assistant that says when it is idle, a scenario settles on rounds
// of that signal, not on Quiet or ReplyWait: a round in which the assistant answered the scenario's
// customer takes another, one in which it only answered another scenario's customer does not, and a
// message left unanswered after a still round is settled at once.
func TestSettleOnTheAssistantsIdle(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang, not a timing
	defer cancel()
	var j *journal.Journal
	var own, other string
	var idles atomic.Int32
	v, j := idleRun(t, func(context.Context) error {
		switch idles.Add(1) {
		case 1: // the assistant answers the scenario's customer while the round waits
			j.Record(journal.SourceWhatsApp, journal.KindOutboundAccepted, own, journal.OutboundData{To: own, WaID: own, Type: "text", Text: "Hola"})
		case 3: // and someone else's
			j.Record(journal.SourceWhatsApp, journal.KindOutboundAccepted, other, journal.OutboundData{To: other, WaID: other, Type: "text", Text: "Hi"})
		}
		return nil
	})
	elsewhere, err := v.Start(ctx, harness.Scenario{Name: "another scenario"})
	if err != nil {
		t.Fatal(err)
	}
	other = elsewhere.World().Numbers("34600000002")
	env, err := v.Start(ctx, harness.Scenario{Name: "a customer says hello"})
	if err != nil {
		t.Fatal(err)
	}
	own = env.World().Numbers("34600000001")
	j.Record(journal.SourceCustomer, journal.KindInboundSent, own, journal.InboundData{ID: "wamid.1", Type: "text", Text: "Hola"})
	if err := env.World().Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if got := idles.Load(); got != 4 {
		t.Errorf("the settle asked the assistant's idle signal %d times, want 4 (two rounds: the first saw the assistant answer the scenario's customer)", got)
	}

	j.Record(journal.SourceCustomer, journal.KindInboundSent, own, journal.InboundData{ID: "wamid.2", Type: "text", Text: "¿Sigues ahí?"})
	if err := env.World().Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if got := idles.Load(); got != 6 {
		t.Errorf("a settle with a message the assistant leaves unanswered asked its idle signal %d times in all, want 6 (one more round)", got)
	}
}

// TestSettleOnIdleFails: when the assistant's idle signal cannot be had, the settle says why.
func TestSettleOnIdleFails(t *testing.T) {
	gone := errors.New("waiting for the assistant to be idle: connection refused")
	v, _ := idleRun(t, func(context.Context) error { return gone })
	env, err := v.Start(context.Background(), harness.Scenario{Name: "a customer says hello"})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.World().Settle(context.Background()); !errors.Is(err, gone) {
		t.Errorf("settle = %v, want the idle signal's error", err)
	}
}
