package harness

import (
	"context"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/sim"
)

// Environment is one running world: the mocks, the assistant under test wired to them through the bot
// contract, the world its customers live in and the journal of everything that crossed the mocks.
// Journeys, the step library, the certification engine and load play on this interface only, so they run
// unchanged whichever implementation is behind it.
type Environment interface {
	// World is where customers live: the WhatsApp mock's control, where their ground truth is recorded,
	// the assistant's certification hooks (nil when it has none) and a way to wait for the assistant
	// (World().Settle is the environment's Settle).
	World() *sim.World
	// Dialogflow is the Dialogflow mock's control surface (faults, latency).
	Dialogflow() dialogflow.Control
	// Settle waits until nothing is left in flight: every webhook delivered and the assistant done with
	// what it was sent. Where the assistant has no idle signal it is judged done when it stops acting.
	Settle(ctx context.Context) error
	// Events returns the journal events the audit of this environment judges, in order and up to date.
	Events(ctx context.Context) ([]journal.Event, error)
	// AuditOptions are the auditor's options for this environment (business, deployment).
	AuditOptions() audit.Options
	// Close stops the environment and removes what it created. Calling it again does nothing.
	Close() error
}

// Scenario is what a factory may want to know about the scenario it starts an environment for.
type Scenario struct {
	Name string
	URI  string
	Tags []string
}

// Factory starts a fresh environment for each scenario.
type Factory interface {
	Start(ctx context.Context, s Scenario) (Environment, error)
}

// FactoryFunc adapts a function to Factory.
type FactoryFunc func(ctx context.Context, s Scenario) (Environment, error)

// Start calls f.
func (f FactoryFunc) Start(ctx context.Context, s Scenario) (Environment, error) { return f(ctx, s) }

// Contract is the bot contract: the environment an assistant is configured with to talk to the mocks
// (WHATSAPP_API_URL, WHATSAPP_TOKEN, DIALOGFLOW_ENDPOINT, …; docs/bot-contract.md), by variable name.
type Contract map[string]string

// Getenv returns the value of a variable of the contract, "" when it has none: an assistant configured
// through a getenv function takes the contract as it would take os.Getenv.
func (c Contract) Getenv(key string) string { return c[key] }
