package steps

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/harness/embedded"
	"github.com/parley-dev/parley/internal/testbot"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/profile"
	"github.com/parley-dev/parley/report"
	"github.com/parley-dev/parley/sim"
)

// acme is an assistant written in another company's style: English first, numbered menus instead of
// buttons, keywords in capitals, its own wording everywhere. It answers inside the webhook call.
type acme struct {
	contract harness.Contract

	mu    sync.Mutex
	stage map[string]string // per customer: the menu they are in
}

const acmeMenu = "Hi, this is Acme Shoes' automated assistant. Reply STOP at any time to stop offers.\n" +
	"1. My orders\n2. Offers\n3. Talk to a person\n4. My data"

// answer is what acme says to text from a customer in a stage, and the stage it moves to.
func (a *acme) answer(stage, text string) (string, string) {
	t := strings.ToLower(strings.TrimSpace(text))
	switch {
	case t == "stop":
		return "You are unsubscribed: you won't receive more offers from Acme Shoes.", ""
	case stage == "main" && t == "1":
		return "Please tell me your order number.", "order"
	case stage == "order" && strings.Contains(t, "ac-77"):
		return "Order AC-77 is on its way and will arrive on Thursday.", ""
	case stage == "main" && t == "2":
		return "Would you like to receive offers from Acme Shoes on WhatsApp? Reply YES or NO.", "optin"
	case stage == "optin" && t == "yes":
		return "Great, you're subscribed.", ""
	case stage == "optin" && t == "no":
		return "No problem, no offers.", ""
	case stage == "main" && t == "3":
		return "I'm handing you over to a colleague; they will answer in this chat.", ""
	case stage == "main" && t == "4":
		return "Your data:\n1. Get a copy of my data\n2. Delete my data", "data"
	case stage == "data" && t == "1":
		return "We received your request. Your reference is ACM-0001.", ""
	case stage == "data" && t == "2":
		return "We deleted your data. Your reference is ACM-0002.", ""
	}
	return acmeMenu, "main"
}

func (a *acme) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	testbot.Webhook(a.contract.Getenv, func(from, text string) {
		a.mu.Lock()
		reply, next := a.answer(a.stage[from], text)
		a.stage[from] = next
		a.mu.Unlock()
		testbot.SendText(a.contract.Getenv, from, reply)
	}).ServeHTTP(w, r)
}

// acmeProfile is what Acme's vendor declares.
func acmeProfile() profile.Profile {
	p := profile.Reference()
	p.Business = profile.Business{Name: "Acme Shoes", Controller: "Acme Shoes Ltd."}
	p.Languages = []string{"en"}
	p.Privacy.NoticeURL = "https://acme.example/privacy"
	p.TestData.Orders = []profile.Order{{Code: "AC-77", Customer: "+44 7700 900123"}}
	return p
}

// acmeScenario starts acme in an embedded environment and returns a context holding a scenario state
// with the customer "Ann", as Register's Before hook and the customer step would.
func acmeScenario(t *testing.T, p profile.Profile) (context.Context, *scenarioState) {
	t.Helper()
	ctx, s := scenario(t, embedded.Options{Assistant: embedded.Handler(func(c harness.Contract) (http.Handler, error) {
		return &acme{contract: c, stage: map[string]string{}}, nil
	})}, p)
	if err := newCustomer(ctx, "Ann", "+44 7700 900123", "English"); err != nil {
		t.Fatal(err)
	}
	return ctx, s
}

// scenario starts an embedded environment and returns a context holding a scenario state for it, as
// Register's Before hook does, so tests can call step functions one by one.
func scenario(t *testing.T, o embedded.Options, p profile.Profile) (context.Context, *scenarioState) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	env, err := embedded.Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Close() })
	s := &scenarioState{env: env, replyWait: 5 * time.Second, profile: p, customers: map[string]*sim.Customer{},
		expected: map[string]bool{}, marks: map[string]int{}, seen: map[string]int{}, actedAt: map[string]time.Time{}}
	return withState(ctx, s), s
}

// customerTruths is the ground truth the customers recorded about what they meant (not the messages
// themselves), as "kind payload".
func customerTruths(t *testing.T, ctx context.Context, s *scenarioState) []string {
	t.Helper()
	events, err := s.env.Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range events {
		if e.Source == journal.SourceCustomer && !strings.HasPrefix(e.Kind, "inbound.") {
			out = append(out, e.Kind+" "+string(e.Data))
		}
	}
	return out
}

// TestGoalStepsAcme: the goal steps reach every goal with an assistant of numbered menus and keywords,
// through the real WhatsApp mock, and record the ground truth when the customer states it; the reply
// the next step judges is the answer to the customer's last action.
func TestGoalStepsAcme(t *testing.T) {
	tests := []struct {
		name   string
		kind   sim.GoalKind
		truths []string
		last   string // the answer to the customer's last action contains it
	}{
		{"opt in", sim.GoalOptIn, []string{`consent.given {"purpose":"marketing","channel":"whatsapp","wording":"Would you like to receive offers from Acme Shoes on WhatsApp? Reply YES or NO."}`}, "subscribed"},
		{"decline", sim.GoalDecline, []string{`consent.refused {"purpose":"marketing","channel":"whatsapp","wording":"Would you like to receive offers from Acme Shoes on WhatsApp? Reply YES or NO."}`}, "no offers"},
		{"stop", sim.GoalOptOut, []string{`optout.requested {"via":"chat","phrase":"STOP"}`}, "unsubscribed"},
		{"person", sim.GoalPerson, []string{`handoff.requested {"phrase":"3"}`}, "colleague"},
		{"a copy", sim.GoalDataCopy, []string{`dsr.requested {"right":"access","wording":"1"}`}, "ACM-0001"},
		{"erasure", sim.GoalErasure, []string{`dsr.requested {"right":"erasure","wording":"2"}`}, "ACM-0002"},
		{"order", sim.GoalOrder, nil, "on its way"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, s := acmeScenario(t, acmeProfile())
			if err := goal(tt.kind)(ctx, "Ann"); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(customerTruths(t, ctx, s), "\n"); got != strings.Join(tt.truths, "\n") {
				t.Errorf("ground truth:\n%s\nwant:\n%s", got, strings.Join(tt.truths, "\n"))
			}
			if err := receivesReply(ctx, "Ann", tt.last); err != nil {
				t.Errorf("the reply to the last action: %v", err)
			}
		})
	}
}

// TestGoalStepsUnreached: acme has no path to an objection of its own; the step says so with what it
// offered and the transcript, as a report.Unreached.
func TestGoalStepsUnreached(t *testing.T) {
	ctx, _ := acmeScenario(t, acmeProfile())
	err := goal(sim.GoalObjection)(ctx, "Ann")
	var u *report.Unreached
	if !errors.As(err, &u) {
		t.Fatalf("step = %v, want *report.Unreached", err)
	}
	if u.Customer != "Ann" || u.Goal != "object to marketing" || !strings.Contains(u.Reason, `"Get a copy of my data"`) ||
		!strings.Contains(u.Transcript, "Ann (+") || len(u.Rules) != 0 {
		t.Errorf("unreached %+v", u)
	}
}

// TestGoalStepsProfile: without a test order in the profile, asking about one is unreached with that
// reason; a capability the profile declares absent makes the step not applicable.
func TestGoalStepsProfile(t *testing.T) {
	noOrders := acmeProfile()
	noOrders.TestData.Orders = nil
	ctx, _ := acmeScenario(t, noOrders)
	var u *report.Unreached
	if err := goal(sim.GoalOrder)(ctx, "Ann"); !errors.As(err, &u) || !strings.Contains(u.Reason, "test_data.orders") {
		t.Errorf("asking about an order without one in the profile: %v", err)
	}
	tests := []struct {
		kind       sim.GoalKind
		change     func(*profile.Profile)
		capability string
	}{
		{sim.GoalOptIn, func(p *profile.Profile) { p.Capabilities.Marketing = false }, "marketing"},
		{sim.GoalOptOut, func(p *profile.Profile) { p.Capabilities.Marketing = false }, "marketing"},
		{sim.GoalPerson, func(p *profile.Profile) { p.Capabilities.Handoff = false }, "handoff"},
		{sim.GoalErasure, func(p *profile.Profile) { p.Capabilities.DataRequests = "none" }, "data_requests"},
		{sim.GoalOrder, func(p *profile.Profile) { p.Capabilities.OrderStatus = false }, "order_status"},
	}
	for _, tt := range tests {
		t.Run(tt.capability+"/"+tt.kind.String(), func(t *testing.T) {
			p := acmeProfile()
			tt.change(&p)
			ctx, s := acmeScenario(t, p)
			var na *report.NotApplicable
			if err := goal(tt.kind)(ctx, "Ann"); !errors.As(err, &na) || na.Capability != tt.capability {
				t.Errorf("step = %v, want not applicable: %s", err, tt.capability)
			}
			if c, _ := s.customer("Ann"); c.Spoke() {
				t.Error("the customer spoke in a scenario that does not apply")
			}
		})
	}
}

// TestGoalStopAfterCampaign: after a campaign, a customer of the reference assistant who asks to stop
// the offers taps the template's own opt-out quick reply, the newest way offered, and that is recorded
// as an opt-out by button.
func TestGoalStopAfterCampaign(t *testing.T) {
	ctx, s := scenario(t, embedded.Options{Seed: 1}, profile.Reference())
	if err := newCustomer(ctx, "Lucía", "+34 600 000 001", "Spanish"); err != nil {
		t.Fatal(err)
	}
	for _, step := range []func() error{
		func() error { return goal(sim.GoalOptIn)(ctx, "Lucía") },
		func() error { return timePasses(ctx, 25, "hours") },
		func() error { return campaign(ctx, "promo_verano") },
		func() error { return goal(sim.GoalOptOut)(ctx, "Lucía") },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	truths := customerTruths(t, ctx, s)
	if n := len(truths); n != 2 || truths[1] != `optout.requested {"via":"button","phrase":"Baja"}` {
		t.Errorf("ground truth %q, want the consent and an opt-out by the template's button", truths)
	}
	c, _ := s.customer("Lucía")
	replies, err := s.since(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(replies) != 1 || !audit.Means(replies[0].Text, audit.MeansOptOutConfirmed, "") {
		t.Errorf("the answer to the tap is %+v, want one opt-out confirmation", replies)
	}
}

// TestAcceptedInChatAnyAssistant: "accepted offers in the chat" opts in with an assistant that asks
// through a menu and a keyword, not only with yes buttons, and leaves nothing unlooked at.
func TestAcceptedInChatAnyAssistant(t *testing.T) {
	ctx, s := acmeScenario(t, acmeProfile())
	if err := acceptedInChat(ctx, "Ann"); err != nil {
		t.Fatal(err)
	}
	if got := customerTruths(t, ctx, s); len(got) != 1 || !strings.HasPrefix(got[0], journal.KindConsentGiven) {
		t.Errorf("ground truth %q, want one consent", got)
	}
	if err := receivesNothing(ctx, "Ann"); err != nil {
		t.Errorf("after the opt-in: %v", err)
	}
}
