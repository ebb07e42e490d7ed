package parleycontainer

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/harness/containers"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

// Container is the running mocks.
type Container struct {
	env *containers.Env
}

type options struct {
	h containers.Options
}

// Option configures Run.
type Option func(*options)

// WithImage runs an existing parley image instead of building parley.local/parley from source.
func WithImage(ref string) Option { return func(o *options) { o.h.Image = ref } }

// WithSeed makes the mocks' random choices (ids, response variants, faults) repeatable.
func WithSeed(seed int64) Option { return func(o *options) { o.h.Seed = seed } }

// WithControlToken sets the token of the control API; by default a random one is made for the run.
func WithControlToken(token string) Option { return func(o *options) { o.h.ControlToken = token } }

// WithStartupTimeout bounds the wait for the mocks to answer /_parley/healthz (default 60s).
func WithStartupTimeout(d time.Duration) Option { return func(o *options) { o.h.StartupTimeout = d } }

// WithLogger receives the progress of the container's start and removal, at debug level.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.h.Logger = l } }

// WithLoopbackOnly publishes the mocks' ports on 127.0.0.1 only, so that nothing else on the network
// reaches them. That is the default now; the option stays so that code written for earlier versions
// builds, and undoes WithAllInterfaces.
func WithLoopbackOnly() Option { return func(o *options) { o.h.AllInterfaces = false } }

// WithAllInterfaces publishes the mocks' ports on every interface of the Docker host, as a remote
// DOCKER_HOST needs: its network then reaches the mocks (their control routes keep the token).
func WithAllInterfaces() Option { return func(o *options) { o.h.AllInterfaces = true } }

// Run builds (or reuses) the parley image, starts the mocks on a network of their own and waits until
// each answers its health check. If it fails, nothing is left behind.
func Run(ctx context.Context, opts ...Option) (*Container, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	o.h.MocksOnly = true
	env, err := containers.Start(ctx, o.h)
	if err != nil {
		return nil, fmt.Errorf("parleycontainer: %w", err)
	}
	return &Container{env: env}, nil
}

// WhatsAppURL is the base URL of the mock Graph API (WHATSAPP_API_URL), without a trailing slash.
func (c *Container) WhatsAppURL() string { return c.env.WhatsAppURL() }

// DialogflowEndpoint is the mock Dialogflow's host:port, for gRPC (option.WithEndpoint with insecure
// credentials) and, with http:// in front, for REST (DIALOGFLOW_ENDPOINT).
func (c *Container) DialogflowEndpoint() string { return c.env.DialogflowAddr() }

// DLPEndpoint is the mock Cloud DLP's host:port, for gRPC and REST (DLP_ENDPOINT).
func (c *Container) DLPEndpoint() string { return c.env.DLPAddr() }

// Control drives the WhatsApp mock: play customers, read their phones, move the clock, inject faults.
func (c *Container) Control() whatsapp.Control { return c.env.WhatsApp() }

// ControlToken is the bearer token of the mocks' /_parley/ routes.
func (c *Container) ControlToken() string { return c.env.ControlToken() }

// BotContract is the environment of the bot contract (docs/bot-contract.md) for an assistant running on
// this host: the mocks' addresses and the credentials they expect.
func (c *Container) BotContract() map[string]string { return c.env.HostContract() }

// Environment is the run as a harness.Environment, to play journeys in (harness.Play) and to audit: its
// customers talk through the WhatsApp mock, the assistant is whatever the webhook points at, and it has
// settled once the journal has been still for a moment (an assistant elsewhere has no idle signal). It
// has no certification hooks. Terminate closes it.
func (c *Container) Environment() harness.Environment { return c.env }

// Journal returns everything the mocks recorded so far, in order.
func (c *Container) Journal(ctx context.Context) ([]journal.Event, error) {
	evs, _, err := c.env.WhatsApp().JournalAfter(ctx, 0)
	return evs, err
}

// Logs returns the last n lines the mocks' container wrote.
func (c *Container) Logs(ctx context.Context, n int) []string { return c.env.Logs(ctx, n)["mocks"] }

// Terminate removes the container and its network. It is safe to call more than once.
func (c *Container) Terminate(context.Context) error { return c.env.Close() }

// HostURL is the URL at which the container reaches a server on this host listening on port (on all
// interfaces, not on loopback only): for the webhook of an assistant under test.
func HostURL(port int, path string) string {
	return "http://" + containers.HostAlias + ":" + strconv.Itoa(port) + path
}

// RunID is the value of the containers.LabelRun label on the container and network of this run.
func (c *Container) RunID() string { return c.env.RunID() }
