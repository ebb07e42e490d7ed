package embedded

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/sim"
)

// byURLEnv is one scenario of a ByURL run. Other scenarios may play at the same time against the same
// assistant, mocks and journal; what tells them apart is their customers, whose numbers no other
// scenario has.
type byURLEnv struct {
	v     *ByURL
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
	settling  sync.Mutex
	lastSeq   uint64
	lastAt    time.Time
	firstSeen map[uint64]time.Time
}

func (e *byURLEnv) World() *sim.World              { return e.world }
func (e *byURLEnv) Dialogflow() dialogflow.Control { return e.v.df }
func (e *byURLEnv) AuditOptions() audit.Options {
	return audit.Options{CertifyDeployed: e.transport, From: e.from + 1}
}
func (e *byURLEnv) Close() error { return nil }

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
func (e *byURLEnv) Events(context.Context) ([]journal.Event, error) {
	own := e.events()
	e.mu.Lock()
	known := maps.Clone(e.known)
	e.mu.Unlock()
	if len(known) == 0 {
		return own, nil
	}
	v := e.v
	v.mu.Lock()
	history := v.journal.Filter(func(ev journal.Event) bool { return ev.Seq <= e.from && known[v.ties.owner(ev)] })
	v.mu.Unlock()
	return append(history, own...), nil
}

func (e *byURLEnv) events() []journal.Event {
	// Only what came since the scenario began is read, not the whole run's journal: settling asks for
	// this again and again.
	evs := e.v.journal.After(e.from)
	v := e.v
	v.mu.Lock()
	defer v.mu.Unlock()
	v.ties.scan(v.journal.After(v.ties.scanned)) // at least every event of evs
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
func (e *byURLEnv) customers() []string {
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
// after it) or has waited ReplyWait (once per scenario, not once per step), no Dialogflow or DLP call of theirs is left without a send after it,
// and the scenario's part of the journal has been still for Quiet. What other scenarios' customers do
// meanwhile neither holds it nor ends it. The ReplyWait keeps a slow first answer (an assistant whose
// connections to the mocks are still backing off) from being taken for silence.
func (e *byURLEnv) Settle(ctx context.Context) error {
	e.settling.Lock()
	defer e.settling.Unlock()
	if e.firstSeen == nil {
		e.firstSeen = map[uint64]time.Time{}
	}
	firstSeen := e.firstSeen
	for {
		if err := e.v.wa.AwaitIdleFor(ctx, e.customers()...); err != nil {
			return err
		}
		changed := e.v.journal.Changed()
		events := e.events()
		now := time.Now()
		if seq := e.lastOwn(events); seq != e.lastSeq {
			e.lastSeq, e.lastAt = seq, now
		}
		quietLeft := e.v.o.Quiet - now.Sub(e.lastAt)
		var replyLeft time.Duration
		for _, seq := range e.unanswered(events) {
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

// lastOwn is the newest of events that concerns one of the scenario's customers: events about no
// customer, such as other scenarios' webhook deliveries, do not keep it from being quiet.
func (e *byURLEnv) lastOwn(events []journal.Event) uint64 {
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
func (e *byURLEnv) unanswered(events []journal.Event) []uint64 {
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
	*whatsapp.ControlClient
	e *byURLEnv
}

// AwaitIdle waits until no webhook about the scenario's customers is pending.
func (s scopedWhatsApp) AwaitIdle(ctx context.Context) error {
	return s.ControlClient.AwaitIdleFor(ctx, s.e.customers()...)
}

var _ whatsapp.Control = scopedWhatsApp{}

// ambiguous marks a text or session that more than one customer's events point at.
const ambiguous = "\x00"

// ties ties the run's Dialogflow and DLP calls to customers as the journal grows. A DLP call carries a
// customer's text; a Dialogflow query carries such a text, or a DLP result of one, and ties its session
// (every call of the session, earlier ones too, then belongs to that customer; a session tied to two
// customers belongs to none). Scenarios at once send the same words ("Hola"), so a text several
// customers sent goes to the first of them whose message has no call of that kind yet: assistants take
// messages in the order they come, near enough, and a wrong guess makes a session tied to two
// customers, which then belongs to none.
type ties struct {
	scanned  uint64
	sentBy   map[string]string   // inbound text → its customer, or ambiguous
	waiting  map[string][]*asked // inbound text → messages carrying it, oldest first
	results  map[string][]*asked // DLP result → the messages it came from, oldest first
	dlp      map[uint64]string   // DLP call → its customer
	session  map[string]string   // Dialogflow session id → its customer, or ambiguous
	messages map[string]string   // WhatsApp message id → its customer
	attempts map[uint64]string   // webhook delivery → the id of the message it is about
	nluSeen  bool                // a call to Dialogflow or DLP was seen
}

// asked is a customer's text and the calls about it seen so far.
type asked struct {
	customer    string
	dlp, dialog bool
}

// maxWaiting bounds the messages remembered per text (an assistant that never calls DLP leaves them).
const maxWaiting = 64

func newTies() ties {
	return ties{sentBy: map[string]string{}, waiting: map[string][]*asked{}, results: map[string][]*asked{}, dlp: map[uint64]string{},
		session: map[string]string{}, messages: map[string]string{}, attempts: map[uint64]string{}}
}

// scan takes in the journal's events after those it has seen, in order.
func (t *ties) scan(evs []journal.Event) {
	for _, ev := range evs {
		t.scanned = ev.Seq
		switch ev.Kind {
		case journal.KindInboundSent:
			t.inbound(ev)
		case journal.KindOutboundAccepted, journal.KindOutboundRejected:
			var d journal.OutboundData
			if ev.Decode(&d) == nil && d.ID != "" && ev.Customer != "" {
				t.messages[d.ID] = ev.Customer
			}
		case journal.KindWebhookAttempt:
			var d journal.WebhookAttemptData
			if ev.Customer == "" && ev.Decode(&d) == nil && d.RefID != "" {
				t.attempts[ev.Seq] = d.RefID
			}
		case journal.KindDeidentify, journal.KindInspect, journal.KindDLPRejected:
			t.nluSeen = true
			var d journal.DLPData
			if ev.Decode(&d) == nil {
				t.dlpCall(ev.Seq, d)
			}
		case journal.KindDetectIntent, journal.KindDetectIntentRejected:
			t.nluSeen = true
			var d journal.DetectIntentData
			if ev.Decode(&d) == nil && d.SessionID != "" {
				t.query(d)
			}
		}
	}
}

func (t *ties) inbound(ev journal.Event) {
	var d journal.InboundData
	if ev.Customer == "" || ev.Decode(&d) != nil {
		return
	}
	t.messages[d.ID] = ev.Customer
	if d.Text == "" {
		return
	}
	put(t.sentBy, d.Text, ev.Customer)
	q := append(t.waiting[d.Text], &asked{customer: ev.Customer})
	t.waiting[d.Text] = q[max(0, len(q)-maxWaiting):]
}

func (t *ties) dlpCall(seq uint64, d journal.DLPData) {
	a := first(t.waiting[d.Text], func(a *asked) bool { return !a.dlp })
	if a == nil {
		return
	}
	a.dlp = true
	t.dlp[seq] = a.customer
	if d.Result != "" {
		q := append(t.results[d.Result], &asked{customer: a.customer})
		t.results[d.Result] = q[max(0, len(q)-maxWaiting):]
	}
}

func (t *ties) query(d journal.DetectIntentData) {
	undone := func(a *asked) bool { return !a.dialog }
	a := first(t.results[d.Text], undone)
	if a == nil {
		a = first(t.waiting[d.Text], undone)
	}
	if a == nil {
		return
	}
	a.dialog = true
	put(t.session, d.SessionID, a.customer)
}

// first is the oldest of q that ok accepts, nil when none.
func first(q []*asked, ok func(*asked) bool) *asked {
	for _, a := range q {
		if ok(a) {
			return a
		}
	}
	return nil
}

// owner is the customer an event concerns, "" when none or when it cannot be told.
func (t *ties) owner(ev journal.Event) string {
	switch {
	case ev.Kind == journal.KindDeidentify || ev.Kind == journal.KindInspect || ev.Kind == journal.KindDLPRejected:
		return t.dlp[ev.Seq]
	case ev.Kind == journal.KindWebhookAttempt && ev.Customer == "":
		// A status webhook names its message; the message's customer is known once it was sent.
		return t.messages[t.attempts[ev.Seq]]
	case isNLU(ev.Kind):
		// Dialogflow's events name their session where others name a customer.
		if c := t.session[ev.Customer]; c != ambiguous {
			return c
		}
		return ""
	}
	return ev.Customer
}

// isNLU says whether events of kind are calls to Dialogflow or DLP.
func isNLU(kind string) bool {
	switch kind {
	case journal.KindDetectIntent, journal.KindDetectIntentRejected, journal.KindContextsListed, journal.KindContextsCreated,
		journal.KindContextsDeleted, journal.KindDeidentify, journal.KindInspect, journal.KindDLPRejected:
		return true
	}
	return false
}

// put ties key to customer c in m, or marks it ambiguous when it is tied to another.
func put(m map[string]string, key, c string) {
	if prev, ok := m[key]; ok && prev != c {
		m[key] = ambiguous
		return
	}
	m[key] = c
}
