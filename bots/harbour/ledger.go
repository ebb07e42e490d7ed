package harbour

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"sync"
	"time"
)

// Purposes of consent, as the contract names them.
const (
	purposeMarketing     = "marketing"
	purposeNotifications = "notifications"
)

// consent is one entry of the consent ledger: demonstrable, with when, where and the words agreed to.
type consent struct {
	Purpose string    `json:"purpose"`
	Given   bool      `json:"given"`
	Channel string    `json:"channel"`
	Wording string    `json:"wording,omitempty"`
	Time    time.Time `json:"time"`
	Source  string    `json:"source"` // chat or hook
}

// line is one message the customer wrote, kept for the retention period.
type line struct {
	Time time.Time `json:"time"`
	Text string    `json:"text"`
}

// caseFile is a data-protection request or a complaint, with the reference the customer was given.
type caseFile struct {
	Ref    string    `json:"reference"`
	Kind   string    `json:"kind"`
	Opened time.Time `json:"opened"`
	Status string    `json:"status"`
}

// customer is what Harbour Books keeps about one WhatsApp number.
type customer struct {
	WaID       string
	Lang       string
	FirstSeen  time.Time
	LastWrote  time.Time // the customer's last message: the 24-hour window starts there
	Lines      []line
	Consents   []consent
	Cases      []caseFile
	OptedOut   time.Time // the latest opt-out, objection or erasure
	Restricted bool
	Objected   bool
	Stopped    bool      // WhatsApp reported the customer stopped marketing (131050 or their own control)
	HeldUntil  time.Time // no marketing before (131049)
	Asking     string    // the question waiting for an answer: "optin", "order", "rectify"
	Handoff    time.Time // an open handoff to a person, since
	Session    int       // the Dialogflow session generation; erasure moves it on
}

// ledger holds every customer behind one lock; callers get copies and put them back.
type ledger struct {
	key []byte // for the suppression list and the session pseudonyms

	mu         sync.Mutex
	customers  map[string]*customer
	suppressed map[string]time.Time // keyed hash of an erased number → when
	sessions   map[string]int       // erased numbers keep their session generation, hashed
}

func newLedger(secret string) *ledger {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("harbour-books ledger"))
	return &ledger{key: m.Sum(nil), customers: map[string]*customer{}, suppressed: map[string]time.Time{}, sessions: map[string]int{}}
}

// hashed is a keyed hash of a number: it identifies an erased customer without keeping the number.
func (l *ledger) hashed(waID string) string {
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte(waID))
	return hex.EncodeToString(m.Sum(nil))
}

// sessionID is the pseudonymous Dialogflow session of a customer: 32 hex characters of a keyed hash of
// the number and the session generation, within Dialogflow's 36 bytes.
func (l *ledger) sessionID(waID string, generation int) string {
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte("session/" + waID + "/"))
	m.Write([]byte{byte(generation >> 8), byte(generation)})
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// get returns a copy of the customer's record, and whether there is one.
func (l *ledger) get(waID string) (customer, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.customers[waID]
	if !ok {
		return customer{WaID: waID, Session: l.sessions[l.hashed(waID)]}, false
	}
	return c.clone(), true
}

// put stores the record.
func (l *ledger) put(c customer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cc := c.clone()
	l.customers[c.WaID] = &cc
}

// erase forgets the customer but for a keyed hash on the suppression list and the next session
// generation, so a later conversation neither reuses the old Dialogflow session nor revives marketing.
func (l *ledger) erase(waID string, at time.Time, generation int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.hashed(waID)
	delete(l.customers, waID)
	l.suppressed[h] = at
	l.sessions[h] = generation + 1
}

// wasErased reports whether the number is on the suppression list.
func (l *ledger) wasErased(waID string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.suppressed[l.hashed(waID)]
	return ok
}

// numbers lists every customer on record.
func (l *ledger) numbers() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.customers))
	for n := range l.customers {
		out = append(out, n)
	}
	return out
}

func (c customer) clone() customer {
	c.Lines = append([]line(nil), c.Lines...)
	c.Consents = append([]consent(nil), c.Consents...)
	c.Cases = append([]caseFile(nil), c.Cases...)
	return c
}

// consentsTo reports whether the latest word on purpose is a yes given after every opt-out, objection
// and erasure.
func (c customer) consentsTo(purpose string) bool {
	var last *consent
	for i := range c.Consents {
		if c.Consents[i].Purpose == purpose {
			last = &c.Consents[i]
		}
	}
	return last != nil && last.Given && (c.OptedOut.IsZero() || last.Time.After(c.OptedOut))
}

// mayMarket reports whether a marketing message may go to the customer at now.
func (c customer) mayMarket(now time.Time) bool {
	if c.Restricted || c.Stopped || now.Before(c.HeldUntil) {
		return false
	}
	return c.consentsTo(purposeMarketing)
}

// mayNotify reports whether an order notice may go out as a template (outside the window).
func (c customer) mayNotify() bool {
	return c.consentsTo(purposeNotifications)
}

// inWindow reports whether now is within 24 hours of the customer's last message.
func (c customer) inWindow(now time.Time) bool {
	return !c.LastWrote.IsZero() && !now.After(c.LastWrote.Add(24*time.Hour))
}

// optOut records an opt-out of marketing at t: a withdrawn consent, on record like the consent.
func (c *customer) optOut(t time.Time, how string) {
	c.OptedOut = t
	c.Consents = append(c.Consents, consent{Purpose: purposeMarketing, Given: false, Channel: "whatsapp", Wording: how, Time: t, Source: "chat"})
}

// keep adds a message to what is kept, dropping what is older than the retention period.
func (c *customer) keep(t time.Time, text string) {
	c.Lines = append(c.Lines, line{Time: t, Text: text})
	c.expire(t)
}

// retentionPeriod is how long messages are kept (the notice says 90 days).
const retentionPeriod = 90 * 24 * time.Hour

func (c *customer) expire(now time.Time) {
	kept := c.Lines[:0]
	for _, l := range c.Lines {
		if now.Sub(l.Time) <= retentionPeriod {
			kept = append(kept, l)
		}
	}
	c.Lines = kept
}

// replaceEverywhere swaps an old value for a new one in what is kept (rectification).
func (c *customer) replaceEverywhere(old, value string) {
	if old == "" || old == value {
		return
	}
	for i := range c.Lines {
		c.Lines[i].Text = strings.ReplaceAll(c.Lines[i].Text, old, value)
	}
}

// newReference makes a case reference in Harbour Books' format: HB-<year>-<six letters and digits>.
func newReference(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "HB-" + now.UTC().Format("2006") + "-" + base32.StdEncoding.EncodeToString(b[:])[:6]
}
