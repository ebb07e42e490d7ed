package audit

import (
	"cmp"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/pii"
)

// window is WhatsApp's customer-service window. A message sent exactly 24 hours after the customer's last
// message is inside it: the policy says "within 24 hours of the last user message" (WhatsApp Business
// Policy; AWS's copy of Meta's text: "a 24-hour timer … starts or refreshes"), and a timer of 24 hours has
// not run out at 24:00:00. The WhatsApp mock must decide the same way.
const window = 24 * time.Hour

// ev is one event of the view: the journal event, its decoded payload, and the customer it concerns
// (for Dialogflow and DLP events, the customer the auditor tied their session or text to).
type ev struct {
	*journal.Event // the caller's: read, never written
	cust           string
	p              any // *journal.InboundData, *journal.OutboundData, … by kind; nil when the kind has none

	ft     string      // folded text: the customer's message, or everything the customer sees of a send
	ci     int         // index in the customer's timeline
	key    uint64      // place in the customer's timeline: the seq, or for a message its first webhook POST
	anc    int         // memo of customer.anchor, -1 until computed
	xp     *export     // memo of View.exportOf
	ids    []pii.Match // identifiers in the message, the send, or the Dialogflow query's text and parameters
	codes  []string    // order and ticket codes (TE-1001) in the message or the send
	lexOK  uint32      // facts computed (see memo)
	lexHas uint32      // lexicon bits that matched
	lastIn time.Time   // the customer's last message before this event (by sequence)
	hasIn  bool
	// outcome marks an inbound.delivered or inbound.failed event of a journal that also records
	// inbound.sent: the message itself is the inbound.sent event, this one only says how delivery went.
	outcome bool
	role    role
	ticket  string // the tracking code a send gives, folded (see ticketRef)
}

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

// classify sets every event's role, once payloads are decoded and outcomes marked.
func (v *View) classify() {
	for _, e := range v.evs {
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
}

// markOutcomes: when the journal records inbound.sent (the WhatsApp mock does, before the webhook, since
// an assistant may answer before it acknowledges), the delivered and failed events of those messages are
// outcomes, not messages of their own. Matched by customer and wamid, so journals merged from mocks that do and do not
// record inbound.sent keep every message once.
func (v *View) markOutcomes() {
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
func (e *ev) inWindow() bool { return e.hasIn && !e.At.After(e.lastIn.Add(window)) }

// customer is one customer's timeline: their own events and the Dialogflow and DLP events tied to them.
type customer struct {
	id       string
	evs      []*ev
	canaries []*ev
	exp      []export // memo of View.exports
	expDone  bool
	moved    bool // some message was placed before its own seq (see group)
	// Indexes in evs of the customer's messages (isInbound), of the sends to them (isOutbound) and of
	// their data-protection requests: most rules look at one of these and would otherwise walk every
	// event of the timeline.
	ins, outs, reqs []int
}

// inbound yields the customer's messages with their index in the timeline.
func (c *customer) inbound() iter.Seq2[int, *ev] { return c.at(c.ins) }

// sends yields the send attempts to the customer, accepted or not, with their index in the timeline.
func (c *customer) sends() iter.Seq2[int, *ev] { return c.at(c.outs) }

func (c *customer) at(idx []int) iter.Seq2[int, *ev] {
	return func(yield func(int, *ev) bool) {
		for _, i := range idx {
			if !yield(i, c.evs[i]) {
				return
			}
		}
	}
}

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
}

// scanIdentifiers finds the identifiers in every message, send and Dialogflow query, on every core, in
// chunks of neighbouring events, scanning each distinct text of a chunk once (a message and its query are
// the same text, a few events apart).
func (v *View) scanIdentifiers() {
	inChunks(len(v.evs), 4096, func(lo, hi int) {
		found := map[string][]pii.Match{}
		for _, e := range v.evs[lo:hi] {
			var t string
			switch d := e.p.(type) {
			case *journal.InboundData:
				t = d.Text
			case *journal.OutboundData:
				t = sentText(d)
			case *journal.DetectIntentData:
				t = d.Text
				if len(d.Parameters) > 0 {
					t += "\n" + flattenParams(d.Parameters)
				}
			default:
				continue
			}
			if !mayHoldIdentifier(t) {
				continue
			}
			m, ok := found[t]
			if !ok {
				m = pii.Find(t)
				found[t] = m
			}
			e.ids = m
		}
	})
}

// findCodes returns the order and ticket codes in text as businesses print them (TE-1001, PED-771234):
// what the regular expression `\b[A-Z]{2,5}-\d{3,}\b` finds (ASCII word boundaries), scanned by hand
// since it runs on every message and send of the journal (TestFindCodesIsTheRegexp).
func findCodes(text string) []string {
	var out []string
	for off := 0; ; {
		i := strings.IndexByte(text[off:], '-')
		if i < 0 {
			return out
		}
		dash := off + i
		off = dash + 1
		start := dash
		for start > 0 && 'A' <= text[start-1] && text[start-1] <= 'Z' {
			start--
		}
		if n := dash - start; n < 2 || n > 5 || start > 0 && isASCIIWord(text[start-1]) {
			continue
		}
		end := dash + 1
		for end < len(text) && '0' <= text[end] && text[end] <= '9' {
			end++
		}
		if end-dash-1 < 3 || end < len(text) && isASCIIWord(text[end]) {
			continue
		}
		out = append(out, text[start:end])
		off = end
	}
}

// isASCIIWord is \w of Go's regular expressions, whose \b is ASCII.
func isASCIIWord(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// shareTypes are the identifiers that, written by one customer, must never reach another (WA-XCUST-01).
// Phone numbers are left out: a business's own number is written by customers and by the assistant.
var shareTypes = []pii.Type{pii.DNI, pii.NIE, pii.IBAN, pii.Card, pii.NUSS, pii.Passport, pii.Email}

// sharedValues returns the identifiers and codes in a message or a send, normalised.
func sharedValues(e *ev) []string {
	var out []string
	for _, m := range pii.Only(e.ids, shareTypes...) {
		out = append(out, m.Normalized())
	}
	return append(out, e.codes...)
}

// mayHoldIdentifier is false for text with fewer than three digits and no @: it cannot hold any
// identifier pii reports (the shortest, a CVV, has three digits), and most chat text is like that.
func mayHoldIdentifier(text string) bool {
	digits := 0
	for _, r := range text {
		if r == '@' {
			return true
		} else if unicode.IsDigit(r) {
			digits++
		}
		if digits >= 3 {
			return true
		}
	}
	return false
}

// kinds whose payload the auditor decodes, with how (payload.go); known kinds without a payload the
// auditor needs map to nil.
var payloadKinds = map[string]*payloadKind{
	journal.KindInboundSent:      inboundKind,
	journal.KindInboundDelivered: inboundKind,
	journal.KindInboundFailed:    inboundKind,
	journal.KindOutboundAccepted: outboundKind,
	journal.KindOutboundRejected: outboundKind,
	journal.KindStatusFailed:     kindOf[journal.StatusData](),
	journal.KindWebhookAttempt:   kindOf[journal.WebhookAttemptData](),
	journal.KindMediaUploaded:    kindOf[journal.MediaData](),
	journal.KindTLSProbe:         kindOf[journal.TLSProbeData](),
	journal.KindDetectIntent:     detectIntentKind,
	journal.KindContextsDeleted:  kindOf[journal.ContextsData](),
	journal.KindDeidentify:       kindOf[journal.DLPData](),
	journal.KindConsentGiven:     kindOf[journal.ConsentData](),
	journal.KindConsentWithdrawn: kindOf[journal.ConsentData](),
	journal.KindConsentRefused:   kindOf[journal.ConsentData](),
	journal.KindOptoutRequested:  kindOf[journal.OptoutData](),
	journal.KindDataRequest:      kindOf[journal.DataRequestData](),
	journal.KindCanaryPlanted:    kindOf[journal.CanaryData](),
	journal.KindHookCalled:       kindOf[journal.HookData](),
	journal.KindHandoffRequested: kindOf[journal.HandoffData](),
	journal.KindStatusSent:       nil, journal.KindStatusDelivered: nil, journal.KindStatusRead: nil,
	journal.KindMarkRead: nil, journal.KindWebhookVerify: nil, journal.KindRequestAccepted: nil,
	journal.KindRequestRejected: nil, journal.KindUnmodelled: nil, journal.KindDetectIntentRejected: nil,
	journal.KindContextsListed: nil, journal.KindContextsCreated: nil, journal.KindInspect: nil,
	journal.KindDLPRejected: nil, journal.KindCustomerBlocked: nil, journal.KindCustomerUnblocked: nil,
	journal.KindHandoffReleased: nil, journal.KindClockAdvanced: nil, journal.KindClockSet: nil,
	journal.KindFaultSet: nil, journal.KindReset: nil,
}

// skipJSON takes a JSON value without keeping it: the auditor does not read the raw webhook message or
// request body the WhatsApp mock journals, and copying them is most of the cost of decoding a send.
type skipJSON struct{}

func (*skipJSON) UnmarshalJSON([]byte) error { return nil }

// inboundLean and outboundLean decode the journal's payloads without their raw copies (the outer
// field shadows the embedded one for encoding/json).
type inboundLean struct {
	journal.InboundData
	Message skipJSON `json:"message"`
}

type outboundLean struct {
	journal.OutboundData
	Body skipJSON `json:"body"`
}

// optionalPayload are kinds whose payload may be absent.
var optionalPayload = map[string]bool{journal.KindHandoffRequested: true}

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
	store := make([]ev, len(events))
	v.evs = make([]*ev, len(store))
	// A million fresh events are mostly page faults: take them on every core.
	inChunks(len(store), 1<<16, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			store[i].Event = &events[i]
			store[i].anc = -1
			v.evs[i] = &store[i]
		}
	})
	v.order1()
	v.decode()
	v.scanIdentifiers()
	v.markOutcomes()
	v.classify()
	v.link()
	v.group()
	v.shareTextFacts()
	v.prepare()
	return v
}

// order1 sorts by sequence number, drops repeated sequence numbers and notes gaps and reordering.
func (v *View) order1() {
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

// decode decodes the payloads, on every core: on a million events JSON decoding is most of the work.
func (v *View) decode() {
	workers := min(runtime.GOMAXPROCS(0), 8)
	if len(v.evs) < 4096 {
		workers = 1
	}
	type tally struct {
		unknown, missing, bad map[string]int
	}
	tallies := make([]tally, workers)
	var wg sync.WaitGroup
	chunk := (len(v.evs) + workers - 1) / workers
	for w := range workers {
		lo, hi := w*chunk, min((w+1)*chunk, len(v.evs))
		t := &tallies[w]
		*t = tally{map[string]int{}, map[string]int{}, map[string]int{}}
		wg.Go(func() {
			type sent struct {
				ft    string
				codes []string
			}
			seen := map[string]sent{} // an assistant sends the same few texts: fold each once
			for _, e := range v.evs[lo:hi] {
				k, known := payloadKinds[e.Kind]
				switch {
				case !known:
					t.unknown[e.Kind]++
				case k == nil:
				case len(e.Data) == 0:
					if !optionalPayload[e.Kind] {
						t.missing[e.Kind]++
					}
				default:
					p, err := decodePayload(*e.Event, k)
					if err != nil {
						t.bad[e.Kind]++
						continue
					}
					e.p = p
					switch d := p.(type) {
					case *journal.InboundData:
						e.ft = fold(d.Text)
						e.codes = findCodes(d.Text)
					case *journal.OutboundData:
						t := sentText(d)
						x, ok := seen[t]
						if !ok {
							x = sent{fold(t), findCodes(t)}
							seen[t] = x
						}
						e.ft, e.codes = x.ft, x.codes
					}
				}
			}
		})
	}
	wg.Wait()
	merge := func(f func(tally) map[string]int, what string) {
		all := map[string]int{}
		for _, t := range tallies {
			for k, n := range f(t) {
				all[k] += n
			}
		}
		for _, k := range sortedKeys(all) {
			v.problem(fmt.Sprintf("%d %q events %s", all[k], k, what))
		}
	}
	merge(func(t tally) map[string]int { return t.unknown }, "have a kind the auditor does not know; not judged")
	merge(func(t tally) map[string]int { return t.missing }, "have no payload; not judged")
	merge(func(t tally) map[string]int { return t.bad }, "have a payload that does not decode; not judged")
}

// link ties events to customers. WhatsApp and customer events name their customer; Dialogflow sessions
// are pseudonymous, so a session is tied to a customer when one of its queries carries a text that exactly
// one customer sent (verbatim, or as DLP returned it de-identified), and no query of it points at another
// customer. Every event of a tied session then belongs to that customer.
func (v *View) link() {
	// Every event's own customer, on every core, gathering by chunk the events the maps below are built
	// from, in sequence order.
	type found struct{ inbound, dlp, queries []*ev }
	const chunk = 1 << 14
	parts := make([]found, (len(v.evs)+chunk-1)/chunk)
	inChunks(len(v.evs), chunk, func(lo, hi int) {
		f := &parts[lo/chunk]
		for _, e := range v.evs[lo:hi] {
			switch {
			case e.isInbound():
				e.cust = e.Customer
				f.inbound = append(f.inbound, e)
			case e.isOutbound():
				e.cust = cmp.Or(e.Customer, e.out().WaID, e.out().To)
			case e.Kind == journal.KindStatusFailed && e.p != nil:
				e.cust = cmp.Or(e.Customer, e.status().Recipient)
			case e.Source == journal.SourceCustomer || e.Source == journal.SourceWhatsApp || e.Source == journal.SourceHarness:
				e.cust = e.Customer
			}
			if e.dlp() != nil {
				f.dlp = append(f.dlp, e)
			} else if e.di() != nil || e.ctxs() != nil {
				f.queries = append(f.queries, e)
			}
		}
	})
	const ambiguous = "\x00"
	texts := map[string]string{} // inbound text → customer, or ambiguous
	for e := range allOf(parts, func(f found) []*ev { return f.inbound }) {
		if t := strings.TrimSpace(e.in().Text); t != "" && e.cust != "" {
			if c, ok := texts[t]; ok && c != e.cust {
				texts[t] = ambiguous
			} else {
				texts[t] = e.cust
			}
		}
	}
	byText := func(t string) string {
		if c := texts[strings.TrimSpace(t)]; c != ambiguous {
			return c
		}
		return ""
	}
	deid := map[string]string{} // DLP result → customer, or ambiguous
	for e := range allOf(parts, func(f found) []*ev { return f.dlp }) {
		d := e.dlp()
		e.cust = byText(d.Text) // the DLP mock's own customer field is not a wa_id
		r := strings.TrimSpace(d.Result)
		if r == "" || e.cust == "" {
			continue
		}
		if c, ok := deid[r]; ok && c != e.cust {
			deid[r] = ambiguous
		} else {
			deid[r] = e.cust
		}
	}
	conflict := map[string]bool{}
	for e := range allOf(parts, func(f found) []*ev { return f.queries }) {
		d := e.di()
		if d == nil || d.SessionID == "" {
			continue
		}
		c := byText(d.Text)
		if c == "" {
			if dc := deid[strings.TrimSpace(d.Text)]; dc != ambiguous {
				c = dc
			}
		}
		if c == "" {
			continue
		}
		if prev, ok := v.sessions[d.SessionID]; ok && prev != c {
			conflict[d.SessionID] = true
		}
		v.sessions[d.SessionID] = c
	}
	for s := range conflict {
		delete(v.sessions, s)
	}
	if len(conflict) > 0 {
		v.problem(fmt.Sprintf("%d Dialogflow sessions carry texts of more than one customer; they were not tied to a customer (WA-XCUST-01 territory: check them by hand)", len(conflict)))
	}
	untied := 0
	for e := range allOf(parts, func(f found) []*ev { return f.queries }) {
		var sid string
		if d := e.di(); d != nil {
			sid = d.SessionID
		} else if c := e.ctxs(); c != nil {
			sid = c.SessionID
		} else {
			continue
		}
		e.cust = v.sessions[sid]
		if e.cust == "" && e.Kind == journal.KindDetectIntent {
			untied++
		}
	}
	if untied > 0 {
		v.problem(fmt.Sprintf("%d Dialogflow queries could not be tied to a customer (no unambiguous matching message); customer-specific rules did not judge them", untied))
	}
}

// allOf yields, in order, the events each part holds.
func allOf[P any](parts []P, list func(P) []*ev) iter.Seq[*ev] {
	return func(yield func(*ev) bool) {
		for _, p := range parts {
			for _, e := range list(p) {
				if !yield(e) {
					return
				}
			}
		}
	}
}

// group builds the customers' timelines and the per-event window state.
//
// A message's inbound.delivered is recorded when the assistant's webhook has answered, so the assistant's
// replies, sent while it handled the webhook, come before it in the journal. In each timeline a message
// is therefore placed where WhatsApp first POSTed it (its first webhook.attempt, matched by wamid), so
// "the replies to a message" are the sends after it.
func (v *View) group() {
	posted := map[string]uint64{} // wamid → seq of its first webhook attempt
	for _, e := range v.evs {
		if h := e.hook(); h != nil && h.RefID != "" {
			if _, ok := posted[h.RefID]; !ok {
				posted[h.RefID] = e.Seq
			}
		}
	}
	for _, e := range v.evs {
		if m, ok := e.p.(*journal.MediaData); ok && m.ID != "" {
			v.media[m.ID] = append(v.media[m.ID], e)
		}
		if e.cust == "" {
			continue
		}
		c := v.custs[e.cust]
		if c == nil {
			c = &customer{id: e.cust}
			v.custs[e.cust] = c
			v.order = append(v.order, e.cust)
		}
		e.key = e.Seq
		if e.isInbound() {
			if p, ok := posted[e.in().ID]; ok && p < e.Seq {
				e.key = p
				c.moved = true
			}
		}
		c.evs = append(c.evs, e)
		if e.isInbound() {
			for _, s := range sharedValues(e) {
				v.said[s] = append(v.said[s], e)
			}
		} else if e.isOutbound() {
			for _, s := range sharedValues(e) {
				if _, ok := v.pub[s]; !ok {
					v.pub[s] = e.Seq
				}
			}
		}
		if cd := e.canary(); cd != nil && strings.TrimSpace(cd.Value) != "" {
			c.canaries = append(c.canaries, e)
			toks := tokens(fold(cd.Value))
			if len(toks) > 0 {
				v.byFirst[toks[0]] = append(v.byFirst[toks[0]], e)
			}
		}
	}
	sort.Strings(v.order)
	for _, c := range v.custs {
		if c.moved {
			slices.SortStableFunc(c.evs, func(a, b *ev) int { return cmp.Compare(a.key, b.key) })
		}
		for i, e := range c.evs {
			e.ci = i
			switch {
			case e.isInbound():
				c.ins = append(c.ins, i)
			case e.isOutbound():
				c.outs = append(c.outs, i)
			case e.dsr() != nil:
				c.reqs = append(c.reqs, i)
			}
			if i > 0 {
				prev := c.evs[i-1]
				e.lastIn, e.hasIn = prev.lastIn, prev.hasIn
				if prev.isInbound() {
					e.lastIn, e.hasIn = prev.At, true
				}
			}
		}
	}
}

// prepare computes, customer by customer on every core, the facts several rules ask of the same events
// (anchors, exports, whether a send carries a canary; the facts of a send's text are shareTextFacts').
// After it the view is only read, so rules run concurrently (RunRules).
func (v *View) prepare() {
	parallel(len(v.order), func(k int) {
		c := v.custs[v.order[k]]
		for i, e := range c.evs {
			switch {
			case e.optout() != nil:
				c.anchor(i, e.optout().Phrase)
			case e.dsr() != nil:
				c.anchor(i, e.dsr().Wording)
			case e.Kind == journal.KindHandoffRequested:
				phrase := ""
				if h := e.handoff(); h != nil {
					phrase = h.Phrase
				}
				c.anchor(i, phrase)
			}
		}
		for _, e := range c.sends() { // refused sends too: rules that forbid a send judge attempts
			v.exportOf(e)
			v.sendCarriesCanary(e)
		}
		v.exports(c)
	})
}

// textFacts computes the facts about a send that depend only on what it says (marketing, for a
// free-form send; a fee, a refusal, an extension, the confirmation of each right).
func textFacts(e *ev) {
	isMarketing(e)
	e.fee()
	e.refusal()
	e.extension()
	e.aboutRequests()
	e.asksSensitive()
	for _, r := range rightsOrder {
		confirms(e, r)
	}
	if e.lexOK&(1<<bitTicket) == 0 {
		e.ticket = findTicket(e.out())
		e.lexOK |= 1 << bitTicket
	}
}

// textBits are the memo bits textFacts sets. bitMarketing is among them because marketing depends only on
// the text, the type and the category, which shareTextFacts keys on.
var textBits = uint32(1<<bitMarketing | 1<<bitFee | 1<<bitRefusal | 1<<bitExtension | 1<<bitAboutRequests | 1<<bitTicket |
	1<<bitSensitive | (1<<len(rightsOrder)-1)<<bitDone)

// shareTextFacts computes textFacts once per distinct send (text as sent, type and template category), on
// every core, and gives each send the facts of its text: an assistant sends the same few texts to every
// customer, and a load run's million events hold a few dozen distinct replies. Refused sends get them too:
// rules that forbid a send judge what the assistant tried to send.
func (v *View) shareTextFacts() {
	type key struct{ text, typ, cat string }
	first := map[key]*ev{}
	var distinct []*ev
	var same [][2]*ev // a send and the first send of its text
	for _, e := range v.evs {
		if !e.isOutbound() {
			continue
		}
		k := key{sentText(e.out()), e.out().Type, e.out().Category}
		if f, ok := first[k]; ok {
			same = append(same, [2]*ev{e, f})
			continue
		}
		first[k] = e
		distinct = append(distinct, e)
	}
	inChunks(len(distinct), 64, func(lo, hi int) {
		for _, e := range distinct[lo:hi] {
			textFacts(e)
		}
	})
	for _, p := range same {
		p[0].lexOK |= p[1].lexOK & textBits
		p[0].lexHas |= p[1].lexHas & textBits
		p[0].ticket = p[1].ticket
	}
}

// inChunks calls f(lo, hi) for the chunks [0, size), [size, 2·size) … of [0, n), on every core.
func inChunks(n, size int, f func(lo, hi int)) {
	parallel((n+size-1)/size, func(c int) { f(c*size, min((c+1)*size, n)) })
}

// parallel calls f(0) … f(n-1) on every core.
func parallel(n int, f func(int)) {
	workers := min(runtime.GOMAXPROCS(0), 8, n)
	if workers <= 1 {
		for k := range n {
			f(k)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for k := int(next.Add(1) - 1); k < n; k = int(next.Add(1) - 1) {
				f(k)
			}
		})
	}
	wg.Wait()
}

func (v *View) problem(s string) { v.problems = append(v.problems, s) }

// each calls f for every customer, in id order.
func (v *View) each(f func(c *customer)) {
	for _, id := range v.order {
		f(v.custs[id])
	}
}

// nextInbound returns the index of the customer's first message after index i, or len(c.evs).
func (c *customer) nextInbound(i int) int {
	for j := i + 1; j < len(c.evs); j++ {
		if c.evs[j].isInbound() {
			return j
		}
	}
	return len(c.evs)
}

// replies returns the accepted sends after index i and before the customer's next message that answer
// it: sent within 24 hours of it, and not business-initiated templates (a campaign a month later is not
// a reply to the last thing the customer said).
func (c *customer) replies(i int) []*ev {
	var out []*ev
	at := c.evs[i].At
	for j := i + 1; j < len(c.evs); j++ {
		e := c.evs[j]
		if e.isInbound() {
			break
		}
		if e.accepted() && !e.At.After(at.Add(window)) && !businessInitiated(e) {
			out = append(out, e)
		}
	}
	return out
}

// anchor finds the customer message that carried a ground-truth act at index i (an opt-out, a request):
// the nearest message whose text is the act's phrase; without a phrase, the first message after the act,
// or else the last one before it. It returns i itself when there is none (e.g. WhatsApp's own stop
// button), so replies(anchor) still means "what the assistant sent after the act".
func (c *customer) anchor(i int, phrase string) int {
	if a := c.evs[i].anc; a >= 0 {
		return a
	}
	a := c.findAnchor(i, phrase)
	c.evs[i].anc = a
	return a
}

func (c *customer) findAnchor(i int, phrase string) int {
	phrase = fold(strings.TrimSpace(phrase))
	if phrase != "" {
		match := func(j int) bool {
			e := c.evs[j]
			return e.isInbound() && strings.TrimSpace(e.ft) == phrase
		}
		for d := 0; i-d >= 0 || i+d < len(c.evs); d++ { // nearest first
			if i-d >= 0 && match(i-d) {
				return i - d
			}
			if i+d < len(c.evs) && match(i+d) {
				return i + d
			}
		}
	}
	for j := i + 1; j < len(c.evs); j++ {
		if c.evs[j].isInbound() {
			return j
		}
		if c.evs[j].isOutbound() {
			break
		}
	}
	for j := i - 1; j >= 0; j-- {
		if c.evs[j].isInbound() {
			return j
		}
		if c.evs[j].isOutbound() {
			break
		}
	}
	return i
}

// lexicon memo bits (ev.memo).
const (
	bitMarketing = iota
	bitCanary
	bitFee
	bitRefusal
	bitExtension
	bitAboutRequests
	bitTicket // ev.ticket is set
	bitSensitive
	bitDone // + index of the right in rightsOrder
)

var rightsOrder = []string{"access", "portability", "erasure", "rectification", "restriction", "objection"}

func (e *ev) fee() bool {
	return e.memo(bitFee, func() bool { return has(e.ft, feeWords...) && !has(e.ft, freeWords...) })
}

func (e *ev) refusal() bool {
	return e.memo(bitRefusal, func() bool { return has(e.ft, refusal...) && !has(e.ft, authority...) })
}

func (e *ev) extension() bool { return e.memo(bitExtension, func() bool { return delays(e.ft) }) }

// aboutRequests says whether a send speaks of requests or rights: a later reply in a request's thread.
func (e *ev) aboutRequests() bool {
	return e.memo(bitAboutRequests, func() bool { return has(e.ft, "solicitud", "request", "derechos", "rights") })
}

// asksSensitive says whether a send asks for a sensitive identifier (sensitiveAsk says which).
func (e *ev) asksSensitive() bool {
	return e.memo(bitSensitive, func() bool { _, ok := sensitiveAsk(e.ft); return ok })
}

// ticketRef returns the tracking code a send gives, folded, or "".
func (e *ev) ticketRef() string {
	if e.lexOK&(1<<bitTicket) != 0 {
		return e.ticket
	}
	return findTicket(e.out())
}

func findTicket(o *journal.OutboundData) string {
	if m := ticketRe.FindString(sentText(o)); m != "" {
		return fold(m)
	}
	return ""
}

// memo computes a yes/no fact about an event once: several rules ask the same of every send.
func (e *ev) memo(bit int, f func() bool) bool {
	m := uint32(1) << bit
	if e.lexOK&m == 0 {
		e.lexOK |= m
		if f() {
			e.lexHas |= m
		}
	}
	return e.lexHas&m != 0
}

// firstContact returns the customer's first message and the assistant's replies to it (sends before the
// customer's second message), or -1 when the customer never wrote.
func (c *customer) firstContact() (int, []*ev) {
	for i, e := range c.evs {
		if e.isInbound() {
			return i, c.replies(i)
		}
	}
	return -1, nil
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
