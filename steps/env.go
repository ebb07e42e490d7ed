package steps

import (
	"context"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/sim"
)

// Environment is one scenario's running world: the mocks, the assistant under test and the journal. The
// steps reach it only through this interface, so they run unchanged against an embedded environment or
// one in containers.
type Environment interface {
	// World is where the scenario's customers live (WhatsApp control, ground-truth recorder, hooks).
	World() *sim.World
	// Dialogflow is the Dialogflow mock's control surface (faults, latency).
	Dialogflow() dialogflow.Control
	// Events returns every journal event of the environment so far, in order.
	Events(ctx context.Context) ([]journal.Event, error)
	// WebhookURL is where WhatsApp delivers webhooks to the assistant; forged webhooks go there too.
	WebhookURL() string
	// AuditOptions are the auditor's options for this environment (business, notice, deployment).
	AuditOptions() audit.Options
	// Close stops the environment.
	Close() error
}

// Scenario is what a factory may want to know about the scenario it starts an environment for.
type Scenario struct {
	Name string
	URI  string
	Tags []string
}

// EnvFactory starts a fresh environment for each scenario.
type EnvFactory interface {
	Start(ctx context.Context, s Scenario) (Environment, error)
}

// EnvFunc adapts a function to EnvFactory.
type EnvFunc func(ctx context.Context, s Scenario) (Environment, error)

// Start calls f.
func (f EnvFunc) Start(ctx context.Context, s Scenario) (Environment, error) { return f(ctx, s) }

// Embedded is an EnvFactory that starts the mocks and the reference assistant in this process
// (harness.StartEmbedded) for every scenario. Its Options choose violation switches and the seed.
type Embedded struct {
	Options harness.Options
	Audit   audit.Options
}

// Start starts an embedded environment.
func (e Embedded) Start(ctx context.Context, _ Scenario) (Environment, error) {
	env, err := harness.StartEmbedded(ctx, e.Options)
	if err != nil {
		return nil, err
	}
	return &embeddedEnv{env: env, audit: e.Audit}, nil
}

type embeddedEnv struct {
	env   *harness.Env
	audit audit.Options
}

func (e *embeddedEnv) World() *sim.World              { return e.env.World }
func (e *embeddedEnv) Dialogflow() dialogflow.Control { return e.env.Dialogflow }
func (e *embeddedEnv) WebhookURL() string             { return e.env.BotURL + "/webhook" }
func (e *embeddedEnv) AuditOptions() audit.Options    { return e.audit }
func (e *embeddedEnv) Close() error                   { return e.env.Close() }
func (e *embeddedEnv) Events(context.Context) ([]journal.Event, error) {
	return e.env.Journal.Events(), nil
}

var _ EnvFactory = Embedded{}
