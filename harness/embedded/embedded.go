package embedded

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/bots/reference"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/dlp"
	"github.com/parley-dev/parley/mocks/stack"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/sim"
)

// Options configure an embedded environment.
type Options struct {
	// Assistant is the assistant under test; the zero value is parley's reference assistant.
	Assistant Assistant
	// Violations switches on violation switches of the reference assistant (rule ids).
	Violations []string
	// Seed makes the mocks' random choices (response variants, faults) repeatable.
	Seed int64
	// Logger receives the mocks' and the assistant's logs; nil discards them.
	Logger *slog.Logger
	// Agent is a Dialogflow export (ES or CX, a folder or a .zip) served instead of the built-in agent;
	// AgentWebhook the assistant's fulfilment service. The export's own webhook URLs are never called
	// (stack.Config).
	Agent, AgentWebhook string
	// WhatsApp, Dialogflow and DLP options are appended to the ones the environment sets; Bot options to
	// the reference assistant's.
	WhatsApp   []whatsapp.Option
	Dialogflow []dialogflow.Option
	DLP        []dlp.Option
	Bot        []reference.Option
	// Audit are the auditor's options for the environment (AuditOptions).
	Audit audit.Options
	// Quiet is how long the journal must stay still for an assistant with no idle signal (Handler, URL) to
	// count as done: default 50ms for a Handler, whose requests in flight are awaited too, and 300ms for a
	// URL. The reference assistant says when it is idle.
	Quiet time.Duration
}

// Assistant is the assistant under test in an embedded environment: the reference assistant (the zero
// value), a Go http.Handler served by the environment (Handler), or a server already running (URL).
type Assistant struct {
	handler func(harness.Contract) (http.Handler, error)
}

// Handler is an assistant written in Go, served by the environment on loopback as the reference
// assistant is: plain HTTP where the certification hooks are called, HTTPS where WhatsApp delivers
// webhooks (probed for old TLS versions, WA-SEC-02). newBot gets the bot contract, which points at the
// mocks, and returns the assistant's handler (/webhook and, when it has them, the /parley/ hooks). When
// the handler is an io.Closer, Close closes it.
func Handler(newBot func(c harness.Contract) (http.Handler, error)) Assistant {
	return Assistant{handler: newBot}
}

// Factory is a harness.Factory that starts a fresh embedded environment with these options for every
// scenario.
type Factory Options

// Start starts an embedded environment.
func (f Factory) Start(ctx context.Context, _ harness.Scenario) (harness.Environment, error) {
	return Start(ctx, Options(f))
}

var _ harness.Factory = Factory{}

// Env is a running embedded environment: the mocks in this process on one journal and one simulated
// clock, and the assistant under test wired to them.
type Env struct {
	journal    *journal.Journal
	wa         *whatsapp.Server
	df         *dialogflow.Server
	dlp        *dlp.Server
	bot        *reference.Bot
	botURL     string
	webhookURL string
	contract   harness.Contract
	hooks      *harness.Hooks
	world      *sim.World
	audit      audit.Options
	quiet      time.Duration
	requests   *requests // a Handler's requests in flight; nil for the others

	closers []func() error
}

var _ harness.Environment = (*Env)(nil)

// Start starts the mocks and the assistant under test in this process. Every part listens on 127.0.0.1
// with a port the kernel picks (an assistant by URL excepted), so parallel environments never collide.
func Start(ctx context.Context, o Options) (env *Env, err error) {
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if o.Assistant.handler != nil && len(o.Violations)+len(o.Bot) > 0 {
		return nil, errors.New("embedded: violation switches and Bot options belong to the reference assistant, not to a Handler")
	}
	j := journal.New(nil)
	e := &Env{journal: j, audit: o.Audit, quiet: o.Quiet}
	defer func() {
		if err != nil {
			e.Close()
			env = nil
		}
	}()

	// Listen for the assistant first, so the WhatsApp mock knows its webhook from the start.
	var plainL, tlsL net.Listener
	var cert tls.Certificate
	var roots *x509.CertPool
	webhookClient := &http.Client{}
	{
		if plainL, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("listening for the assistant: %w", err)
		}
		e.botURL = "http://" + plainL.Addr().String()
		e.closers = append(e.closers, func() error { plainL.Close(); return nil })
		if tlsL, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("listening for the assistant over TLS: %w", err)
		}
		e.closers = append(e.closers, func() error { tlsL.Close(); return nil })
		e.webhookURL = "https://" + tlsL.Addr().String() + "/webhook"
		// The run's CA, as parley serve makes it, and a certificate for loopback that it issued.
		ca, err := runCA(time.Now())
		if err != nil {
			return nil, err
		}
		cert, roots = ca.Cert, ca.Pool()
		// WhatsApp's side of the webhook: it trusts the run's certificate and keeps enough connections
		// open that many customers at once do not each pay for a handshake; a connection opened beside
		// one already made (a status webhook while a message's is in flight) resumes its TLS session
		// rather than verifying the certificate and signing again.
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12, ClientSessionCache: tls.NewLRUClientSessionCache(0)},
			MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute, ForceAttemptHTTP2: false}
		e.closers = append(e.closers, func() error { tr.CloseIdleConnections(); return nil })
		webhookClient.Transport = tr // each attempt is timed by the mock (WithWebhookTimeout)
		if o.Assistant.handler != nil && e.quiet == 0 {
			e.quiet = 50 * time.Millisecond
		}
	}
	// The three mocks as parley serve runs them (mocks/stack), each on a loopback port of its own, with the
	// mocks' own limits, delivering webhooks through the client that trusts the run's CA.
	mocks, err := stack.Start(stack.Config{
		WhatsAppAddr: "127.0.0.1:0", DialogflowAddr: "127.0.0.1:0", DLPAddr: "127.0.0.1:0", Webhook: e.webhookURL,
		MPS: whatsapp.DefaultMPS, PairRate: whatsapp.DefaultPairRate, Seed: o.Seed, Logger: logger,
		Agent: o.Agent, AgentWebhook: o.AgentWebhook,
		WhatsAppOptions:   append([]whatsapp.Option{whatsapp.WithHTTPClient(webhookClient)}, o.WhatsApp...),
		DialogflowOptions: o.Dialogflow, DLPOptions: o.DLP,
	}, j)
	if err != nil {
		return nil, fmt.Errorf("starting the mocks: %w", err)
	}
	e.closers = append(e.closers, mocks.Close)
	e.wa, e.df, e.dlp = mocks.WhatsApp(), mocks.Dialogflow(), mocks.DLP()
	e.contract = contract(referenceConfig(e.wa, e.df, e.dlp))

	switch {
	case o.Assistant.handler != nil:
		h, err := o.Assistant.handler(e.contract)
		if err != nil {
			return nil, fmt.Errorf("starting the assistant: %w", err)
		}
		if c, ok := h.(io.Closer); ok {
			e.closers = append(e.closers, c.Close)
		}
		e.requests = &requests{}
		h = e.requests.track(h)
		e.serve(plainL, h)
		// Go's own TLS defaults, which a handler served with net/http gets.
		e.serveTLS(ctx, tlsL, h, &tls.Config{}, cert)
	default:
		e.bot, err = reference.New(referenceConfig(e.wa, e.df, e.dlp), append([]reference.Option{
			reference.WithViolations(o.Violations...), reference.WithLogger(logger), reference.WithClock(j.Clock().Now),
		}, o.Bot...)...)
		if err != nil {
			return nil, fmt.Errorf("starting the reference assistant: %w", err)
		}
		e.closers = append(e.closers, e.bot.Close)
		e.serve(plainL, e.bot.Handler())
		// The assistant's TLS face, with its own TLS configuration: webhooks arrive there, and the
		// protocol versions it accepts are probed (WA-SEC-02).
		e.serveTLS(ctx, tlsL, e.bot.Handler(), e.bot.TLSConfig(), cert)
	}

	e.hooks = &harness.Hooks{BaseURL: e.botURL, Journal: j}
	e.world = &sim.World{WhatsApp: e.wa, Journal: j, Hooks: e.hooks, Settle: e.Settle}
	return e, nil
}

// The run's CA: one for every environment of the process, as a run of parley certify has one.
var (
	runCAMu   sync.Mutex
	runCAMade time.Time
	runCAOf   *stack.CA
)

// runCA is the run's CA and the certificate it issued for loopback, at now: made once and shared, since
// two key pairs, a CA and a certificate per environment were a few per cent of a suite's CPU; made again
// once half of its day of validity has passed, so that no environment starts on one about to expire.
func runCA(now time.Time) (*stack.CA, error) {
	runCAMu.Lock()
	defer runCAMu.Unlock()
	if age := now.Sub(runCAMade); runCAOf != nil && age >= 0 && age < 12*time.Hour {
		return runCAOf, nil
	}
	ca, err := stack.NewCA([]string{"127.0.0.1", "localhost"})
	if err != nil {
		return nil, err
	}
	runCAOf, runCAMade = ca, now
	return ca, nil
}

// serve serves h on l until the environment closes.
func (e *Env) serve(l net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	e.closers = append(e.closers, func() error {
		err := srv.Close()
		<-served
		return err
	})
}

// serveTLS serves h over TLS on l with cfg and the run's certificate, and probes which protocol versions
// it accepts.
func (e *Env) serveTLS(ctx context.Context, l net.Listener, h http.Handler, cfg *tls.Config, cert tls.Certificate) {
	cfg = cfg.Clone()
	cfg.Certificates = []tls.Certificate{cert}
	// The probes' refused handshakes are the expected outcome, not server errors worth a log line.
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(tls.NewListener(l, cfg)) }()
	e.closers = append(e.closers, func() error {
		err := srv.Close()
		<-served
		return err
	})
	// The certificate is the one this environment made, so verifying its chain tells the probe nothing:
	// it probes the protocol versions the assistant's TLS configuration accepts, without the chain.
	harness.ProbeTLS(ctx, e.journal, l.Addr().String(), e.webhookURL, nil)
}

// referenceConfig is the bot contract that points the reference assistant at the mocks.
func referenceConfig(wa *whatsapp.Server, df *dialogflow.Server, d *dlp.Server) reference.Config {
	return reference.Config{
		WhatsAppAPIURL:     wa.URL(),
		WhatsAppAPIVersion: "v23.0",
		PhoneNumberID:      wa.PhoneNumberID(),
		Token:              wa.AccessToken(),
		AppSecret:          wa.AppSecret(),
		VerifyToken:        wa.VerifyToken(),
		DialogflowEndpoint: df.Addr(),
		DialogflowProject:  df.Project(),
		DialogflowLanguage: "es",
		DLPEndpoint:        d.Addr(),
	}
}

// contract is a bot contract as environment variables.
func contract(c reference.Config) harness.Contract {
	return harness.Contract{
		"WHATSAPP_API_URL":         c.WhatsAppAPIURL,
		"WHATSAPP_API_VERSION":     c.WhatsAppAPIVersion,
		"WHATSAPP_PHONE_NUMBER_ID": c.PhoneNumberID,
		"WHATSAPP_TOKEN":           c.Token,
		"WHATSAPP_APP_SECRET":      c.AppSecret,
		"WHATSAPP_VERIFY_TOKEN":    c.VerifyToken,
		"DIALOGFLOW_ENDPOINT":      c.DialogflowEndpoint,
		"DIALOGFLOW_PROJECT":       c.DialogflowProject,
		"DIALOGFLOW_LANGUAGE":      c.DialogflowLanguage,
		"DLP_ENDPOINT":             c.DLPEndpoint,
	}
}

// World is where the environment's customers live.
func (e *Env) World() *sim.World { return e.world }

// Dialogflow is the Dialogflow mock's control surface.
func (e *Env) Dialogflow() dialogflow.Control { return e.df }

// DialogflowServer is the Dialogflow mock itself.
func (e *Env) DialogflowServer() *dialogflow.Server { return e.df }

// WhatsApp is the WhatsApp mock.
func (e *Env) WhatsApp() *whatsapp.Server { return e.wa }

// DLP is the DLP mock.
func (e *Env) DLP() *dlp.Server { return e.dlp }

// Bot is the reference assistant; nil when the assistant under test is another one.
func (e *Env) Bot() *reference.Bot { return e.bot }

// Journal is the journal every mock and the harness record into.
func (e *Env) Journal() *journal.Journal { return e.journal }

// Hooks call the assistant's certification hooks and record each call in the journal.
func (e *Env) Hooks() *harness.Hooks { return e.hooks }

// BotURL is the assistant's plain-HTTP face (its base URL for an assistant by URL), where the
// certification hooks are called.
func (e *Env) BotURL() string { return e.botURL }

// WebhookURL is where WhatsApp delivers webhooks: the assistant's HTTPS face, as Meta requires, with a
// certificate made for the run that the WhatsApp mock trusts (base/webhook for an assistant by URL).
func (e *Env) WebhookURL() string { return e.webhookURL }

// Contract is the bot contract that points an assistant at the mocks.
func (e *Env) Contract() harness.Contract { return e.contract }

// AuditOptions are the auditor's options the environment was given.
func (e *Env) AuditOptions() audit.Options { return e.audit }

// Events returns every event of the journal so far.
func (e *Env) Events(context.Context) ([]journal.Event, error) { return e.journal.Events(), nil }

// Sync does nothing: the journal is this process's own (load follows it as it grows).
func (e *Env) Sync(context.Context) error { return nil }

// Settle waits until the assistant and the WhatsApp mock have nothing in flight: every webhook delivered
// and the assistant idle, with no new journal event across one more round (a status webhook can make
// the assistant act again). An assistant with no idle signal (Handler, URL) is idle once the journal has
// been still for Options.Quiet with none of a Handler's requests in flight.
func (e *Env) Settle(ctx context.Context) error {
	if e.bot == nil {
		return e.settleQuiet(ctx)
	}
	last := func(context.Context) (uint64, error) { return e.journal.Last(), nil }
	return harness.SettleRounds(ctx, e.bot.AwaitIdle, e.wa.AwaitIdle, last)
}

func (e *Env) settleQuiet(ctx context.Context) error {
	quiet := time.NewTimer(e.quiet)
	defer quiet.Stop()
	for {
		if err := e.wa.AwaitIdle(ctx); err != nil {
			return err
		}
		if err := e.requests.await(ctx); err != nil {
			return err
		}
		before := e.journal.Last()
		quiet.Reset(e.quiet)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-quiet.C:
		}
		if e.journal.Last() == before && e.requests.idle() {
			return nil
		}
	}
}

// Close stops everything, the assistant first, and returns every error met.
func (e *Env) Close() error {
	var errs []error
	for i := len(e.closers) - 1; i >= 0; i-- {
		errs = append(errs, e.closers[i]())
	}
	e.closers = nil
	return errors.Join(errs...)
}

// requests counts a Handler's requests in flight, so that settling waits for the ones it is answering.
// A nil *requests is always idle.
type requests struct {
	mu   sync.Mutex
	n    int
	done chan struct{} // closed when n drops to zero; nil while nobody waits
}

func (r *requests) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.n++
		r.mu.Unlock()
		defer func() {
			r.mu.Lock()
			defer r.mu.Unlock()
			if r.n--; r.n == 0 && r.done != nil {
				close(r.done)
				r.done = nil
			}
		}()
		h.ServeHTTP(w, req)
	})
}

func (r *requests) idle() bool {
	if r == nil {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n == 0
}

func (r *requests) await(ctx context.Context) error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	if r.n == 0 {
		r.mu.Unlock()
		return nil
	}
	if r.done == nil {
		r.done = make(chan struct{})
	}
	done := r.done
	r.mu.Unlock()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
