package shared

import "github.com/parley-dev/parley/journal"

// ambiguous marks a text or session that more than one customer's events point at.
const ambiguous = "\x00"

// ties ties the run's Dialogflow and DLP calls to customers as the journal grows. A DLP call carries a
// customer's text; a Dialogflow query carries such a text, or a DLP result of one, and ties its session
// (every call of the session, earlier ones too, then belongs to that customer). Scenarios at once send
// the same words ("Hola"), so a text several customers sent goes to the first of them whose message has
// no call of that kind yet: assistants take messages in the order they come, near enough. Near enough is
// not always: an assistant that answers customers concurrently may take the second customer's "Hola"
// first, and on a busy machine does. So a session has two kinds of tie: sure, from a text only one
// customer sent (or a DLP result only of such texts), and guessed, from shared words. A sure tie decides
// whose session it is, provided every guessed query of the session could have been that customer's
// (they sent those words too); a session with sure ties to two customers, or a guessed query its sure
// customer never sent, belongs to none; without a sure tie the guesses decide, and guesses pointing at
// two customers make it belong to none.
type ties struct {
	scanned  uint64
	sentBy   map[string]string   // inbound text → its customer, or ambiguous
	resultBy map[string]string   // DLP result → the customer of every call it came from, or ambiguous
	waiting  map[string][]*asked // inbound text → messages carrying it, oldest first
	results  map[string][]*asked // DLP result → the messages it came from, oldest first
	dlp      map[uint64]string   // DLP call → its customer
	session  map[string]*sessionTie
	messages map[string]string // WhatsApp message id → its customer
	attempts map[uint64]string // webhook delivery → the id of the message it is about
	nluSeen  bool              // a call to Dialogflow or DLP was seen
}

// asked is a customer's text and the calls about it seen so far.
type asked struct {
	customer    string
	dlp, dialog bool
}

// sessionTie is what the queries of one Dialogflow session say of its customer.
type sessionTie struct {
	sure  string          // the customer of its texts only one customer sent, or ambiguous
	guess string          // the customer its shared words were guessed to be, or ambiguous
	could map[string]bool // those who sent every shared text of its queries; nil before the first
}

// owner is the session's customer, "" when it cannot be told.
func (s *sessionTie) owner() string {
	switch {
	case s.sure == ambiguous:
		return ""
	case s.sure != "":
		if s.could != nil && !s.could[s.sure] {
			return "" // a query its customer never sent: another's words in the session
		}
		return s.sure
	case s.guess == ambiguous:
		return ""
	}
	return s.guess
}

// maxWaiting bounds the messages remembered per text (an assistant that never calls DLP leaves them).
const maxWaiting = 64

func newTies() ties {
	return ties{sentBy: map[string]string{}, resultBy: map[string]string{}, waiting: map[string][]*asked{}, results: map[string][]*asked{},
		dlp: map[uint64]string{}, session: map[string]*sessionTie{}, messages: map[string]string{}, attempts: map[uint64]string{}}
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
		if by := t.sentBy[d.Text]; by != ambiguous {
			put(t.resultBy, d.Result, by)
		} else {
			t.resultBy[d.Result] = ambiguous
		}
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
	s := t.session[d.SessionID]
	if s == nil {
		s = &sessionTie{}
		t.session[d.SessionID] = s
	}
	if c := t.onlySender(d.Text); c != "" {
		tieTo(&s.sure, c)
		return
	}
	tieTo(&s.guess, a.customer)
	could := map[string]bool{}
	for _, q := range [][]*asked{t.results[d.Text], t.waiting[d.Text]} {
		for _, a := range q {
			if s.could == nil || s.could[a.customer] {
				could[a.customer] = true
			}
		}
	}
	s.could = could
}

// onlySender is the one customer who sent text, or whose texts alone DLP turned into it; "" when several
// did.
func (t *ties) onlySender(text string) string {
	sent, isSent := t.sentBy[text]
	result, isResult := t.resultBy[text]
	switch {
	case isSent && isResult && sent != result:
		return ""
	case isResult && result != ambiguous:
		return result
	case isSent && sent != ambiguous:
		return sent
	}
	return ""
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
		if s := t.session[ev.Customer]; s != nil {
			return s.owner()
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

// tieTo ties *tie to customer c, or marks it ambiguous when it is tied to another.
func tieTo(tie *string, c string) {
	if *tie != "" && *tie != c {
		*tie = ambiguous
		return
	}
	*tie = c
}
