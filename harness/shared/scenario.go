package shared

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/sim"
)

// scenario is one scenario of a shared run. Other scenarios may play at the same time against the same
// assistant, mocks and journal; what tells them apart is their customers, whose numbers no other
// scenario has.
type scenario struct {
	v     *Run
	from  uint64
	world *sim.World
	mu    sync.Mutex
	own   map[string]bool // the scenario's customers
	known map[string]bool // those the assistant's test data names, whom other scenarios share
	// transport says the scenario checks the webhook's transport (WA-SEC-02): a deployed assistant's
	// plain-HTTP or old-TLS webhook is a high finding there, and informational in every other scenario,
	// so one fact of the environment is reported once. The TLS probes it records belong to it alone.
	transport bool

	// Settle's memory of the scenario's part of the journal, across its calls: its newest event and when
	// Settle first saw it, and when it first saw each unanswered message or call (each waits ReplyWait
	// once, not once per step).
	// What the scenario changed on the mocks every scenario shares (it played alone to do so), undone by
	// Close: a Dialogflow fault, a WhatsApp fault, messy status webhooks.
	dialogflowFault, whatsappFault, messyStatuses bool

	settling  sync.Mutex
	lastSeq   uint64
	lastAt    time.Time
	firstSeen map[uint64]time.Time
}

func (e *scenario) World() *sim.World              { return e.world }
func (e *scenario) Dialogflow() dialogflow.Control { return scopedDialogflow{e.v.o.Dialogflow, e} }
func (e *scenario) AuditOptions() audit.Options {
	o := e.v.o.Audit
	o.CertifyDeployed = o.CertifyDeployed && e.transport
	o.From = e.from + 1
	return o
}

// Close undoes what the scenario changed on the shared mocks, so that a fault it put (Dialogflow slow
// or down, sends refused, messy status webhooks) does not reach the scenarios played after it. Such a
// scenario plays alone, and Close comes before the next one begins.
func (e *scenario) Close() error {
	e.mu.Lock()
	df, wa, statuses := e.dialogflowFault, e.whatsappFault, e.messyStatuses
	e.dialogflowFault, e.whatsappFault, e.messyStatuses = false, false, false
	e.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var errs []error
	if df {
		errs = append(errs, e.v.o.Dialogflow.ClearFaults(ctx))
	}
	if wa {
		errs = append(errs, e.v.o.Send.ClearFaults(ctx))
	}
	if statuses {
		errs = append(errs, e.v.o.Send.SetStatusDelivery(ctx, whatsapp.StatusDelivery{}))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("undoing the scenario's faults on the shared mocks: %w", err)
	}
	return nil
}

// mark notes that the scenario changed the shared mocks.
func (e *scenario) mark(flag *bool) {
	e.mu.Lock()
	*flag = true
	e.mu.Unlock()
}

// scopedDialogflow is the shared Dialogflow mock's control as a scenario sees it: the faults it puts are
// noted, for Close to clear.
type scopedDialogflow struct {
	dialogflow.Control
	e *scenario
}

func (s scopedDialogflow) InjectFault(ctx context.Context, f control.Fault) error {
	s.e.mark(&s.e.dialogflowFault)
	return s.Control.InjectFault(ctx, f)
}

// Events are the scenario's part of the journal: everything since it began but what concerns another
// scenario's customers. Events about no customer are kept (but another scenario's TLS probes). A
// Dialogflow or DLP call is kept only when it is tied to the scenario's customers (see ties): one that
// cannot be tied to anyone could be another scenario's, and judging it here would blame this scenario
// for it; the audit of the whole run still judges it (certify.SharedJournal). What the assistant still
// does for an earlier scenario's customers belongs to that scenario, and is judged there at the end of
// the run.
//
// A customer of the test data, whom several scenarios share, brings their history: their events from
// before the scenario began come first, so that the audit knows them as a returning customer (their
// first contact, the window their last message opened); what it found there was judged before
// (audit.Options.From).
func (e *scenario) Events(ctx context.Context) ([]journal.Event, error) {
	err := e.v.sync(ctx)
	own := e.events()
	e.mu.Lock()
	known := maps.Clone(e.known)
	e.mu.Unlock()
	if len(known) == 0 {
		return own, err
	}
	v := e.v
	v.mu.Lock()
	history := v.o.Journal.Filter(func(ev journal.Event) bool { return ev.Seq <= e.from && known[v.ties.owner(ev)] })
	v.mu.Unlock()
	return append(history, own...), err
}

func (e *scenario) events() []journal.Event {
	// Only what came since the scenario began is read, not the whole run's journal: settling asks for
	// this again and again.
	evs := e.v.o.Journal.After(e.from)
	v := e.v
	v.mu.Lock()
	defer v.mu.Unlock()
	v.ties.scan(v.o.Journal.After(v.ties.scanned)) // at least every event of evs
	e.mu.Lock()
	defer e.mu.Unlock()
	kept := evs[:0]
	for _, ev := range evs {
		if ev.Kind == journal.KindTLSProbe && !e.transport {
			continue
		}
		c := v.ties.owner(ev)
		if isNLU(ev.Kind) && !e.own[c] {
			continue // another scenario's call, or one no customer can be tied to (see Events)
		}
		if c == "" || e.own[c] || !v.customers[c] {
			kept = append(kept, ev)
		}
	}
	return kept
}

// customers are the scenario's customers so far.
func (e *scenario) customers() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]string, 0, len(e.own))
	for c := range e.own {
		out = append(out, c)
	}
	return out
}

// Settle waits until the assistant is done with the scenario's customers: the WhatsApp mock has no
// webhook about them in flight, every message they sent has been answered (a send to that customer
// after it) or has waited ReplyWait (once per scenario, not once per step), no Dialogflow or DLP call of
// theirs is left without a send after it, and the scenario's part of the journal has been still for Quiet. What other scenarios' customers do
// meanwhile neither holds it nor ends it. The ReplyWait keeps a slow first answer (an assistant whose
// connections to the mocks are still backing off) from being taken for silence.
func (e *scenario) Settle(ctx context.Context) error {
	e.settling.Lock()
	defer e.settling.Unlock()
	if e.v.o.Idle != nil {
		return e.settleIdle(ctx)
	}
	if e.firstSeen == nil {
		e.firstSeen = map[uint64]time.Time{}
	}
	firstSeen := e.firstSeen
	waited := false // the last round had something to wait for
	for {
		if err := e.v.o.WhatsApp.AwaitIdleFor(ctx, e.customers()...); err != nil {
			return e.explain(ctx, err)
		}
		changed := e.v.o.Journal.Changed()
		if err := e.v.sync(ctx); err != nil {
			return e.explain(ctx, err)
		}
		events := e.events()
		now := time.Now()
		unanswered := e.unanswered(events)
		if seq := e.lastOwn(events); seq != e.lastSeq {
			e.lastSeq, e.lastAt = seq, now
		} else if waited && len(unanswered) == 0 {
			// What it waited for ended with nothing of the scenario's: the patience at the start of the
			// run, ended by another scenario's first call to Dialogflow or DLP. The assistant now reaches
			// them for this scenario's customers too, so the quiet counts from here, not from the scenario's
			// last event, which the wait may have left far behind.
			e.lastAt = now
		}
		waited = len(unanswered) > 0
		quietLeft := e.v.o.Quiet - now.Sub(e.lastAt)
		var replyLeft time.Duration
		for _, seq := range unanswered {
			at, ok := firstSeen[seq]
			if !ok {
				at = now
				firstSeen[seq] = at
			}
			replyLeft = max(replyLeft, e.v.o.ReplyWait-now.Sub(at))
		}
		if quietLeft <= 0 && replyLeft <= 0 {
			return nil
		}
		if replyLeft <= 0 {
			changed = nil // only the quiet is left: nothing to look at before it ends
		}
		t := time.NewTimer(max(quietLeft, replyLeft))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-changed: // an answer may have come
		case <-t.C:
		}
		t.Stop()
	}
}

// settleIdle is Settle for an assistant that says when it is idle (Options.Idle): it ends when a round
// of waits (the assistant idle, the webhooks about the scenario's customers delivered, the assistant idle
// again: a delivered status can make it act) brought no new event of the scenario's customers, as an
// environment of its own settles. The assistant's idle waits for other scenarios' customers too, but
// their events do not start another round. A message the assistant left unanswered after such a round
// is its answer: there is no ReplyWait for it.
func (e *scenario) settleIdle(ctx context.Context) error {
	customers := e.customers()
	delivered := func(ctx context.Context) error { return e.v.o.WhatsApp.AwaitIdleFor(ctx, customers...) }
	last := func(ctx context.Context) (uint64, error) {
		if err := e.v.sync(ctx); err != nil {
			return 0, err
		}
		return e.lastOwn(e.events()), nil
	}
	if err := harness.SettleRounds(ctx, e.v.idle, delivered, last); err != nil {
		return e.explain(ctx, err)
	}
	return nil
}

// lastOwn is the newest of events that concerns one of the scenario's customers: events about no
// customer, such as other scenarios' webhook deliveries, do not keep it from being quiet.
func (e *scenario) lastOwn(events []journal.Event) uint64 {
	e.v.mu.Lock()
	defer e.v.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := len(events) - 1; i >= 0; i-- {
		if e.own[e.v.ties.owner(events[i])] {
			return events[i].Seq
		}
	}
	return 0
}

// unanswered are, among the scenario's events, its customers' messages after which the assistant has
// sent that customer nothing, and its last call to Dialogflow or DLP for them when no send to them came
// after it (an assistant that has just asked Dialogflow is still composing a reply, whatever it sent
// before). A message counts from when the customer sent it, not from when its webhook was answered: an
// assistant may answer inside its webhook handler, before the delivery is journalled. A message whose
// delivery failed expects no answer.
func (e *scenario) unanswered(events []journal.Event) []uint64 {
	v := e.v
	v.mu.Lock()
	defer v.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	last := map[string]uint64{} // customer → their last message not yet followed by a send
	var ownSend, ownNLU, lastInbound uint64
	for _, ev := range events {
		switch {
		case ev.Kind == journal.KindInboundSent && e.own[ev.Customer]:
			last[ev.Customer] = ev.Seq
			lastInbound = ev.Seq
		case ev.Kind == journal.KindInboundFailed && e.own[ev.Customer]:
			delete(last, ev.Customer)
		case (ev.Kind == journal.KindOutboundAccepted || ev.Kind == journal.KindOutboundRejected) && e.own[ev.Customer]:
			delete(last, ev.Customer)
			ownSend = ev.Seq
		case isNLU(ev.Kind) && ev.Kind != journal.KindContextsListed && ev.Kind != journal.KindContextsCreated && ev.Kind != journal.KindContextsDeleted:
			if e.own[v.ties.owner(ev)] {
				ownNLU = ev.Seq
			}
		}
	}
	out := make([]uint64, 0, len(last)+2)
	for _, seq := range last {
		out = append(out, seq)
	}
	if ownNLU > ownSend {
		out = append(out, ownNLU)
	}
	if lastInbound > 0 && v.patienceUntil.IsZero() {
		v.patienceUntil = time.Now().Add(v.o.ReplyWait)
	}
	if lastInbound > 0 && !v.ties.nluSeen && time.Now().Before(v.patienceUntil) {
		// Until the assistant has been seen reaching Dialogflow or DLP once in the run, its connections to
		// them may still be backing off (it started before the mocks did): a first answer is not taken
		// for all it will say before ReplyWait. Only at the start of the run, for ReplyWait after its first
		// customer message: an assistant that never calls them (it understands customers its own way)
		// is not kept waiting on every message.
		out = append(out, lastInbound)
	}
	slices.Sort(out)
	return out
}

// scopedWhatsApp is the WhatsApp control as one scenario of many sees it: waiting for the mock to be idle
// waits for the webhooks about the scenario's customers only.
type scopedWhatsApp struct {
	whatsapp.Control
	e *scenario
}

// AwaitIdle waits until no webhook about the scenario's customers is pending.
func (s scopedWhatsApp) AwaitIdle(ctx context.Context) error {
	return s.e.v.o.WhatsApp.AwaitIdleFor(ctx, s.e.customers()...)
}

// SendFromCustomer sends a customer's message. With the assistant's idle signal (Options.Idle), a text
// that another scenario's customer sent last, and that the assistant may still be handling, waits for
// the assistant to be idle first: two customers' same words ("Hola") are then never in flight together,
// so their Dialogflow and DLP calls come in the order they were sent and are tied to their customers
// (see ties) however the assistant orders its work. Without the signal the message goes at once.
func (s scopedWhatsApp) SendFromCustomer(ctx context.Context, waID string, m whatsapp.CustomerMessage) (whatsapp.SendResult, error) {
	v := s.e.v
	if v.o.Idle == nil || m.Text == "" {
		return s.Control.SendFromCustomer(ctx, waID, m)
	}
	l := v.sendingLock(m.Text) // only the same words wait for each other
	l.Lock()
	defer l.Unlock()
	v.mu.Lock()
	last, sent := v.sentLast[m.Text]
	v.mu.Unlock()
	if sent && last.by != s.e {
		if err := v.awaitHandled(ctx, last); err != nil {
			return whatsapp.SendResult{}, s.e.explain(ctx, err)
		}
	}
	res, err := s.Control.SendFromCustomer(ctx, waID, m)
	v.mu.Lock()
	v.sentLast[m.Text] = sentWords{by: s.e, begun: v.idleBegun}
	v.mu.Unlock()
	return res, err
}

// InjectFault puts a fault on the shared WhatsApp mock, noted for Close to clear.
func (s scopedWhatsApp) InjectFault(ctx context.Context, f control.Fault) error {
	s.e.mark(&s.e.whatsappFault)
	return s.Control.InjectFault(ctx, f)
}

// SetStatusDelivery changes how the shared WhatsApp mock delivers status webhooks, noted for Close to
// set back.
func (s scopedWhatsApp) SetStatusDelivery(ctx context.Context, d whatsapp.StatusDelivery) error {
	s.e.mark(&s.e.messyStatuses)
	return s.Control.SetStatusDelivery(ctx, d)
}

var _ whatsapp.Control = scopedWhatsApp{}

// explain is err, or its cause when the run can tell it (Options.Explain); a cancelled wait stays itself.
func (e *scenario) explain(ctx context.Context, err error) error {
	if e.v.o.Explain == nil || ctx.Err() != nil {
		return err
	}
	return e.v.o.Explain(ctx, err)
}
