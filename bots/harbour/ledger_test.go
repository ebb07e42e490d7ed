package harbour

import (
	"strings"
	"testing"
	"time"
)

func TestConsentLedger(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	yes := func(at time.Time) consent {
		return consent{Purpose: purposeMarketing, Given: true, Channel: "whatsapp", Wording: "offers", Time: at}
	}
	tests := []struct {
		name   string
		change func(c *customer)
		at     time.Time
		want   bool
	}{
		{"nobody opted in", func(c *customer) {}, t0, false},
		{"an in-chat opt-in", func(c *customer) { c.Consents = append(c.Consents, yes(t0)) }, t0.Add(time.Hour), true},
		{"an opt-in for notifications only", func(c *customer) {
			c.Consents = append(c.Consents, consent{Purpose: purposeNotifications, Given: true, Time: t0})
		}, t0.Add(time.Hour), false},
		{"opted out after opting in", func(c *customer) {
			c.Consents = append(c.Consents, yes(t0))
			c.optOut(t0.Add(time.Minute), "STOP")
		}, t0.Add(time.Hour), false},
		{"opted in again after an opt-out", func(c *customer) {
			c.Consents = append(c.Consents, yes(t0))
			c.optOut(t0.Add(time.Minute), "STOP")
			c.Consents = append(c.Consents, yes(t0.Add(2*time.Minute)))
		}, t0.Add(time.Hour), true},
		{"objected (an opt-out time without a record)", func(c *customer) {
			c.Consents = append(c.Consents, yes(t0))
			c.OptedOut = t0.Add(time.Minute)
		}, t0.Add(time.Hour), false},
		{"restricted", func(c *customer) { c.Consents = append(c.Consents, yes(t0)); c.Restricted = true }, t0.Add(time.Hour), false},
		{"stopped in WhatsApp", func(c *customer) { c.Consents = append(c.Consents, yes(t0)); c.Stopped = true }, t0.Add(time.Hour), false},
		{"held after 131049", func(c *customer) {
			c.Consents = append(c.Consents, yes(t0))
			c.HeldUntil = t0.Add(24 * time.Hour)
		}, t0.Add(time.Hour), false},
		{"the hold is over", func(c *customer) {
			c.Consents = append(c.Consents, yes(t0))
			c.HeldUntil = t0.Add(24 * time.Hour)
		}, t0.Add(25 * time.Hour), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := customer{WaID: "447700900001"}
			tc.change(&c)
			if got := c.mayMarket(tc.at); got != tc.want {
				t.Errorf("mayMarket = %v, want %v (consents %+v)", got, tc.want, c.Consents)
			}
		})
	}
}

func TestWindow(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := customer{LastWrote: t0}
	if !c.inWindow(t0.Add(24 * time.Hour)) {
		t.Error("exactly 24 hours after the last message is inside the window")
	}
	if c.inWindow(t0.Add(24*time.Hour + time.Second)) {
		t.Error("a second past 24 hours is outside the window")
	}
	if (customer{}).inWindow(t0) {
		t.Error("a customer who never wrote has no window")
	}
}

func TestErasureKeepsOnlyAHash(t *testing.T) {
	l := newLedger("secret")
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c, _ := l.get("34600000001")
	c.keep(t0, "My email is ana@example.test")
	l.put(c)
	before := l.sessionID("34600000001", c.Session)
	l.erase("34600000001", t0, c.Session)
	after, known := l.get("34600000001")
	if known || len(after.Lines) != 0 {
		t.Fatalf("the customer is still on record: %+v", after)
	}
	if !l.wasErased("34600000001") {
		t.Error("the suppression list does not know the number")
	}
	for h := range l.suppressed {
		if strings.Contains(h, "34600000001") {
			t.Errorf("the suppression list holds the number: %s", h)
		}
	}
	if got := l.sessionID("34600000001", after.Session); got == before {
		t.Error("a customer who writes after erasure reuses the old Dialogflow session")
	}
}

func TestSessionIDIsPseudonymous(t *testing.T) {
	l := newLedger("secret")
	id := l.sessionID("34600000001", 0)
	if len(id) > 36 || strings.Contains(id, "34600000001") {
		t.Errorf("session id %q is longer than 36 bytes or holds the number", id)
	}
	if id != l.sessionID("34600000001", 0) {
		t.Error("the session id is not stable within a conversation")
	}
	if id == newLedger("another secret").sessionID("34600000001", 0) {
		t.Error("the session id does not depend on the key")
	}
}

func TestRetention(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var c customer
	c.keep(t0, "old")
	c.keep(t0.Add(91*24*time.Hour), "new")
	if len(c.Lines) != 1 || c.Lines[0].Text != "new" {
		t.Errorf("kept %+v, want only the message within 90 days", c.Lines)
	}
}

func TestRectify(t *testing.T) {
	var c customer
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c.keep(t0, "My email is old@example.test")
	c.keep(t0.Add(time.Minute), "my email has changed, it is now new@example.test")
	if !rectify(&c, c.Lines[1].Text) {
		t.Fatal("rectify found no new value")
	}
	for _, l := range c.Lines {
		if strings.Contains(l.Text, "old@example.test") {
			t.Errorf("the old value is still kept: %q", l.Text)
		}
	}
	if rectify(&c, "please correct my data") {
		t.Error("a request without a new value was applied")
	}
}
