// Package stack runs the three mocks as one process does: the WhatsApp Cloud API, Dialogflow and Cloud
// DLP on one journal and one simulated clock, each on its own address, with their /_parley/ control
// routes behind a bearer token when asked, and over HTTPS with a CA made for the run. It is what `parley
// serve` runs, and what `parley certify --bot-url` and `parley load --bot-url` start around an assistant
// that runs elsewhere.
package stack

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"google.golang.org/grpc"

	"github.com/parley-dev/parley/internal/gcp"
	"github.com/parley-dev/parley/internal/headerlimit"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/dlp"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

// Config is what the mocks run with: parley serve's flags.
type Config struct {
	WhatsAppAddr  string // host:port of the WhatsApp mock (always started)
	PublicURL     string // base URL the assistant reaches the WhatsApp mock at, if not where it listens
	Webhook       string // the assistant's webhook URL; empty: set later through the control API
	AppSecret     string
	VerifyToken   string
	AccessToken   string
	PhoneNumberID string
	WABAID        string
	Templates     string // directory of message templates; empty: the built-in fixtures
	MPS           int
	PairRate      time.Duration
	WindowError   string
	Seed          int64

	DialogflowAddr    string // empty: Dialogflow is not started
	DialogflowProject string
	Agent             string // Dialogflow agent export (folder or .zip, ES or CX); empty: the built-in one
	// AgentWebhook is the assistant's own fulfilment service, called for intents and fulfillments with a
	// webhook; the export's webhook URLs (its production backend) are never called. Empty: those calls
	// fail as an unreachable webhook does, and the journal says why.
	AgentWebhook string
	DLPAddr      string // empty: DLP is not started

	// ControlToken guards every /_parley/ route; required when a mock listens beyond loopback.
	ControlToken string

	// TLS serves every mock over HTTPS with a CA made for the run, written to TLSCAOut for the assistant
	// to trust; TLSHosts are more names for the mocks' certificate.
	TLS      bool
	TLSCAOut string
	TLSHosts []string
	// WebhookCA is a PEM file of the CA https:// webhooks verify the assistant's certificate against
	// (default: the system's roots); WebhookHosts, when set, are the only hosts webhooks may go to.
	WebhookCA    string
	WebhookHosts []string

	// Production answers, over TLS on this address, for the production hosts (graph.facebook.com,
	// dialogflow.googleapis.com, Google's token endpoint, …: package production) with the mocks behind
	// them; ProductionHTTP is where the metadata server answers over plain HTTP (port 80 in a container).
	// ProductionDir holds the run's kit (CA, certificate, service-account key), made there when it
	// holds none. Relay, "ADDR=HOST:PORT", forwards connections to ADDR on to HOST:PORT (the way into an
	// assistant that has no route out).
	Production, ProductionHTTP, ProductionDir string
	Relay                                     string
	// Proxy is a loopback address where an HTTPS proxy (HTTP CONNECT) answers for the production hosts
	// on port 443 with the same front, for an assistant on this machine that cannot change its URLs
	// but honours HTTPS_PROXY; it needs ProductionDir, whose CA and key file the assistant is given.
	Proxy string

	Logger *slog.Logger // nil discards

	// WhatsAppOptions, DialogflowOptions and DLPOptions come after the options the stack sets, for
	// what parley serve has no flag for (a test's webhook client, its faults, its limits).
	WhatsAppOptions   []whatsapp.Option
	DialogflowOptions []dialogflow.Option
	DLPOptions        []dlp.Option
}

// ConfigError is a configuration the user must change: it says what and how.
type ConfigError struct{ Msg string }

func (e *ConfigError) Error() string { return e.Msg }

func configErrorf(format string, args ...any) error {
	return &ConfigError{Msg: fmt.Sprintf(format, args...)}
}

// Check is every check of c that needs nothing started: the control token's shape, exposure and the
// agent webhook. Every command that starts mocks runs it before anything starts, and Start runs it again.
func (c Config) Check() error {
	if err := c.CheckControlToken(); err != nil {
		return err
	}
	if err := c.CheckExposure(); err != nil {
		return err
	}
	return c.CheckAgentWebhook()
}

// CheckControlToken refuses a control token no client could send: a blank one (it would guard nothing a
// space cannot guess), or one with spaces or characters outside printable ASCII, which HTTP trims from
// or cannot carry in an Authorization header.
func (c Config) CheckControlToken() error {
	if c.ControlToken == "" {
		return nil
	}
	if err := control.CheckToken(c.ControlToken); err != nil {
		return configErrorf("%v (--control-token, --control-token-file or PARLEY_CONTROL_TOKEN; none on loopback)", err)
	}
	return nil
}

// CheckExposure refuses a mock listening beyond loopback without a control token: anyone on that network
// could otherwise read the journal and drive the simulation. Every command that starts mocks checks it.
func (c Config) CheckExposure() error {
	if c.ControlToken != "" {
		return nil
	}
	for _, m := range []struct{ flag, addr string }{{"whatsapp", c.WhatsAppAddr}, {"dialogflow", c.DialogflowAddr}, {"dlp", c.DLPAddr}} {
		if m.addr != "" && !control.IsLoopback(m.addr) {
			return configErrorf("--%s %s listens beyond loopback: set --control-token (or PARLEY_CONTROL_TOKEN) so that only you can drive the mocks", m.flag, m.addr)
		}
	}
	return nil
}

// CheckAgentWebhook refuses an agent webhook that is not an absolute http(s) URL: every command that
// starts mocks checks it before anything starts.
func (c Config) CheckAgentWebhook() error {
	if c.AgentWebhook == "" {
		return nil
	}
	u, err := url.Parse(c.AgentWebhook)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return configErrorf("--agent-webhook %q: want the http:// or https:// URL of the assistant's fulfilment service, e.g. http://127.0.0.1:8080/fulfilment", c.AgentWebhook)
	}
	return nil
}

// WithDefaults fills what was left empty with the mocks' own defaults (a zero rate limit means none, and
// stays).
func (c Config) WithDefaults() Config {
	for _, f := range []struct {
		v   *string
		def string
	}{
		{&c.AppSecret, whatsapp.DefaultAppSecret}, {&c.VerifyToken, whatsapp.DefaultVerifyToken},
		{&c.AccessToken, whatsapp.DefaultAccessToken}, {&c.PhoneNumberID, whatsapp.DefaultPhoneNumberID},
		{&c.WABAID, whatsapp.DefaultWABAID}, {&c.WindowError, string(whatsapp.WindowErrorStatus)},
		{&c.DialogflowProject, dialogflow.DefaultProject},
	} {
		if *f.v == "" {
			*f.v = f.def
		}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Mock is one started mock.
type Mock struct {
	Name  string // whatsapp, dialogflow or dlp
	URL   string // where it listens, with its scheme
	close func() error
}

// Stack is the running mocks.
type Stack struct {
	Journal *journal.Journal
	// Mocks are the started mocks, WhatsApp first.
	Mocks []Mock
	// Roots trusts the mocks' certificate when they serve HTTPS (nil otherwise).
	Roots *x509.CertPool

	cfg       Config
	tlsConfig *tls.Config
	wa        *whatsapp.Server
	df        *dialogflow.Server
	dlp       *dlp.Server
}

// WhatsApp is the WhatsApp mock itself, for direct state access in process.
func (s *Stack) WhatsApp() *whatsapp.Server { return s.wa }

// Dialogflow is the Dialogflow mock itself, nil when it was not started.
func (s *Stack) Dialogflow() *dialogflow.Server { return s.df }

// DLP is the DLP mock itself, nil when it was not started.
func (s *Stack) DLP() *dlp.Server { return s.dlp }

// Start checks cfg (exposure, TLS), makes the run's CA when cfg.TLS, and starts every mock of cfg on j.
// If one fails, those already started are closed.
func Start(cfg Config, j *journal.Journal) (*Stack, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	s := &Stack{Journal: j, cfg: cfg.WithDefaults()}
	if err := s.setupTLS(); err != nil {
		return nil, err
	}
	if err := s.start(); err != nil {
		return nil, err
	}
	if err := s.startProduction(); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// Close stops every mock.
func (s *Stack) Close() error {
	var errs []error
	for _, m := range s.Mocks {
		if err := m.close(); err != nil {
			errs = append(errs, fmt.Errorf("closing the %s mock: %w", m.Name, err))
		}
	}
	return errors.Join(errs...)
}

// URL is where the named mock listens, empty when it was not started.
func (s *Stack) URL(name string) string {
	for _, m := range s.Mocks {
		if m.Name == name {
			return m.URL
		}
	}
	return ""
}

// ControlHTTP is a client of the mocks' control API with its own connections: it carries the control
// token, and trusts the run's CA.
func (s *Stack) ControlHTTP() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if s.Roots != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: s.Roots, MinVersion: tls.VersionTLS12}
	}
	return control.Client(s.cfg.ControlToken, tr)
}

func (s *Stack) scheme() string {
	if s.tlsConfig != nil {
		return "https://"
	}
	return "http://"
}

// guarded serves h, the whole surface of a mock with its /_parley/ routes behind the control token (the
// mock's own WithControlToken), on addr (and over TLS); g, when the mock has one, is its gRPC server. The
// mock itself then listens on a loopback port of its own that nothing else uses, with the same token.
func (s *Stack) guarded(addr string, h http.Handler, g *grpc.Server) (url string, stop func() error, err error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	return s.scheme() + l.Addr().String(), front(l, s.tlsConfig, h, g, gcp.HeadersTooLarge), nil
}

// front serves h on l. Over TLS (tlsCfg set) gRPC reaches h's gRPC half over
// HTTP/2 negotiated by ALPN. Without TLS, gRPC connections go to g on grpc's own transport
// (gcp.ServeSplit: the control routes are HTTP/1.1, so the token still guards them); a mock without g is
// served by gcp.NewHTTPServer, which speaks unencrypted HTTP/2 too. tooLarge answers headers over the
// limit in the service's format.
func front(l net.Listener, tlsCfg *tls.Config, h http.Handler, g *grpc.Server, tooLarge func(http.ResponseWriter)) (stop func() error) {
	l = headerlimit.Listener(l, tooLarge)
	srv := gcp.NewHTTPServer(h)
	switch {
	case tlsCfg != nil:
		srv.Protocols.SetHTTP2(true)
		return gcp.Serve(srv, tls.NewListener(l, tlsCfg))
	case g != nil:
		return gcp.ServeSplit(srv, g, l)
	}
	return gcp.Serve(srv, l)
}

func (s *Stack) start() error {
	cfg, logger, j := s.cfg, s.cfg.Logger, s.Journal
	fail := func(err error) error {
		_ = s.Close()
		s.Mocks = nil
		return err
	}
	// With a control token or TLS each mock listens on loopback and guarded() serves it on the address
	// asked for. Each mock guards its control routes itself, so that its loopback port is no way around
	// the token.
	fronted := cfg.ControlToken != "" || s.tlsConfig != nil
	inner := func(addr string) string {
		if !fronted {
			return addr
		}
		return "127.0.0.1:0"
	}
	var waFront net.Listener
	if fronted {
		// Listen before the mock starts, so its media URLs can name the address the assistant reaches.
		l, err := net.Listen("tcp", cfg.WhatsAppAddr)
		if err != nil {
			return fmt.Errorf("whatsapp: listen %s: %w", cfg.WhatsAppAddr, err)
		}
		waFront = l
		if cfg.PublicURL == "" {
			cfg.PublicURL = s.scheme() + l.Addr().String()
		}
	}
	opts := []whatsapp.Option{
		whatsapp.WithJournal(j), whatsapp.WithAddr(inner(cfg.WhatsAppAddr)), whatsapp.WithLogger(logger.With("mock", "whatsapp")),
		whatsapp.WithAppSecret(cfg.AppSecret), whatsapp.WithVerifyToken(cfg.VerifyToken), whatsapp.WithAccessToken(cfg.AccessToken),
		whatsapp.WithPhoneNumberID(cfg.PhoneNumberID), whatsapp.WithWABAID(cfg.WABAID),
		whatsapp.WithMPS(cfg.MPS), whatsapp.WithPairRate(cfg.PairRate),
		whatsapp.WithWindowErrorMode(whatsapp.WindowErrorMode(cfg.WindowError)), whatsapp.WithSeed(cfg.Seed),
	}
	if cfg.ControlToken != "" {
		opts = append(opts, whatsapp.WithControlToken(cfg.ControlToken))
	}
	webhookOpts, err := cfg.webhookOptions()
	if err != nil {
		if waFront != nil {
			waFront.Close()
		}
		return err
	}
	opts = append(opts, webhookOpts...)
	if cfg.Webhook != "" {
		opts = append(opts, whatsapp.WithWebhook(cfg.Webhook))
	}
	if cfg.PublicURL != "" {
		opts = append(opts, whatsapp.WithPublicURL(cfg.PublicURL))
	}
	if cfg.Templates != "" {
		opts = append(opts, whatsapp.WithTemplatesDir(cfg.Templates))
	}
	wa, err := whatsapp.NewServer(append(opts, cfg.WhatsAppOptions...)...)
	if err != nil {
		if waFront != nil {
			waFront.Close()
		}
		return fail(err)
	}
	s.wa = wa
	if waFront != nil {
		stop := front(waFront, s.tlsConfig, wa.Handler(), nil, wa.HeadersTooLarge)
		s.Mocks = append(s.Mocks, Mock{Name: "whatsapp", URL: s.scheme() + waFront.Addr().String(), close: func() error {
			return errors.Join(stop(), wa.Close())
		}})
	} else {
		s.Mocks = append(s.Mocks, Mock{Name: "whatsapp", URL: wa.URL(), close: wa.Close})
	}

	if cfg.DialogflowAddr != "" {
		dfOpts := []dialogflow.Option{
			dialogflow.WithJournal(j), dialogflow.WithAddr(inner(cfg.DialogflowAddr)), dialogflow.WithProject(cfg.DialogflowProject),
			dialogflow.WithSeed(cfg.Seed), dialogflow.WithLogger(logger.With("mock", "dialogflow")),
		}
		if cfg.ControlToken != "" {
			dfOpts = append(dfOpts, dialogflow.WithControlToken(cfg.ControlToken))
		}
		if cfg.Agent != "" {
			dfOpts = append(dfOpts, dialogflow.WithAgentDir(cfg.Agent))
		}
		if cfg.AgentWebhook != "" {
			dfOpts = append(dfOpts, dialogflow.WithFulfillmentURL(cfg.AgentWebhook))
		}
		df, err := dialogflow.NewServer(append(dfOpts, cfg.DialogflowOptions...)...)
		if err != nil {
			return fail(err)
		}
		s.df = df
		m := Mock{Name: "dialogflow", URL: df.URL(), close: df.Close}
		if fronted {
			url, stop, err := s.guarded(cfg.DialogflowAddr, df.Handler(), df.GRPCServer())
			if err != nil {
				_ = df.Close()
				return fail(fmt.Errorf("dialogflow: %w", err))
			}
			m.URL, m.close = url, func() error { return errors.Join(stop(), df.Close()) }
		}
		s.Mocks = append(s.Mocks, m)
	}
	if cfg.DLPAddr != "" {
		dlpOpts := []dlp.Option{dlp.WithJournal(j), dlp.WithAddr(inner(cfg.DLPAddr)), dlp.WithLogger(logger.With("mock", "dlp"))}
		if cfg.ControlToken != "" {
			dlpOpts = append(dlpOpts, dlp.WithControlToken(cfg.ControlToken))
		}
		d, err := dlp.NewServer(append(dlpOpts, cfg.DLPOptions...)...)
		if err != nil {
			return fail(err)
		}
		s.dlp = d
		m := Mock{Name: "dlp", URL: d.URL(), close: d.Close}
		if fronted {
			url, stop, err := s.guarded(cfg.DLPAddr, d.Handler(), d.GRPCServer())
			if err != nil {
				_ = d.Close()
				return fail(fmt.Errorf("dlp: %w", err))
			}
			m.URL, m.close = url, func() error { return errors.Join(stop(), d.Close()) }
		}
		s.Mocks = append(s.Mocks, m)
	}
	return nil
}

// webhookOptions are the WhatsApp mock's options for where and how webhooks are delivered.
func (c Config) webhookOptions() ([]whatsapp.Option, error) {
	var opts []whatsapp.Option
	if len(c.WebhookHosts) > 0 {
		opts = append(opts, whatsapp.WithWebhookHosts(c.WebhookHosts...))
	}
	if c.WebhookCA != "" {
		pool, err := WebhookRoots(c.WebhookCA)
		if err != nil {
			return nil, err
		}
		opts = append(opts, whatsapp.WithWebhookRootCAs(pool))
	}
	return opts, nil
}

// WebhookRoots reads the certificates of a --webhook-ca file: what the webhook's certificate must chain
// to.
func WebhookRoots(file string) (*x509.CertPool, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, configErrorf("--webhook-ca: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, configErrorf("--webhook-ca %s: no PEM certificate in it", file)
	}
	return pool, nil
}
