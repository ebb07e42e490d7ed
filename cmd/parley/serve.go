package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/dlp"
	"github.com/parley-dev/parley/mocks/gcp"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"google.golang.org/grpc"
)

// serveConfig is what `parley serve` runs. Each mock has its flags here and its start-up in startMocks,
// all on one journal and one simulated clock.
type serveConfig struct {
	logLevel string

	whatsappAddr  string
	publicURL     string
	webhook       string
	appSecret     string
	verifyToken   string
	accessToken   string
	phoneNumberID string
	wabaID        string
	templates     string
	mps           int
	pairRate      time.Duration
	windowError   string
	seed          int64

	dialogflowAddr    string
	dialogflowProject string
	agent             string
	dlpAddr           string

	controlToken string

	// TLS and webhook delivery (serve_tls.go).
	tls           bool
	tlsCAOut      string
	tlsExtraHosts string
	webhookCA     string
	webhookHosts  string
	tlsConfig     *tls.Config    // made by setupTLS
	tlsRoots      *x509.CertPool // the run's CA, for parley's own clients of the mocks
}

func (c *serveConfig) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&c.whatsappAddr, "whatsapp", "127.0.0.1:4010", "address of the WhatsApp Cloud API mock (host:port)")
	fs.StringVar(&c.publicURL, "public-url", "", "base URL the assistant reaches the WhatsApp mock at, if not where it listens (e.g. http://whatsapp:4010 in a container network)")
	fs.StringVar(&c.webhook, "webhook", "", "the assistant's webhook URL, e.g. http://bot:8080/webhook (also settable later with POST /_parley/webhook)")
	fs.StringVar(&c.appSecret, "app-secret", whatsapp.DefaultAppSecret, "app secret that signs webhooks (X-Hub-Signature-256)")
	fs.StringVar(&c.verifyToken, "verify-token", whatsapp.DefaultVerifyToken, "token of the hub.challenge handshake")
	fs.StringVar(&c.accessToken, "access-token", whatsapp.DefaultAccessToken, "bearer token the assistant must send")
	fs.StringVar(&c.phoneNumberID, "phone-number-id", whatsapp.DefaultPhoneNumberID, "business phone number id")
	fs.StringVar(&c.wabaID, "waba-id", whatsapp.DefaultWABAID, "WhatsApp Business Account id")
	fs.StringVar(&c.templates, "templates", "", "directory of message templates (*.json); default: the built-in fixtures")
	fs.IntVar(&c.mps, "mps", whatsapp.DefaultMPS, "throughput limit in messages per second (0 = none)")
	fs.DurationVar(&c.pairRate, "pair-rate", whatsapp.DefaultPairRate, "minimum sustained gap between messages to one recipient (0 = none)")
	fs.StringVar(&c.windowError, "window-error", string(whatsapp.WindowErrorStatus), "how 131047 is reported outside the 24-hour window: status (failed webhook) or sync (HTTP 400)")
	fs.Int64Var(&c.seed, "seed", 1, "seed of fault injection and ids, so a run repeats")
	fs.StringVar(&c.dialogflowAddr, "dialogflow", dialogflow.DefaultAddr, "address of the Dialogflow mock, REST and gRPC on one port (empty = not started)")
	fs.StringVar(&c.dialogflowProject, "dialogflow-project", dialogflow.DefaultProject, "project id the agent is served under; other projects get NOT_FOUND")
	fs.StringVar(&c.agent, "agent", "", "Dialogflow ES agent export (directory or .zip); default: the built-in Tienda Ejemplo agent")
	fs.StringVar(&c.dlpAddr, "dlp", dlp.DefaultAddr, "address of the Cloud DLP mock, REST and gRPC on one port (empty = not started)")
	fs.StringVar(&c.controlToken, "control-token", "", "bearer token every /_parley/ control call must send; required when a mock listens beyond loopback")
	fs.BoolVar(&c.tls, "tls", false, "serve every mock over HTTPS with a CA made for the run (see --tls-ca-out)")
	fs.StringVar(&c.tlsCAOut, "tls-ca-out", "parley-ca.pem", "with --tls: file the run's CA is written to; point the assistant's SSL_CERT_FILE at it")
	fs.StringVar(&c.tlsExtraHosts, "tls-hosts", "", "with --tls: more names for the mocks' certificate, comma-separated (e.g. whatsapp,dialogflow in a container network)")
	fs.StringVar(&c.webhookCA, "webhook-ca", "", "PEM file of the CA that https:// webhooks verify the assistant's certificate against (default: the system's roots)")
	fs.StringVar(&c.webhookHosts, "webhook-hosts", "", "hosts webhooks may be sent to, comma-separated (host or host:port); default: any")
}

// checkExposure refuses a mock listening beyond loopback without a control token: anyone on that network
// could otherwise drive the simulation (issue 10, control plane security).
func (c *serveConfig) checkExposure() error {
	if c.controlToken != "" {
		return nil
	}
	for _, m := range []struct{ flag, addr string }{{"whatsapp", c.whatsappAddr}, {"dialogflow", c.dialogflowAddr}, {"dlp", c.dlpAddr}} {
		if m.addr != "" && !control.IsLoopback(m.addr) {
			return usageError("--%s %s listens beyond loopback: set --control-token (or PARLEY_CONTROL_TOKEN) so that only you can drive the mocks", m.flag, m.addr)
		}
	}
	return nil
}

// guarded serves h, the whole surface of a mock, on addr with its /_parley/ routes behind the control
// token (and over TLS with --tls); g, when the mock has one, is its gRPC server. The mock itself then
// listens on a loopback port of its own that nothing else uses.
func (c *serveConfig) guarded(addr string, format control.ErrorFormat, h http.Handler, g *grpc.Server) (url string, stop func() error, err error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	return c.scheme() + l.Addr().String(), front(l, c.controlToken, c.tlsConfig, format, h, g), nil
}

// front serves h on l with the control token. Over TLS (tlsCfg set) gRPC reaches h's gRPC half over
// HTTP/2 negotiated by ALPN. Without TLS, gRPC connections go to g on grpc's own transport
// (gcp.ServeSplit: the control routes are HTTP/1.1, so the token still guards them); a mock without g is
// served by gcp.NewHTTPServer, which speaks unencrypted HTTP/2 too.
func front(l net.Listener, token string, tlsCfg *tls.Config, format control.ErrorFormat, h http.Handler, g *grpc.Server) (stop func() error) {
	srv := gcp.NewHTTPServer(control.RequireToken(token, format, h))
	switch {
	case tlsCfg != nil:
		srv.Protocols.SetHTTP2(true)
		return gcp.Serve(srv, tls.NewListener(l, tlsCfg))
	case g != nil:
		return gcp.ServeSplit(srv, g, l)
	}
	return gcp.Serve(srv, l)
}

// envName is the environment variable that sets flag name: PARLEY_ and the name in upper case with
// dashes as underscores (--app-secret: PARLEY_APP_SECRET).
func envName(flagName string) string {
	return "PARLEY_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// runningMock is one started mock.
type runningMock struct {
	name  string
	url   string
	close func() error
}

// startMocks starts every mock of cfg on one shared journal. If one fails, those already started are
// closed.
func startMocks(cfg serveConfig, j *journal.Journal, logger *slog.Logger) ([]runningMock, error) {
	if cfg.tls && cfg.tlsConfig == nil {
		// The command shares serve's flags but did not make the run's CA (setupTLS): say so rather than
		// serve plain HTTP to someone who asked for TLS.
		return nil, usageError("--tls is supported by parley serve and parley certify --bot-url, not here")
	}
	var started []runningMock
	fail := func(err error) ([]runningMock, error) {
		for _, m := range started {
			_ = m.close()
		}
		return nil, err
	}
	// With a control token each mock listens on loopback and guarded() serves it on the address asked for.
	token := cfg.controlToken
	fronted := token != "" || cfg.tlsConfig != nil // the control token or TLS is served in front of each mock
	inner := func(addr string) string {
		if !fronted {
			return addr
		}
		return "127.0.0.1:0"
	}
	var waFront net.Listener
	if fronted {
		// Listen before the mock starts, so its media URLs can name the address the assistant reaches.
		l, err := net.Listen("tcp", cfg.whatsappAddr)
		if err != nil {
			return nil, fmt.Errorf("whatsapp: listen %s: %w", cfg.whatsappAddr, err)
		}
		waFront = l
		if cfg.publicURL == "" {
			cfg.publicURL = cfg.scheme() + l.Addr().String()
		}
	}
	opts := []whatsapp.Option{
		whatsapp.WithJournal(j), whatsapp.WithAddr(inner(cfg.whatsappAddr)), whatsapp.WithLogger(logger.With("mock", "whatsapp")),
		whatsapp.WithAppSecret(cfg.appSecret), whatsapp.WithVerifyToken(cfg.verifyToken), whatsapp.WithAccessToken(cfg.accessToken),
		whatsapp.WithPhoneNumberID(cfg.phoneNumberID), whatsapp.WithWABAID(cfg.wabaID),
		whatsapp.WithMPS(cfg.mps), whatsapp.WithPairRate(cfg.pairRate),
		whatsapp.WithWindowErrorMode(whatsapp.WindowErrorMode(cfg.windowError)), whatsapp.WithSeed(cfg.seed),
	}
	webhookOpts, err := cfg.webhookOptions()
	if err != nil {
		if waFront != nil {
			waFront.Close()
		}
		return nil, err
	}
	opts = append(opts, webhookOpts...)
	if cfg.webhook != "" {
		opts = append(opts, whatsapp.WithWebhook(cfg.webhook))
	}
	if cfg.publicURL != "" {
		opts = append(opts, whatsapp.WithPublicURL(cfg.publicURL))
	}
	if cfg.templates != "" {
		opts = append(opts, whatsapp.WithTemplatesDir(cfg.templates))
	}
	wa, err := whatsapp.NewServer(opts...)
	if err != nil {
		if waFront != nil {
			waFront.Close()
		}
		return fail(err)
	}
	if waFront != nil {
		stop := front(waFront, token, cfg.tlsConfig, control.GraphErrors, wa.Handler(), nil)
		started = append(started, runningMock{name: "whatsapp", url: cfg.scheme() + waFront.Addr().String(), close: func() error {
			return errors.Join(stop(), wa.Close())
		}})
	} else {
		started = append(started, runningMock{name: "whatsapp", url: wa.URL(), close: wa.Close})
	}

	if cfg.dialogflowAddr != "" {
		dfOpts := []dialogflow.Option{
			dialogflow.WithJournal(j), dialogflow.WithAddr(inner(cfg.dialogflowAddr)), dialogflow.WithProject(cfg.dialogflowProject),
			dialogflow.WithSeed(uint64(cfg.seed)), dialogflow.WithLogger(logger.With("mock", "dialogflow")),
		}
		if cfg.agent != "" {
			dfOpts = append(dfOpts, dialogflow.WithAgentDir(cfg.agent))
		}
		df, err := dialogflow.NewServer(dfOpts...)
		if err != nil {
			return fail(err)
		}
		m := runningMock{name: "dialogflow", url: df.URL(), close: df.Close}
		if fronted {
			url, stop, err := cfg.guarded(cfg.dialogflowAddr, control.GoogleErrors, df.Handler(), df.GRPCServer())
			if err != nil {
				_ = df.Close()
				return fail(fmt.Errorf("dialogflow: %w", err))
			}
			m.url, m.close = url, func() error { return errors.Join(stop(), df.Close()) }
		}
		started = append(started, m)
	}
	if cfg.dlpAddr != "" {
		d, err := dlp.NewServer(dlp.WithJournal(j), dlp.WithAddr(inner(cfg.dlpAddr)), dlp.WithLogger(logger.With("mock", "dlp")))
		if err != nil {
			return fail(err)
		}
		m := runningMock{name: "dlp", url: d.URL(), close: d.Close}
		if fronted {
			url, stop, err := cfg.guarded(cfg.dlpAddr, control.GoogleErrors, d.Handler(), d.GRPCServer())
			if err != nil {
				_ = d.Close()
				return fail(fmt.Errorf("dlp: %w", err))
			}
			m.url, m.close = url, func() error { return errors.Join(stop(), d.Close()) }
		}
		started = append(started, m)
	}

	return started, nil
}

const serveUsage = `Usage: parley serve [flags]

Runs the mocks standalone, on one journal and one simulated clock: the WhatsApp Cloud API (--whatsapp),
Dialogflow ES and CX (--dialogflow) and Cloud DLP (--dlp), REST and gRPC on each port. Point an assistant
at them with the bot contract (docs/bot-contract.md; 'parley certify --print-env' prints it) and drive
the customers through /_parley/ (docs/control-api.md).

Examples:
  parley serve                                              # 127.0.0.1:4010, :4020, :4030
  parley serve --webhook http://127.0.0.1:8080/webhook      # deliver customers' messages to your assistant
  parley serve --whatsapp 0.0.0.0:4010 --control-token s3cr3t   # reachable from other hosts: token required
  parley serve --tls --tls-ca-out ca.pem                    # HTTPS; trust it with SSL_CERT_FILE=ca.pem
  PARLEY_APP_SECRET=abc parley serve --mps 0 --pair-rate 0  # no platform rate limits

Every flag can also be set with PARLEY_<FLAG> (e.g. PARLEY_APP_SECRET); the command line wins.

Flags:
`

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg serveConfig
	cfg.flags(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, serveUsage)
		fs.PrintDefaults()
	}
	if err := flagsFromEnv(fs, getenv); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &exitError{code: 2, err: errSilent}
	}
	if fs.NArg() > 0 {
		return usageError("serve takes no arguments, got %q", fs.Args())
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.logLevel)); err != nil {
		return usageError("--log-level %q: want debug, info, warn or error", cfg.logLevel)
	}
	if err := cfg.checkExposure(); err != nil {
		return err
	}
	if err := cfg.setupTLS(); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	j := journal.New(nil)
	mocks, err := startMocks(cfg, j, logger)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	for _, m := range mocks {
		fmt.Fprintf(stdout, "parley: %s mock listening on %s\n", m.name, m.url)
	}
	<-ctx.Done()
	logger.Info("stopping", "reason", context.Cause(ctx))
	var errs []error
	for _, m := range mocks {
		if err := m.close(); err != nil {
			errs = append(errs, fmt.Errorf("closing the %s mock: %w", m.name, err))
		}
	}
	return errors.Join(errs...)
}
