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

// TestSameWordsWaitForTheAssistant: with the assistant's idle signal, a customer's text that another
// scenario's customer sent last waits for the assistant to be idle before it goes, so that the two
// messages' Dialogflow and DLP calls cannot cross; other words, the same scenario's own words, and words
// the assistant was seen idle after go at once.
func TestSameWordsWaitForTheAssistant(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var idles atomic.Int32
	v, _ := idleRun(t, func(context.Context) error {
		idles.Add(1)
		return nil
	})
	start := func(name string) harness.Environment {
		env, err := v.Start(ctx, harness.Scenario{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return env
	}
	one, two := start("one"), start("two")
	lucia, marta := one.World().Numbers("34600000001"), one.World().Numbers("34600000002")
	oliver := two.World().Numbers("447700900001")
	send := func(env harness.Environment, who, text string) int32 {
		t.Helper()
		before := idles.Load()
		// The mock has no webhook to deliver to: the send's own outcome is not what is looked at here.
		_, _ = env.World().WhatsApp.SendFromCustomer(ctx, who, whatsapp.CustomerMessage{Text: text})
		return idles.Load() - before
	}
	for _, c := range []struct {
		env       harness.Environment
		who, text string
		waits     int32
		why       string
	}{
		{one, lucia, "Hola", 0, "the first to say it"},
		{one, marta, "Hola", 0, "the same scenario's customer"},
		{two, oliver, "Hola", 1, "another scenario's customer, while the assistant may still handle Lucía's and Marta's"},
		{one, lucia, "Hola", 1, "back in the first scenario, after Oliver's"},
		{two, oliver, "Hello", 0, "other words"},
	} {
		if got := send(c.env, c.who, c.text); got != c.waits {
			t.Errorf("%s (%s): %d wait(s) for the assistant's idle signal, want %d", c.text, c.why, got, c.waits)
		}
	}
	if err := one.World().Settle(ctx); err != nil { // the assistant seen idle after every send so far
		t.Fatal(err)
	}
	if got := send(two, oliver, "Hola"); got != 0 {
		t.Errorf("Hola after the assistant was seen idle: %d wait(s), want none", got)
	}
}

// TestPatienceEndsWithAFullQuiet: at the start of a run, a scenario whose customer was answered waits
// for the assistant to reach Dialogflow or DLP (its connections may still be backing off); when another
// scenario's customer's call ends that wait, the scenario still waits a whole Quiet from then for its
// own calls and messages, which come in the same moment, instead of settling at once because its last
// event is old.
func TestPatienceEndsWithAFullQuiet(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang, not a timing
	defer cancel()
	const quiet = time.Second
	j := journal.New(nil)
	wa, err := whatsapp.NewServer(whatsapp.WithJournal(j))
	if err != nil {
		t.Fatal(err)
	}
	defer wa.Close()
	v := New(Options{Journal: j, WhatsApp: whatsapp.NewControlClient(wa.URL()), Quiet: quiet, ReplyWait: time.Hour})
	env, err := v.Start(ctx, harness.Scenario{Name: "a customer says hello"})
	if err != nil {
		t.Fatal(err)
	}
	lucia := env.World().Numbers("34600000001")
	j.Record(journal.SourceCustomer, journal.KindInboundSent, lucia, journal.InboundData{ID: "wamid.1", Type: "text", Text: "Hola"})
	j.Record(journal.SourceWhatsApp, journal.KindOutboundAccepted, lucia, journal.OutboundData{To: lucia, WaID: lucia, Type: "text", Text: "¡Hola! Soy un asistente"})
	settled := make(chan error, 1)
	go func() { settled <- env.World().Settle(ctx) }()
	time.Sleep(quiet + quiet/5) // the scenario's last event is now older than Quiet; the patience holds it
	select {
	case err := <-settled:
		t.Fatalf("settled (%v) while no call to Dialogflow or DLP had been seen in the run", err)
	default:
	}
	j.Record(journal.SourceDLP, journal.KindDeidentify, "", journal.DLPData{Text: "Hello there", Result: "Hello there"})
	time.Sleep(quiet / 10) // a settle that ends with the patience does so as soon as it sees the call
	select {
	case err := <-settled:
		t.Fatalf("settled (%v) as soon as another scenario's call ended the patience, with no quiet after it", err)
	default:
	}
	if err := <-settled; err != nil {
		t.Fatal(err)
	}
}
