package harness

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
	"time"

	"github.com/parley-dev/parley/bots/reference"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/dlp"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/sim"
)

// Options configure an embedded environment.
type Options struct {
	// Violations switches on violation switches of the reference assistant (rule ids).
	Violations []string
	// Seed makes the mocks' random choices (response variants, faults) repeatable.
	Seed int64
	// Logger receives the mocks' and the assistant's logs; nil discards them.
	Logger *slog.Logger
	// WhatsApp, Dialogflow and DLP options are appended to the ones the harness sets.
	WhatsApp   []whatsapp.Option
	Dialogflow []dialogflow.Option
	DLP        []dlp.Option
	Bot        []reference.Option
}

// Env is a running environment: the mocks, the assistant, and the world its customers live in.
type Env struct {
	Journal    *journal.Journal
	WhatsApp   *whatsapp.Server
	Dialogflow *dialogflow.Server
	DLP        *dlp.Server
	Bot        *reference.Bot
	// BotURL is the assistant's plain-HTTP face, where the certification hooks are called.
	BotURL string
	// WebhookURL is where WhatsApp delivers webhooks: the assistant's HTTPS face, as Meta requires, with a
	// certificate made for the run that the WhatsApp mock trusts.
	WebhookURL string
	Hooks      *Hooks
	World      *sim.World

	closers []func() error
}

// StartEmbedded starts the mocks and the reference assistant in this process.
func StartEmbedded(ctx context.Context, o Options) (env *Env, err error) {
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	j := journal.New(nil)
	e := &Env{Journal: j}
	defer func() {
		if err != nil {
			e.Close()
		}
	}()

	// Listen for the assistant first, so the WhatsApp mock knows its webhook from the start.
	botL, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening for the assistant: %w", err)
	}
	e.BotURL = "http://" + botL.Addr().String()
	e.closers = append(e.closers, func() error { botL.Close(); return nil })
	tlsL, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening for the assistant over TLS: %w", err)
	}
	e.closers = append(e.closers, func() error { tlsL.Close(); return nil })
	e.WebhookURL = "https://" + tlsL.Addr().String() + "/webhook"
	cert, roots, err := selfSignedTLS()
	if err != nil {
		return nil, err
	}
	// WhatsApp's side of the webhook: it trusts the run's certificate and keeps enough connections open
	// that many customers at once do not each pay for a handshake.
	webhookTransport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute, ForceAttemptHTTP2: false}
	e.closers = append(e.closers, func() error { webhookTransport.CloseIdleConnections(); return nil })

	e.Dialogflow, err = dialogflow.NewServer(append([]dialogflow.Option{
		dialogflow.WithJournal(j), dialogflow.WithSeed(o.Seed), dialogflow.WithLogger(logger),
	}, o.Dialogflow...)...)
	if err != nil {
		return nil, fmt.Errorf("starting the Dialogflow mock: %w", err)
	}
	e.closers = append(e.closers, e.Dialogflow.Close)

	e.DLP, err = dlp.NewServer(append([]dlp.Option{dlp.WithJournal(j), dlp.WithLogger(logger)}, o.DLP...)...)
	if err != nil {
		return nil, fmt.Errorf("starting the DLP mock: %w", err)
	}
	e.closers = append(e.closers, e.DLP.Close)

	e.WhatsApp, err = whatsapp.NewServer(append([]whatsapp.Option{
		whatsapp.WithJournal(j), whatsapp.WithWebhook(e.WebhookURL), whatsapp.WithSeed(o.Seed),
		whatsapp.WithLogger(logger), whatsapp.WithHTTPClient(&http.Client{Transport: webhookTransport}), // each attempt is timed by the mock (WithWebhookTimeout)
	}, o.WhatsApp...)...)
	if err != nil {
		return nil, fmt.Errorf("starting the WhatsApp mock: %w", err)
	}
	e.closers = append(e.closers, e.WhatsApp.Close)

	e.Bot, err = reference.New(BotConfig(e.WhatsApp, e.Dialogflow, e.DLP), append([]reference.Option{
		reference.WithViolations(o.Violations...), reference.WithLogger(logger), reference.WithClock(j.Clock().Now),
	}, o.Bot...)...)
	if err != nil {
		return nil, fmt.Errorf("starting the reference assistant: %w", err)
	}
	srv := &http.Server{Handler: e.Bot.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(botL) }()
	e.closers = append(e.closers, func() error {
		err := srv.Close()
		<-served
		return errors.Join(err, e.Bot.Close())
	})

	// The assistant's TLS face, with its own TLS configuration and the run's certificate: webhooks arrive
	// there, and the protocol versions it accepts are probed (WA-SEC-02).
	e.serveTLS(ctx, tlsL, cert, roots)

	e.Hooks = &Hooks{BaseURL: e.BotURL, Journal: j}
	e.World = &sim.World{WhatsApp: e.WhatsApp, Journal: j, Hooks: e.Hooks, Settle: e.Settle}
	return e, nil
}

func (e *Env) serveTLS(ctx context.Context, l net.Listener, cert tls.Certificate, roots *x509.CertPool) {
	cfg := e.Bot.TLSConfig().Clone()
	cfg.Certificates = []tls.Certificate{cert}
	// The probes' refused handshakes are the expected outcome, not server errors worth a log line.
	srv := &http.Server{Handler: e.Bot.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(tls.NewListener(l, cfg)) }()
	e.closers = append(e.closers, func() error {
		err := srv.Close()
		<-served
		return err
	})
	ProbeTLS(ctx, e.Journal, l.Addr().String(), e.WebhookURL, roots)
}

// BotConfig is the bot contract that points an assistant at the mocks.
func BotConfig(wa *whatsapp.Server, df *dialogflow.Server, d *dlp.Server) reference.Config {
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

// Settle waits until the assistant and the WhatsApp mock have nothing in flight: the assistant idle, every
// webhook delivered, and no new journal event across one more round (a status webhook can make the
// assistant act again).
func (e *Env) Settle(ctx context.Context) error {
	for {
		before := e.Journal.Last()
		if err := e.Bot.AwaitIdle(ctx); err != nil {
			return err
		}
		if err := e.WhatsApp.AwaitIdle(ctx); err != nil {
			return err
		}
		if err := e.Bot.AwaitIdle(ctx); err != nil {
			return err
		}
		if e.Journal.Last() == before {
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
