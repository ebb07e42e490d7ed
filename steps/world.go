package steps

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/profile"
	"github.com/parley-dev/parley/report"
	"github.com/parley-dev/parley/sim"
)

// scenarioState is one scenario's world: its environment, its customers by name, the rule ids the
// scenario says it expects the auditor to report, and the customer the last reply was for.
type scenarioState struct {
	env       harness.Environment
	info      harness.Scenario
	replyWait time.Duration
	profile   profile.Profile // the assistant's: its business, test data and capabilities
	lang      string          // the feature's language, for messages: en or es

	mu        sync.Mutex
	customers map[string]*sim.Customer
	order     []string
	expected  map[string]bool
	last      *sim.Customer // the customer who last spoke or was last checked: "the reply" is theirs
	lastReply *whatsapp.InboxMessage
	// marks is, per customer, how many messages they had received when they last acted: expectations
	// about replies look at what arrived since.
	marks map[string]int
	// seen is, per customer, how many messages earlier steps have looked at: "receives no message" is
	// about what arrived after them.
	seen map[string]int
	// actedAt is, per customer, when (real time) they last acted, for "within N seconds".
	actedAt map[string]time.Time
	// latencyFactor scales every "within N seconds" budget (WithLatencyFactor); latencies are what such
	// steps measured, for the report.
	latencyFactor float64
	latencies     []report.Latency
	// failed says a step of the scenario did not pass: godog skips the others.
	failed bool
}

func (s *scenarioState) failStep() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failed = true
}

func (s *scenarioState) stepFailed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

// looked records that the customer's first n messages have been looked at.
func (s *scenarioState) looked(c *sim.Customer, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen[c.WaID] = max(s.seen[c.WaID], n)
}

func (s *scenarioState) seenCount(c *sim.Customer) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen[c.WaID]
}

// acted records that the customer is about to act: replies are what arrives from now on.
func (s *scenarioState) acted(ctx context.Context, c *sim.Customer) error {
	inbox, err := s.env.World().WhatsApp.Inbox(ctx, c.WaID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.marks[c.WaID] = len(inbox)
	s.actedAt[c.WaID] = time.Now()
	s.seen[c.WaID] = max(s.seen[c.WaID], len(inbox))
	s.last, s.lastReply = c, nil
	return nil
}

func (s *scenarioState) mark(c *sim.Customer) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.marks[c.WaID]
}

// since returns what the customer received since they last acted, and marks it looked at.
func (s *scenarioState) since(ctx context.Context, c *sim.Customer) ([]whatsapp.InboxMessage, error) {
	inbox, err := s.env.World().WhatsApp.Inbox(ctx, c.WaID)
	if err != nil {
		return nil, err
	}
	s.looked(c, len(inbox))
	return inbox[min(s.mark(c), len(inbox)):], nil
}

type stateKey struct{}

func withState(ctx context.Context, s *scenarioState) context.Context {
	return context.WithValue(ctx, stateKey{}, s)
}

func state(ctx context.Context) (*scenarioState, error) {
	s, ok := ctx.Value(stateKey{}).(*scenarioState)
	if !ok || s == nil {
		return nil, errors.New("no scenario environment: was steps.Register called, and did its Before hook run?")
	}
	if s.env == nil {
		return nil, errors.New("the scenario's environment did not start (see the error of the first step)")
	}
	return s, nil
}

func (s *scenarioState) addCustomer(c *sim.Customer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.customers[c.Name]; dup {
		return fmt.Errorf(s.say("there is already a customer named %q in this scenario; give each customer a different name", "ya hay un cliente llamado %q en este escenario; da a cada cliente un nombre distinto"), c.Name)
	}
	for _, other := range s.customers {
		if other.WaID == c.WaID {
			return fmt.Errorf(s.say("customer %q has the same phone as %q (+%s); give each customer a different phone", "el cliente %q tiene el mismo teléfono que %q (+%s); da a cada cliente un teléfono distinto"), c.Name, other.Name, c.WaID)
		}
	}
	s.customers[c.Name] = c
	s.order = append(s.order, c.Name)
	s.last = c
	return nil
}

// customer finds a customer by the name the scenario gave them; an unknown name is an error that says
// which names exist and which one is closest.
func (s *scenarioState) customer(name string) (*sim.Customer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.customers[name]; ok {
		s.last = c
		return c, nil
	}
	if len(s.order) == 0 {
		return nil, fmt.Errorf(s.say("no customer named %q: this scenario has no customers yet; start it with a step such as\n  Given a customer %q with phone \"+34 612 345 678\" who speaks Spanish\n  Dado un cliente %q con teléfono \"+34 612 345 678\" que habla español", "no hay ningún cliente llamado %q: este escenario aún no tiene clientes; empiézalo con un paso como\n  Dado un cliente %q con teléfono \"+34 612 345 678\" que habla español\n  Given a customer %q with phone \"+34 612 345 678\" who speaks Spanish"), name, name, name)
	}
	best := closest(name, s.order, 1)
	hint := ""
	if len(best) > 0 {
		hint = fmt.Sprintf(s.say(" Did you mean %q?", " ¿Querías decir %q?"), best[0])
	}
	return nil, fmt.Errorf(s.say("no customer named %q in this scenario (customers: %s).%s", "no hay ningún cliente llamado %q en este escenario (clientes: %s).%s"), name, quoteAll(s.order), hint)
}

func (s *scenarioState) expect(rule string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expected[rule] = true
}

func (s *scenarioState) isExpected(rule string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.expected[rule]
}

func (s *scenarioState) setReply(c *sim.Customer, m *whatsapp.InboxMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last, s.lastReply = c, m
}

func (s *scenarioState) all() []*sim.Customer {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*sim.Customer, 0, len(s.order))
	for _, n := range s.order {
		out = append(out, s.customers[n])
	}
	return out
}

// transcripts is every customer's transcript, or only those of the given wa_ids when any is given.
func (s *scenarioState) transcripts(ctx context.Context, waIDs ...string) string {
	var b strings.Builder
	for _, c := range s.all() {
		if len(waIDs) > 0 && !slices.Contains(waIDs, c.WaID) {
			continue
		}
		b.WriteString(transcript(ctx, c))
	}
	return b.String()
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
