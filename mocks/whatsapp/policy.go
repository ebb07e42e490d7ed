package whatsapp

import (
	"time"
)

// WindowLength is the customer-service window: free-form messages are allowed for 24 hours after the
// customer's last message ("When a WhatsApp user messages you … a 24-hour timer called a customer service
// window starts", developers.facebook.com/documentation/business-messaging/whatsapp/messages/send-messages).
const WindowLength = 24 * time.Hour

// state is everything the mock remembers; it lives behind Server.mu.
type state struct {
	customers map[string]*customer
	sent      map[string]*sentMessage    // business → customer messages by wamid
	received  map[string]receivedMessage // customer → business messages by wamid
	templates []Template
	media     map[string]*mediaObject
	mps       bucket
	msgSeq    uint64
	mediaSeq  uint64
	tplSeq    uint64
	forgedSeq uint64 // forged webhooks (ForgeWebhook), numbered apart from genuine messages
	profile   businessProfile
}

func newState(templates []Template) state {
	ts := make([]Template, len(templates))
	for i, t := range templates {
		ts[i] = t.clone()
	}
	return state{
		customers: map[string]*customer{},
		sent:      map[string]*sentMessage{},
		received:  map[string]receivedMessage{},
		templates: ts,
		media:     map[string]*mediaObject{},
		profile:   newProfile(),
	}
}

// receivedMessage is a message a customer sent the business: who, its type and its simulated time.
type receivedMessage struct {
	waID, typ string
	at        time.Time
}

// customer is one WhatsApp user as the platform sees them.
type customer struct {
	waID             string
	name             string
	lastInbound      time.Time // simulated time of the last message the customer sent; zero: never
	marketingStopped bool      // pressed "Stop promotions" in WhatsApp
	blocked          bool      // blocked the business
	inbox            []*inboxEntry
	readTo           int // inbox[:readTo] has no delivered (unread) message: messages arrive delivered and only turn read
	pair             bucket
}

func (st *state) customer(waID string) *customer {
	c := st.customers[waID]
	if c == nil {
		c = &customer{waID: waID}
		st.customers[waID] = c
	}
	return c
}

// inWindow reports whether the customer-service window is open at now. It opens (and resets) with each
// message the customer sends; the business's own sends, templates included, never open it.
func (c *customer) inWindow(now time.Time) bool {
	return !c.lastInbound.IsZero() && !now.Before(c.lastInbound) && now.Sub(c.lastInbound) < WindowLength
}

// bucket is a token bucket: up to capacity requests at once, refilled continuously at one token per
// period.
type bucket struct {
	tokens  float64
	last    time.Time // simulated time of the last refill
	lastW   time.Time // wall time of the last refill (only for buckets that also refill on wall time)
	started bool
}

// take refills the bucket for the time elapsed and takes one token if there is one. elapsed is computed by
// the caller so the two limits can read different clocks. A clock set backwards refills nothing.
func (b *bucket) take(capacity int, period time.Duration, elapsed time.Duration) bool {
	if !b.started {
		b.tokens, b.started = float64(capacity), true
	} else if elapsed > 0 {
		b.tokens += float64(elapsed) / float64(period)
		if b.tokens > float64(capacity) {
			b.tokens = float64(capacity)
		}
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// takePair applies the pair rate limit (131056) to one recipient. Meta: "1 message every 6 seconds …
// up to 45 messages in a 6-second burst, but this 'borrows' from your future quota … a burst of 20
// requires a ~2-minute wait" (about-the-platform). That is a token bucket of 45 refilled at one per 6s,
// which is what this is. It runs on the simulated clock only, so a scenario is repeatable: a reply of two
// or three messages to each customer message is far inside the burst; 46 messages to one person without
// the clock moving are not.
func (s *Server) takePairLocked(c *customer, now time.Time) bool {
	if s.cfg.pairRate <= 0 {
		return true
	}
	var elapsed time.Duration
	if !c.pair.started || now.After(c.pair.last) {
		if c.pair.started {
			elapsed = now.Sub(c.pair.last)
		}
		c.pair.last = now
	}
	return c.pair.take(s.cfg.pairBurst, s.cfg.pairRate, elapsed)
}

// takeMPSLocked applies the throughput limit (130429): a bucket of mps tokens refilled at mps per second.
// It refills on the simulated clock and on the wall clock together: throughput is a real capacity, so a
// load run that really sends faster than mps per second is refused even while the simulated clock stands
// still, and a test can still refill it deterministically by advancing the simulated clock.
func (s *Server) takeMPSLocked(now time.Time) bool {
	if s.cfg.mps <= 0 {
		return true
	}
	wall := s.cfg.wall()
	b := &s.state.mps
	var elapsed time.Duration
	if b.started {
		if d := now.Sub(b.last); d > 0 {
			elapsed += d
		}
		if d := wall.Sub(b.lastW); d > 0 {
			elapsed += d
		}
	}
	if !b.started || now.After(b.last) {
		b.last = now
	}
	if !b.started || wall.After(b.lastW) {
		b.lastW = wall
	}
	return b.take(s.cfg.mps, time.Second/time.Duration(s.cfg.mps), elapsed)
}
