package reference

import (
	"sync"
	"time"
)

// Consent is one entry of the consent ledger: proof of an opt-in or of its withdrawal (GDPR art. 7(1)).
type Consent struct {
	ID      string    `json:"id"`
	WaID    string    `json:"wa_id"`
	Purpose string    `json:"purpose"` // marketing or notifications
	Given   bool      `json:"given"`   // false records a withdrawal
	Channel string    `json:"channel"` // whatsapp, web, sms, app, atm
	Wording string    `json:"wording"` // the wording the customer was shown
	Time    time.Time `json:"time"`
	Source  string    `json:"source"` // chat, hook, optout, objection, erasure, platform
	seq     uint64    // order of recording: the simulated clock may not move between two events
}

// message is one line of the transcript the assistant keeps (for access requests and retention).
type message struct {
	Time      time.Time `json:"time"`
	Direction string    `json:"direction"` // in or out
	Text      string    `json:"text"`
}

// dsr is a data-protection request and its reference number.
type dsr struct {
	Reference string    `json:"reference"`
	Right     string    `json:"right"`
	Time      time.Time `json:"time"`
	Status    string    `json:"status"`
}

// customer is what the assistant holds about one person. Erasure deletes it; only a suppression entry
// keyed by a hash of the number survives.
type customer struct {
	WaID         string     `json:"wa_id"`
	ProfileName  string     `json:"profile_name,omitempty"`
	Name         string     `json:"name,omitempty"`
	Email        string     `json:"email,omitempty"`
	Language     string     `json:"language"`
	FirstSeen    time.Time  `json:"first_seen"`
	LastInbound  time.Time  `json:"last_inbound"`
	OptInAsked   bool       `json:"opt_in_asked"`
	OptInPending bool       `json:"-"`
	OptOutAsked  bool       `json:"-"` // the WA-OPTOUT-03 violation's second step
	Restricted   bool       `json:"restricted"`
	HandoffSince *time.Time `json:"handoff_since,omitempty"`
	Messages     []message  `json:"messages"`
	Requests     []dsr      `json:"requests"`
	LastOrder    string     `json:"-"`
	// ServiceBlocked is set only by the GDPR-CONSENT-01 switch: service refused after "no" to offers.
	ServiceBlocked bool `json:"-"`

	oldest     time.Time // the earliest Time among Messages[:oldestOf], for purge
	oldestOf   int
	oldestBase *message // &Messages[0] when oldest was computed: a different array invalidates it
}

// suppression is the minimal record kept after an opt-out, objection or erasure so that no marketing is
// sent again; it survives erasure (GDPR-ERASE-02). Generation rotates the Dialogflow session after erasure.
type suppression struct {
	seq        uint64
	Since      time.Time
	Reason     string
	Generation int
}

type store struct {
	mu           sync.Mutex
	customers    map[string]*customer
	consents     map[string][]Consent // the consent ledger, by wa_id: separate from customers, as in a real CRM
	suppressed   map[string]suppression
	holds        map[string]time.Time // wa_id → no marketing before (after 131049)
	seen         map[string]bool      // inbound wamids already handled (webhooks are retried and duplicated)
	seenOrder    []string
	macs         *macPool // keyed for suppression keys (numberHash)
	lastOrderID  string   // shared across customers: used only by the WA-XCUST-01 violation
	lastQuestion string
	seq          uint64
}

const maxSeen = 10000

func newStore(hashKey []byte) *store {
	return &store{
		macs:       newMACPool(hashKey),
		customers:  map[string]*customer{},
		consents:   map[string][]Consent{},
		suppressed: map[string]suppression{},
		holds:      map[string]time.Time{},
		seen:       map[string]bool{},
	}
}

// numberHash is the suppression key: a keyed hash, so the list does not hold phone numbers.
func (s *store) numberHash(waID string) string {
	return s.macs.prefixedHash("suppression:", waID)
}

// firstSeen marks a wamid as handled and reports whether it was new.
func (s *store) firstSeen(wamid string) bool {
	if wamid == "" {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen[wamid] {
		return false
	}
	s.seen[wamid] = true
	s.seenOrder = append(s.seenOrder, wamid)
	if len(s.seenOrder) > maxSeen {
		delete(s.seen, s.seenOrder[0])
		s.seenOrder = s.seenOrder[1:]
	}
	return true
}

// get returns a snapshot of the customer, and whether it exists.
func (s *store) get(waID string) (customer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.customers[waID]
	if !ok {
		return customer{}, false
	}
	return c.snapshot(), true
}

// snapshot is what get and update hand out: a copy of the customer that shares the transcript and the
// requests with the store. It costs O(1) whatever the length of the history, and is safe without the lock
// because the store only ever appends to those slices (past every snapshot's length, which the snapshot's
// capacity hides) or replaces them with new ones (purge, rectification); it never writes an element a
// snapshot can see. Empty slices are nil, as a deep copy made them.
func (c *customer) snapshot() customer {
	out := *c
	out.Messages = shared(c.Messages)
	out.Requests = shared(c.Requests)
	if c.HandoffSince != nil {
		t := *c.HandoffSince
		out.HandoffSince = &t
	}
	return out
}

// shared is s capped at its length, so that an append to the copy cannot write into s's backing array.
func shared[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s[:len(s):len(s)]
}

// addMessage appends a line to the transcript. The transcript is append-only in place: see snapshot.
func (c *customer) addMessage(m message) {
	c.Messages = append(c.Messages, m)
}

// setMessages replaces the transcript with ms, which must be a new slice (see snapshot).
func (c *customer) setMessages(ms []message) {
	c.Messages = ms
	c.oldestOf, c.oldestBase = 0, nil
}

// purge drops the transcript lines older than limit. It costs O(1) amortised while nothing expires: the
// oldest time is kept for the lines seen so far and extended over the lines appended since, and the
// transcript is rebuilt (never edited in place, see snapshot) only when a line has expired.
func (c *customer) purge(limit time.Time) {
	if len(c.Messages) == 0 {
		c.oldestOf, c.oldestBase = 0, nil
		return
	}
	if &c.Messages[0] != c.oldestBase || c.oldestOf > len(c.Messages) {
		// A new backing array (growth, replacement): rescan, amortised O(1) as the array doubles.
		c.oldestOf, c.oldestBase = 0, &c.Messages[0]
	}
	for _, m := range c.Messages[c.oldestOf:] {
		if c.oldestOf == 0 || m.Time.Before(c.oldest) {
			c.oldest = m.Time
		}
		c.oldestOf++
	}
	if !c.oldest.Before(limit) {
		return
	}
	kept := make([]message, 0, len(c.Messages))
	for _, m := range c.Messages {
		if !m.Time.Before(limit) {
			kept = append(kept, m)
		}
	}
	c.setMessages(kept)
}

// update applies f to the customer (creating it when absent) under the lock and returns a snapshot. f
// must not call out, and must change Messages only through addMessage, setMessages and purge.
func (s *store) update(waID string, f func(c *customer)) customer {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.customers[waID]
	if !ok {
		c = &customer{WaID: waID}
		s.customers[waID] = c
	}
	f(c)
	return c.snapshot()
}

func (s *store) erase(waID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.customers, waID)
}

func (s *store) addConsent(c Consent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	c.seq = s.seq
	s.consents[c.WaID] = append(s.consents[c.WaID], c)
}

func (s *store) consentsOf(waID string) []Consent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Consent(nil), s.consents[waID]...)
}

func (s *store) dropConsents(waID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.consents, waID)
}

// audience is every wa_id in the consent ledger, the only place campaigns draw recipients from.
func (s *store) audience() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.consents))
	for id := range s.consents {
		out = append(out, id)
	}
	return out
}

// allKnown is every wa_id the assistant has talked to or holds consent for.
func (s *store) allKnown() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	set := map[string]bool{}
	for id := range s.consents {
		set[id] = true
	}
	for id := range s.customers {
		set[id] = true
	}
	out := make([]string, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	return out
}

func (s *store) suppress(waID, reason string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.numberHash(waID)
	e := s.suppressed[h]
	s.seq++
	e.Since, e.Reason, e.seq = at, reason, s.seq
	s.suppressed[h] = e
}

// rotate starts a new Dialogflow session generation for waID (after erasure).
func (s *store) rotate(waID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.numberHash(waID)
	e := s.suppressed[h]
	e.Generation++
	s.suppressed[h] = e
}

func (s *store) suppression(waID string) (suppression, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.suppressed[s.numberHash(waID)]
	return e, ok && !e.Since.IsZero()
}

func (s *store) generation(waID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.suppressed[s.numberHash(waID)].Generation
}

func (s *store) hold(waID string, until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.holds[waID] = until
}

func (s *store) heldUntil(waID string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.holds[waID]
}

func (s *store) setLastOrder(id, question string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastOrderID, s.lastQuestion = id, question
}

func (s *store) lastOrder() (id, question string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastOrderID, s.lastQuestion
}

// mayReceive says whether purpose (marketing or notifications) may be sent to waID at now: there is a
// consent for it, given after any opt-out, objection or erasure, and no restriction or hold applies.
func (s *store) mayReceive(waID, purpose string, now time.Time) bool {
	consents := s.consentsOf(waID)
	var last *Consent
	for i := range consents {
		if consents[i].Purpose == purpose {
			last = &consents[i]
		}
	}
	if last == nil || !last.Given {
		return false
	}
	// The suppression list is a marketing list: an objection or WhatsApp's own "stop promotions" do not
	// stop order notices; an opt-out stops those through its own withdrawal records.
	if sup, ok := s.suppression(waID); ok && purpose == "marketing" && last.seq < sup.seq {
		return false
	}
	if c, ok := s.get(waID); ok && c.Restricted {
		return false
	}
	if purpose == "marketing" && now.Before(s.heldUntil(waID)) {
		return false
	}
	return true
}
