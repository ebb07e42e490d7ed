package embedded

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/bots/reference"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/harness/shared"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/stack"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/sim"
)

// ByURL is the environment factory for an assistant that runs elsewhere and is reached by URL (parley
// certify --bot-url, load --bot-url): the mocks listen where parley serve would (mocks/stack), on one
// journal, for the whole run, and each scenario is a slice of that journal (shared.Run): its customers
// have numbers no other scenario of the run uses, it settles when the journal shows them answered and
// has held nothing new of theirs for Quiet, and what the assistant does to them after it ended is judged
// at the end of the run (RunEvents).
type ByURL struct {
	*shared.Run

	o       ByURLOptions
	mc      stack.Config // the mocks' configuration, webhook included
	journal *journal.Journal
	mocks   *stack.Stack
	webhook *http.Client // trusts --webhook-ca, as the WhatsApp mock does
	wa      *whatsapp.ControlClient
	hooks   *harness.Hooks
	hc      *http.Client
	df      *dialogflow.ControlClient
}

// ByURLOptions configure ByURL.
type ByURLOptions struct {
	// Assistant is the assistant's base URL; its webhook is Assistant/webhook unless Mocks.Webhook says
	// otherwise, and its certification hooks are under Assistant/parley/.
	Assistant string
	// Mocks is how the mocks run (parley serve's flags); their logger is Mocks.Logger.
	Mocks stack.Config
	// Quiet is how long a scenario's part of the journal must stay still for it to have settled, and
	// ReplyWait how long a customer's message may stay unanswered before a silent assistant counts as done
	// (see shared.Options).
	Quiet, ReplyWait time.Duration
	// Warn receives the preflight's warnings (an assistant that takes forged deliveries); nil drops them.
	Warn func(string)
}

// StartByURL starts the mocks around an assistant by URL. A configuration to change is a
// *stack.ConfigError.
func StartByURL(o ByURLOptions) (*ByURL, error) {
	base := strings.TrimRight(o.Assistant, "/")
	mc := o.Mocks
	if mc.Webhook == "" {
		mc.Webhook = base + "/webhook"
	}
	webhook := &http.Client{Timeout: 30 * time.Second}
	if mc.WebhookCA != "" { // the hooks are served where the webhook is, with the same certificate
		pool, err := stack.WebhookRoots(mc.WebhookCA)
		if err != nil {
			return nil, err
		}
		webhook.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	}
	mc = mc.WithDefaults()
	j := journal.New(nil)
	mocks, err := stack.Start(mc, j)
	if err != nil {
		return nil, err
	}
	hooks := &harness.Hooks{BaseURL: base, Journal: j, Client: webhook}
	v := &ByURL{o: o, mc: mc, journal: j, mocks: mocks, webhook: webhook, hooks: hooks}
	v.hc = mocks.ControlHTTP()
	v.wa = whatsapp.NewControlClient(mocks.URL("whatsapp"), control.WithHTTPClient(v.hc))
	so := shared.Options{Journal: j, WhatsApp: v.wa, Hooks: hooks, Seed: mc.Seed, Quiet: o.Quiet, ReplyWait: o.ReplyWait,
		Audit: audit.Options{CertifyDeployed: true}}
	if u := mocks.URL("dialogflow"); u != "" {
		v.df = dialogflow.NewControlClient(u, control.WithHTTPClient(v.hc))
		so.Dialogflow = v.df
	}
	v.Run = shared.New(so)
	return v, nil
}

// Mocks are the running mocks, WhatsApp first.
func (v *ByURL) Mocks() []stack.Mock { return v.mocks.Mocks }

// Journal is the whole run's journal.
func (v *ByURL) Journal() *journal.Journal { return v.journal }

// Preflight checks, before the first scenario, that an assistant answers at the webhook: the
// hub.challenge handshake and one signed delivery, trusting --webhook-ca as the mock does.
func (v *ByURL) Preflight(ctx context.Context) error {
	warnings, err := harness.Preflight(ctx, harness.PreflightConfig{
		WebhookURL: v.mc.Webhook, VerifyToken: v.mc.VerifyToken, AppSecret: v.mc.AppSecret,
		PhoneNumberID: v.mc.PhoneNumberID, WABAID: v.mc.WABAID, Client: v.webhook, Now: v.journal.Clock().Now,
	})
	for _, w := range warnings {
		if v.o.Warn != nil {
			v.o.Warn(w)
		}
	}
	if err != nil {
		return fmt.Errorf("%w; start the assistant with the environment of 'parley certify --print-env' and try again", err)
	}
	return nil
}

// Close stops the mocks.
func (v *ByURL) Close() error {
	v.hc.CloseIdleConnections()
	return v.mocks.Close()
}

// Start begins a scenario (shared.Run.Start). The scenario that checks the webhook's transport first
// offers the webhook each TLS version, as Meta's requirements are checked: an HTTPS endpoint that still
// accepts 1.0 or 1.1 breaks WA-SEC-02.
func (v *ByURL) Start(ctx context.Context, s harness.Scenario) (harness.Environment, error) {
	env, err := v.Run.Start(ctx, s) // first: the probes belong to the scenario's part of the journal
	if err != nil {
		return nil, err
	}
	if u, err := url.Parse(v.mc.Webhook); slices.Contains(s.Tags, "@WA-SEC-02") && err == nil && u.Scheme == "https" {
		var roots *x509.CertPool
		if tr, ok := v.webhook.Transport.(*http.Transport); ok && tr.TLSClientConfig != nil {
			roots = tr.TLSClientConfig.RootCAs
		}
		harness.ProbeTLS(ctx, v.journal, u.Host, v.mc.Webhook, roots)
	}
	return env, nil
}

var _ harness.Factory = (*ByURL)(nil)

// Whole is one environment over the whole run, for many customers at once (parley load --bot-url):
// its customers keep the numbers they are given, it settles when the WhatsApp mock has delivered every
// webhook, and its events are the whole journal. Closing it stops the mocks.
func (v *ByURL) Whole() *WholeRun {
	return &WholeRun{v: v, world: &sim.World{WhatsApp: v.wa, Journal: v.journal, Hooks: v.hooks}}
}

// WholeRun is ByURL.Whole's environment.
type WholeRun struct {
	v     *ByURL
	world *sim.World
}

func (w *WholeRun) World() *sim.World                               { return w.world }
func (w *WholeRun) Dialogflow() dialogflow.Control                  { return w.v.df }
func (w *WholeRun) Settle(ctx context.Context) error                { return w.v.wa.AwaitIdle(ctx) }
func (w *WholeRun) Events(context.Context) ([]journal.Event, error) { return w.v.journal.Events(), nil }
func (w *WholeRun) AuditOptions() audit.Options                     { return audit.Options{} }
func (w *WholeRun) Journal() *journal.Journal                       { return w.v.journal }
func (w *WholeRun) Sync(context.Context) error                      { return nil }
func (w *WholeRun) Close() error                                    { return w.v.Close() }

var _ harness.Environment = (*WholeRun)(nil)

// Contract is the bot contract that points an assistant at these mocks, as `parley certify --print-env`
// prints it (PORT aside).
func (v *ByURL) Contract() harness.Contract {
	hostPort := func(name string) string {
		if u, err := url.Parse(v.mocks.URL(name)); err == nil {
			return u.Host
		}
		return ""
	}
	api := v.mc.PublicURL
	if api == "" {
		api = v.mocks.URL("whatsapp")
	}
	return contract(reference.Config{
		WhatsAppAPIURL: strings.TrimRight(api, "/"), WhatsAppAPIVersion: "v23.0",
		PhoneNumberID: v.mc.PhoneNumberID, Token: v.mc.AccessToken, AppSecret: v.mc.AppSecret, VerifyToken: v.mc.VerifyToken,
		DialogflowEndpoint: hostPort("dialogflow"), DialogflowProject: v.mc.DialogflowProject, DialogflowLanguage: "es",
		DLPEndpoint: hostPort("dlp"),
	})
}
