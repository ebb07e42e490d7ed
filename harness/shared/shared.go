// Package shared plays many scenarios against one assistant, one set of mocks and one journal, which
// every scenario of a run shares (certify.SharedJournal): an assistant by URL (embedded.ByURL) or in
// containers started once for the run (containers.Shared). Every scenario's customers have numbers no
// other scenario of the run uses (sim.Numbering, seeded), so an assistant that remembers its customers
// meets newcomers where a scenario expects them, and scenarios may play at once; what the assistant does
// to a customer after that customer's scenario ended is still judged, at the end of the run (RunEvents).
// An assistant with no idle signal parley believes has settled with a scenario when the journal shows its
// customers answered and has held nothing new of theirs for Quiet; the reference assistant, which says
// when it is idle, settles on that (Options.Idle), and a text another scenario's customer may still have
// in flight waits for it, so that the calls about the two cannot cross.
package shared

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/sim"
)

// Options describe the run's mocks and how its scenarios settle.
type Options struct {
	// Journal is the whole run's journal. Sync, when set, brings it up to date (the mocks' journal is
	// elsewhere and copied in); without it Journal is the mocks' own. Recorder is where the customers and
	// the hooks record what they do (default Journal).
	Journal  *journal.Journal
	Sync     func(ctx context.Context) error
	Recorder sim.Recorder
	// WhatsApp is the WhatsApp mock's control client; Send, when set, is what the customers send through
	// instead (one that explains a failed send by a stopped container).
	WhatsApp   *whatsapp.ControlClient
	Send       whatsapp.Control
	Dialogflow dialogflow.Control
	Hooks      sim.Hooks
	// Explain, when set, turns an error met while settling into its cause (a container that stopped).
	Explain func(ctx context.Context, err error) error
	// Seed numbers the customers.
	Seed int64
	// Quiet is how long a scenario's part of the journal must stay still for it to have settled, once
	// every message of its customers is answered and none of their Dialogflow or DLP calls waits for a
	// send (default 150 ms: it only has to catch the rest of an answer already begun); ReplyWait how long
	// a customer's message may stay unanswered before a silent assistant counts as done (default 3 s).
	Quiet, ReplyWait time.Duration
	// Idle, when set, is the assistant's own word that it has handled everything it accepted, for an
	// assistant parley believes (the reference assistant it runs itself, GET /parley/idle): a scenario then
	// settles as an environment of its own does, on rounds of waits, and never waits for Quiet or ReplyWait.
	// Nil for any other assistant, which settles on the journal as above.
	Idle func(ctx context.Context) error
	// Audit are the auditor's options for each scenario. CertifyDeployed holds only in the scenario that
	// checks the webhook's transport (tagged @WA-SEC-02): one fact of the run is reported once.
	Audit audit.Options
}

// Run is one run's shared mocks and assistant; each scenario it starts is an environment over its part
// of the journal.
type Run struct {
	mu        sync.Mutex
	customers map[string]bool // every scenario's customers so far
	// patienceUntil ends the wait for a first call to Dialogflow or DLP: ReplyWait after the run's first
	// customer message.
	patienceUntil time.Time
	ties          ties // Dialogflow and DLP calls tied to customers, as far as the journal shows
	// With an idle signal (Options.Idle): the waits for it begun and the newest of those ended, and, for
	// each text a customer sent, the scenario that sent it last and the lock its senders take in turn (see
	// scopedWhatsApp.SendFromCustomer).
	idleBegun, idleEnded uint64
	sentLast             map[string]sentWords
	sending              map[string]*sync.Mutex

	o       Options
	numbers *sim.Numbering
}

// New starts a run over the mocks of o.
func New(o Options) *Run {
	if o.Quiet <= 0 {
		o.Quiet = 150 * time.Millisecond
	}
	if o.ReplyWait <= 0 {
		o.ReplyWait = 3 * time.Second
	}
	if o.Recorder == nil {
		o.Recorder = o.Journal
	}
	if o.Send == nil {
		o.Send = o.WhatsApp
	}
	return &Run{o: o, numbers: sim.NewNumbering(o.Seed), customers: map[string]bool{}, ties: newTies(),
		sentLast: map[string]sentWords{}, sending: map[string]*sync.Mutex{}}
}

// sentWords is the scenario whose customer sent a text last, and how many waits for the assistant's idle
// signal had begun when that send returned.
type sentWords struct {
	by    *scenario
	begun uint64
}

// sendingLock is the lock the senders of text take in turn.
func (v *Run) sendingLock(text string) *sync.Mutex {
	v.mu.Lock()
	defer v.mu.Unlock()
	l := v.sending[text]
	if l == nil {
		l = &sync.Mutex{}
		v.sending[text] = l
	}
	return l
}

// awaitHandled waits until the assistant is done with the message last (another scenario's customer's):
// until a wait for its idle signal that began after that send has ended.
func (v *Run) awaitHandled(ctx context.Context, last sentWords) error {
	v.mu.Lock()
	handled := v.idleEnded > last.begun
	v.mu.Unlock()
	if handled {
		return nil
	}
	return v.idle(ctx)
}

// idle waits for the assistant's idle signal (Options.Idle), counting the waits, so that a send can tell
// whether one that began after it has ended: the assistant has then handled it.
func (v *Run) idle(ctx context.Context) error {
	v.mu.Lock()
	v.idleBegun++
	n := v.idleBegun
	v.mu.Unlock()
	if err := v.o.Idle(ctx); err != nil {
		return err
	}
	v.mu.Lock()
	v.idleEnded = max(v.idleEnded, n)
	v.mu.Unlock()
	return nil
}

// Journal is the whole run's journal.
func (v *Run) Journal() *journal.Journal { return v.o.Journal }

// KeepNumbers keeps the numbers of the customers the assistant's test data names (profile.TestData) for
// them (certify.TestCustomers): the assistant's backend knows them by their number, so no other customer
// gets it, and a customer declared as one of them (sim.Persona.Known) has it in every scenario.
func (v *Run) KeepNumbers(numbers ...string) { v.numbers.Keep(numbers...) }

// Start begins a scenario: its part of the journal starts here, and its customers get the numbers the
// run's numbering gives its name. Scenarios may play at once: each settles on its own customers'
// traffic (Settle) and its events leave out what concerns another scenario's customers.
func (v *Run) Start(ctx context.Context, s harness.Scenario) (harness.Environment, error) {
	if err := v.sync(ctx); err != nil {
		return nil, err
	}
	e := &scenario{v: v, from: v.o.Journal.Last(), transport: slices.Contains(s.Tags, "@WA-SEC-02"), own: map[string]bool{}, known: map[string]bool{}}
	numbers := v.numbers.For(s.Name)
	own := func(n string) string {
		e.mu.Lock()
		e.own[n] = true
		e.mu.Unlock()
		v.mu.Lock()
		v.customers[n] = true
		v.mu.Unlock()
		return n
	}
	e.world = &sim.World{WhatsApp: scopedWhatsApp{v.o.Send, e}, Journal: v.o.Recorder, Hooks: v.o.Hooks, Settle: e.Settle,
		Numbers: func(declared string) string { return own(numbers(declared)) },
		Known: func(n string) string {
			e.mu.Lock()
			e.known[n] = true
			e.mu.Unlock()
			return own(n)
		}}
	return e, nil
}

// RunEvents is the whole run's journal (certify.SharedJournal).
func (v *Run) RunEvents(ctx context.Context) ([]journal.Event, error) {
	err := v.sync(ctx)
	return v.o.Journal.After(0), err
}

// RunAuditOptions audit the whole run. Whether the webhook's transport is fit for production is judged
// in the scenario that checks it (scenario.AuditOptions), not again in the whole run.
func (v *Run) RunAuditOptions() audit.Options {
	o := v.o.Audit
	o.CertifyDeployed = false
	return o
}

func (v *Run) sync(ctx context.Context) error {
	if v.o.Sync == nil {
		return nil
	}
	return v.o.Sync(ctx)
}

var _ harness.Factory = (*Run)(nil)
