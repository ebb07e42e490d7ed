package audit

import (
	"cmp"
	"iter"
	"slices"
	"sort"
	"strings"

	"github.com/parley-dev/parley/journal"
)

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
	// acts indexes the events rules that follow consents, opt-outs, requests, handoffs, sends and their
	// failures walk (see isAct): a timeline without its messages, webhooks, DLP and Dialogflow events.
	acts []int
	// handled memoises, for the customer's requests, the fulfilment and thread several rules ask for
	// (View.prepare); both depend only on the right and the message that made the request.
	handled  map[handlingKey]handling
	statuses bool           // some event of the timeline is a status with a payload (a failure)
	anchors  map[int]int    // memo of anchor, by index, for the acts that have one (View.prepare)
	docs     map[*ev]export // memo of View.exportOf, for the documents sent to the customer (View.prepare)
}

type handlingKey struct {
	anchor int
	right  string
}

type handling struct {
	fulfilment *ev   // View.fulfilment
	thread     []*ev // View.thread: read, never written
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

// group builds the customers' timelines and the per-event window state.
//
// A message's inbound.delivered is recorded when the assistant's webhook has answered, so the assistant's
// replies, sent while it handled the webhook, come before it in the journal. In each timeline a message
// is therefore placed where WhatsApp first POSTed it (its first webhook.attempt, matched by wamid), so
// "the replies to a message" are the sends after it.
func (v *View) group() {
	// wamid → seq of its first webhook attempt. Built in the same pass: only attempts before a message
	// move it, and those come before it in sequence order.
	posted := map[string]uint64{}
	var c *customer // the last event's: a customer's events come in runs
	for _, e := range v.evs {
		if h := e.hook(); h != nil && h.RefID != "" {
			if _, ok := posted[h.RefID]; !ok {
				posted[h.RefID] = e.Seq
			}
		}
		if m, ok := e.p.(*journal.MediaData); ok && m.ID != "" {
			v.media[m.ID] = append(v.media[m.ID], e)
		}
		if e.cust == "" {
			continue
		}
		if c == nil || c.id != e.cust {
			c = v.custs[e.cust]
			if c == nil {
				c = &customer{id: e.cust}
				v.custs[e.cust] = c
				v.order = append(v.order, e.cust)
			}
		}
		if e.isInbound() {
			if p, ok := posted[e.in().ID]; ok && p < e.Seq {
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
	parallel(len(v.order), func(k int) {
		c := v.custs[v.order[k]]
		if c.moved {
			// Each event's place: its seq, or for a message its first webhook POST.
			type placed struct {
				key uint64
				e   *ev
			}
			ps := make([]placed, len(c.evs))
			for i, e := range c.evs {
				ps[i] = placed{e.Seq, e}
				if e.isInbound() {
					if p, ok := posted[e.in().ID]; ok && p < e.Seq {
						ps[i].key = p
					}
				}
			}
			slices.SortStableFunc(ps, func(a, b placed) int { return cmp.Compare(a.key, b.key) })
			for i := range ps {
				c.evs[i] = ps[i].e
			}
		}
		for i, e := range c.evs {
			e.pos = int32(i)
			switch {
			case e.isInbound():
				c.ins = append(c.ins, i)
			case e.isOutbound():
				c.outs = append(c.outs, i)
			case e.dsr() != nil:
				c.reqs = append(c.reqs, i)
			case e.status() != nil:
				c.statuses = true
			}
			if e.isAct() {
				c.acts = append(c.acts, i)
			}
			if i > 0 {
				prev := c.evs[i-1]
				e.lastIn = prev.lastIn
				if prev.isInbound() {
					e.lastIn = prev
				}
			}
			e.open = e.windowOpen()
		}
	})
}

// merged yields the events at the indexes of a and of b (each increasing) with their index, in timeline
// order: a rule that needs two kinds of events walks those, not the whole timeline.
func (c *customer) merged(a, b []int) iter.Seq2[int, *ev] {
	return func(yield func(int, *ev) bool) {
		for i, j := 0, 0; i < len(a) || j < len(b); {
			var k int
			switch {
			case j == len(b) || i < len(a) && a[i] < b[j]:
				k, i = a[i], i+1
			case i == len(a) || b[j] < a[i]:
				k, j = b[j], j+1
			default: // in both
				k, i, j = a[i], i+1, j+1
			}
			if !yield(k, c.evs[k]) {
				return
			}
		}
	}
}

// isAct says whether a rule following what the customer decided and what was sent to them must see the
// event: a send, a consent, an opt-out, a request, a handoff, a Dialogflow clean-up, a failed status or a
// hook call.
func (e *ev) isAct() bool {
	return e.isOutbound() || e.kc != kOther && e.kc != kDetectIntent || e.status() != nil || e.hookCall() != nil
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
	for e := range c.eachReply(i) {
		out = append(out, e)
	}
	return out
}

// eachReply yields what replies returns, without gathering it.
func (c *customer) eachReply(i int) iter.Seq[*ev] {
	return func(yield func(*ev) bool) {
		at := c.evs[i].At
		for j := i + 1; j < len(c.evs); j++ {
			e := c.evs[j]
			if e.isInbound() {
				return
			}
			if e.accepted() && !e.At.After(at.Add(window)) && !businessInitiated(e) && !yield(e) {
				return
			}
		}
	}
}

// anchor finds the customer message that carried a ground-truth act at index i (an opt-out, a request):
// the nearest message whose text is the act's phrase; without a phrase, the first message after the act,
// or else the last one before it. It returns i itself when there is none (e.g. WhatsApp's own stop
// button), so replies(anchor) still means "what the assistant sent after the act".
func (c *customer) anchor(i int, phrase string) int {
	if a, ok := c.anchors[i]; ok {
		return a
	}
	return c.findAnchor(i, phrase)
}

// keepAnchor is anchor, remembering the anchor (View.prepare, before the rules read it concurrently).
func (c *customer) keepAnchor(i int, phrase string) {
	if c.anchors == nil {
		c.anchors = map[int]int{}
	}
	c.anchors[i] = c.findAnchor(i, phrase)
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
