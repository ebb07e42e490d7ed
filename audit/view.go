package audit

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/pii"
)

// window is WhatsApp's customer-service window. A message sent exactly 24 hours after the customer's last
// message is inside it: the policy says "within 24 hours of the last user message" (WhatsApp Business
// Policy; AWS's copy of Meta's text: "a 24-hour timer … starts or refreshes"), and a timer of 24 hours has
// not run out at 24:00:00. The WhatsApp mock must decide the same way.
const window = 24 * time.Hour

// ev is one event of the view: the journal event, its decoded payload, and the customer it concerns
// (for Dialogflow and DLP events, the customer the auditor tied their session or text to). The view
// holds one per event, so on a million events every word of it is 8 MB: keep it small, and keep what
// few events have out of line (idents, View.texts, customer.anchors and docs).
type ev struct {
	*journal.Event // the caller's: read, never written
	cust           string
	p              any // *journal.InboundData, *journal.OutboundData, … by kind; nil when the kind has none

	ft     string  // folded text: the customer's message, or everything the customer sees of a send
	tx     *idents // what the message, the send or the Dialogflow query identifies, or nil for nothing
	lastIn *ev     // the customer's last message before this event (by sequence), or nil
	pos    int32   // index in the customer's timeline (ci)
	lexOK  uint32  // facts computed (see memo)
	lexHas uint32  // lexicon bits that matched
	// outcome marks an inbound.delivered or inbound.failed event of a journal that also records
	// inbound.sent: the message itself is the inbound.sent event, this one only says how delivery went.
	outcome bool
	role    role
	kc      kind   // the kinds the rules look for in every event of a timeline, without reading the journal's
	open    bool   // inWindow
	text    uint32 // for a send, its text's index in View.texts (see bitTicket)
}

// kind is an event's journal kind as a byte of the view, for the kinds rules look for as they walk a
// customer's timeline: comparing it reads the view only, not each event's journal entry too.
type kind uint8

const (
	kOther kind = iota
	kConsentGiven
	kConsentWithdrawn
	kConsentRefused
	kOptoutRequested
	kDataRequest
	kHandoffRequested
	kHandoffReleased
	kContextsDeleted
	kOutboundRejected
	kDetectIntent
)

// kindCode returns the kind code of a journal kind.
func kindCode(k string) kind {
	switch k {
	case journal.KindConsentGiven:
		return kConsentGiven
	case journal.KindConsentWithdrawn:
		return kConsentWithdrawn
	case journal.KindConsentRefused:
		return kConsentRefused
	case journal.KindOptoutRequested:
		return kOptoutRequested
	case journal.KindDataRequest:
		return kDataRequest
	case journal.KindHandoffRequested:
		return kHandoffRequested
	case journal.KindHandoffReleased:
		return kHandoffReleased
	case journal.KindContextsDeleted:
		return kContextsDeleted
	case journal.KindOutboundRejected:
		return kOutboundRejected
	case journal.KindDetectIntent:
		return kDetectIntent
	}
	return kOther
}

// idents is what a text identifies, shared by the events of the same text (scanIdentifiers).
type idents struct {
	ids   []pii.Match // identifiers in the message, the send, or the Dialogflow query's text and parameters
	codes []string    // order and ticket codes (TE-1001) in the text; read only for messages and sends
}

// ids returns the identifiers in the message, the send, or the Dialogflow query's text and parameters.
func (e *ev) ids() []pii.Match {
	if e.tx == nil {
		return nil
	}
	return e.tx.ids
}

// codes returns the order and ticket codes (TE-1001) in the message or the send; nil for other events
// (a Dialogflow query may share its message's idents).
func (e *ev) codes() []string {
	if e.tx == nil || !e.isInbound() && !e.isOutbound() {
		return nil
	}
	return e.tx.codes
}

// ci is the event's index in its customer's timeline.
func (e *ev) ci() int { return int(e.pos) }

func (e *ev) in() *journal.InboundData      { p, _ := e.p.(*journal.InboundData); return p }
func (e *ev) out() *journal.OutboundData    { p, _ := e.p.(*journal.OutboundData); return p }
func (e *ev) di() *journal.DetectIntentData { p, _ := e.p.(*journal.DetectIntentData); return p }
func (e *ev) ctxs() *journal.ContextsData   { p, _ := e.p.(*journal.ContextsData); return p }
func (e *ev) dlp() *journal.DLPData         { p, _ := e.p.(*journal.DLPData); return p }
func (e *ev) consent() *journal.ConsentData { p, _ := e.p.(*journal.ConsentData); return p }
func (e *ev) optout() *journal.OptoutData   { p, _ := e.p.(*journal.OptoutData); return p }
func (e *ev) dsr() *journal.DataRequestData { p, _ := e.p.(*journal.DataRequestData); return p }
func (e *ev) canary() *journal.CanaryData   { p, _ := e.p.(*journal.CanaryData); return p }
func (e *ev) status() *journal.StatusData   { p, _ := e.p.(*journal.StatusData); return p }
func (e *ev) hook() *journal.WebhookAttemptData {
	p, _ := e.p.(*journal.WebhookAttemptData)
	return p
}
func (e *ev) hookCall() *journal.HookData   { p, _ := e.p.(*journal.HookData); return p }
func (e *ev) handoff() *journal.HandoffData { p, _ := e.p.(*journal.HandoffData); return p }
func (e *ev) tls() *journal.TLSProbeData    { p, _ := e.p.(*journal.TLSProbeData); return p }

// isInbound says whether the event is a message from the customer (delivered to the assistant or not:
// WhatsApp opens the window when the customer writes, whatever the webhook answered).
func (e *ev) isInbound() bool { return e.role == roleInbound }

// role is what an event is to the rules that ask most often, computed once (View.classify) so that the
// rules' scans over a million events compare a byte in the view, not the kind's string in the journal.
type role uint8

const (
	roleOther    role = iota
	roleInbound       // isInbound
	roleAccepted      // a send WhatsApp took
	roleRejected      // a send WhatsApp refused
)

// classify sets every event's role, once payloads are decoded and outcomes marked, on every core.
func (v *View) classify() {
	inChunks(len(v.evs), 1<<14, func(lo, hi int) {
		for _, e := range v.evs[lo:hi] {
			e.classify()
		}
	})
}

func (e *ev) classify() {
	switch {
	case e.p == nil:
	case e.Kind == journal.KindInboundSent,
		(e.Kind == journal.KindInboundDelivered || e.Kind == journal.KindInboundFailed) && !e.outcome:
		e.role = roleInbound
	case e.Kind == journal.KindOutboundAccepted:
		e.role = roleAccepted
	case e.Kind == journal.KindOutboundRejected:
		e.role = roleRejected
	}
}

// markOutcomes: when the journal records inbound.sent (the WhatsApp mock does, before the webhook, since
// an assistant may answer before it acknowledges), the delivered and failed events of those messages are
// outcomes, not messages of their own. Matched by customer and wamid, so journals merged from mocks that do and do not
// record inbound.sent keep every message once.
func (v *View) markOutcomes() {
	// Most journals have no inbound.sent: look for one on every core before building anything.
	var any atomic.Bool
	inChunks(len(v.evs), 1<<14, func(lo, hi int) {
		for _, e := range v.evs[lo:hi] {
			if e.Kind == journal.KindInboundSent {
				any.Store(true)
				return
			}
		}
	})
	if !any.Load() {
		return
	}
	sent := map[string]bool{}
	for _, e := range v.evs {
		if e.Kind == journal.KindInboundSent {
			if in, ok := e.p.(*journal.InboundData); ok {
				sent[e.Customer+"\x00"+in.ID] = true
			}
		}
	}
	if len(sent) == 0 {
		return
	}
	for _, e := range v.evs {
		if e.Kind == journal.KindInboundDelivered || e.Kind == journal.KindInboundFailed {
			if in, ok := e.p.(*journal.InboundData); ok && sent[e.Customer+"\x00"+in.ID] {
				e.outcome = true
			}
		}
	}
}

// isOutbound says whether the event is a send attempt by the assistant; accepted reports whether WhatsApp
// took it.
func (e *ev) isOutbound() bool { return e.role == roleAccepted || e.role == roleRejected }

func (e *ev) accepted() bool { return e.role == roleAccepted }

// inWindow says whether the customer-service window was open at this event.
func (e *ev) inWindow() bool { return e.open }

// windowOpen computes inWindow (group, once the customer's last message before the event is known).
func (e *ev) windowOpen() bool { return e.lastIn != nil && !e.At.After(e.lastIn.At.Add(window)) }

// View is a journal prepared for the rules: ordered by sequence number, payloads decoded, events grouped
// by customer, Dialogflow sessions tied to customers. Build it with NewView; it is read-only afterwards
// and rules may Check it concurrently.
type View struct {
	opts     Options
	evs      []*ev
	custs    map[string]*customer
	order    []string          // customer ids, sorted
	sessions map[string]string // Dialogflow session id → customer
	media    map[string][]*ev  // media id → its media.uploaded events, in order
	problems []string          // what could not be read or ordered
	byFirst  map[string][]*ev  // canary events by the first token of their folded value (WA-XCUST-01)
	last     time.Time         // simulated time of the last event
	said     map[string][]*ev  // identifier or code a customer wrote → their messages carrying it (WA-XCUST-01)
	pub      map[string]uint64 // identifier or code → seq of the first send that carried it
	texts    []sentFacts       // the facts of each distinct send's text (shareTextFacts)
	store    *store            // the memory of the events, given back by release
	payloads []payloads        // where the events' payloads are, given back by release
}

// store is the memory a view keeps its events in: the events, and v.evs before ordering.
type store struct {
	evs  []ev
	ptrs []*ev
}

// stores are the stores of views RunRules has finished with, cleared: an auditor run again in the same
// process (a certification audits every journey, a benchmark the same journal) reuses their memory
// instead of allocating, and faulting in, a hundred megabytes per million events.
var stores sync.Pool

// getStore returns a cleared store for n events, from stores when one there fits (not more than twice
// the size, so a small journal does not hold on to a large one's memory).
func getStore(n int) *store {
	if s, _ := stores.Get().(*store); s != nil {
		if cap(s.evs) >= n && cap(s.evs) <= 2*n {
			s.evs, s.ptrs = s.evs[:n], s.ptrs[:n]
			return s
		}
		stores.Put(s)
	}
	return &store{make([]ev, n), make([]*ev, n)}
}

// release clears the view's store and its payloads' blocks and gives them back for another view. The
// view must not be used after.
func (v *View) release() {
	s := v.store
	if s == nil {
		return
	}
	v.store, v.evs = nil, nil
	clear(s.evs[:cap(s.evs)])
	clear(s.ptrs[:cap(s.ptrs)])
	stores.Put(s)
	for _, p := range v.payloads {
		p.release()
	}
	v.payloads = nil
}

// NewView prepares events for the rules. events is not modified.
func NewView(events []journal.Event, opts Options) *View {
	v := &View{
		opts:     opts.withDefaults(),
		custs:    map[string]*customer{},
		sessions: map[string]string{},
		media:    map[string][]*ev{},
		byFirst:  map[string][]*ev{},
		said:     map[string][]*ev{},
		pub:      map[string]uint64{},
	}
	v.store = getStore(len(events))
	v.evs = v.store.ptrs
	if !v.inOrder(events) {
		// A million fresh events are mostly page faults: take them on every core.
		inChunks(len(events), 1<<16, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				v.evs[i] = v.store.evs[i].init(&events[i])
			}
		})
		v.reorder()
	}
	v.decode(v.store.evs, events) // for a journal in order, it also fills v.evs: one pass over the store
	v.markOutcomes()
	v.classify()
	// Side by side, so that one's passes in sequence order overlap the other's work on every core: the
	// identifiers in texts and the customers of events (neither reads what the other writes), then the
	// timelines and the sends' distinct texts (likewise).
	var wg sync.WaitGroup
	wg.Go(v.scanIdentifiers)
	v.link()
	wg.Wait()
	var texts sendTexts
	wg.Go(func() { texts = v.distinctTexts() })
	v.group()
	wg.Wait()
	v.shareTextFacts(texts)
	v.prepare()
	return v
}

// init makes e the view's event of je, and returns it.
func (e *ev) init(je *journal.Event) *ev {
	e.Event = je
	return e
}

// reorder sorts by sequence number, drops repeated sequence numbers and notes gaps and reordering.
func (v *View) reorder() {
	sorted := slices.IsSortedFunc(v.evs, func(a, b *ev) int { return cmp.Compare(a.Seq, b.Seq) })
	if !sorted {
		v.problem("events arrived out of sequence order (merged journals?); they were audited in sequence order")
		slices.SortStableFunc(v.evs, func(a, b *ev) int { return cmp.Compare(a.Seq, b.Seq) })
	}
	out := v.evs[:0]
	dups, gaps := 0, 0
	var gapText []string
	for i, e := range v.evs {
		if i > 0 {
			prev := out[len(out)-1].Seq
			if e.Seq == prev {
				dups++
				continue
			}
			if e.Seq > prev+1 {
				gaps++
				if len(gapText) < 5 {
					gapText = append(gapText, fmt.Sprintf("%d–%d", prev+1, e.Seq-1))
				}
			}
		}
		out = append(out, e)
	}
	v.evs = out
	if dups > 0 {
		v.problem(fmt.Sprintf("%d events repeated a sequence number; only the first of each was audited", dups))
	}
	if gaps > 0 {
		v.problem(fmt.Sprintf("the journal has %d gaps (missing seq %s); a rule that passed may have missed evidence there",
			gaps, strings.Join(gapText, ", ")))
	}
	backwards := 0
	for i := 1; i < len(v.evs); i++ {
		if v.evs[i].At.Before(v.evs[i-1].At) && v.evs[i].Kind != journal.KindClockSet {
			backwards++
		}
	}
	if backwards > 0 {
		v.problem(fmt.Sprintf("simulated time runs backwards %d times without a clock.set; durations there are measured as recorded", backwards))
	}
	if n := len(v.evs); n > 0 {
		v.last = v.evs[n-1].At
	}
}

// inOrder is reorder for a journal in strictly increasing sequence order, as a journal is recorded: it
// notes the gaps and the backward steps of time, chunk by chunk on every core, reading events directly
// (the view's events are then in the journal's order, so decode makes them as it goes). It reports false,
// having noted nothing, when events are not in strictly increasing order.
func (v *View) inOrder(events []journal.Event) bool {
	const chunk = 1 << 15
	type tally struct {
		unordered       bool
		gaps, backwards int
		gapText         []string // the chunk's first five
	}
	parts := make([]tally, (len(events)+chunk-1)/chunk)
	inChunks(len(events), chunk, func(lo, hi int) {
		t := &parts[lo/chunk]
		for i := max(lo, 1); i < hi; i++ {
			prev, e := &events[i-1], &events[i]
			if e.Seq <= prev.Seq {
				t.unordered = true
				return
			}
			if e.Seq > prev.Seq+1 {
				t.gaps++
				if len(t.gapText) < 5 {
					t.gapText = append(t.gapText, fmt.Sprintf("%d–%d", prev.Seq+1, e.Seq-1))
				}
			}
			if e.At.Before(prev.At) && e.Kind != journal.KindClockSet {
				t.backwards++
			}
		}
	})
	gaps, backwards := 0, 0
	var gapText []string
	for _, t := range parts {
		if t.unordered {
			return false
		}
		gaps, backwards = gaps+t.gaps, backwards+t.backwards
		gapText = append(gapText, t.gapText...)
	}
	if gaps > 0 {
		v.problem(fmt.Sprintf("the journal has %d gaps (missing seq %s); a rule that passed may have missed evidence there",
			gaps, strings.Join(gapText[:min(len(gapText), 5)], ", ")))
	}
	if backwards > 0 {
		v.problem(fmt.Sprintf("simulated time runs backwards %d times without a clock.set; durations there are measured as recorded", backwards))
	}
	if n := len(events); n > 0 {
		v.last = events[n-1].At
	}
	return true
}

func (v *View) problem(s string) { v.problems = append(v.problems, s) }

// each calls f for every customer, in id order.
func (v *View) each(f func(c *customer)) {
	for _, id := range v.order {
		f(v.custs[id])
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func seqs(evs ...*ev) []uint64 {
	out := make([]uint64, 0, len(evs))
	for _, e := range evs {
		if e != nil {
			out = append(out, e.Seq)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
