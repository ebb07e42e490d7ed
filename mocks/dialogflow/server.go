package dialogflow

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/parley-dev/parley/fixtures"
	"github.com/parley-dev/parley/internal/gcp"
	"github.com/parley-dev/parley/internal/headerlimit"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"google.golang.org/grpc"
)

// DefaultAddr is where `parley serve --dialogflow` listens unless told otherwise.
const DefaultAddr = "127.0.0.1:4020"

// DefaultProject is the project id the agent is served under unless WithProject says otherwise.
const DefaultProject = "parley-demo"

// Option configures a Server. Options are validated by NewServer before anything is started.
type Option func(*config) error

type config struct {
	addr           string
	project        string
	journal        *journal.Journal
	agentDir       string
	agentFS        fs.FS
	seed           int64
	requireAuth    bool
	minConfidence  float64
	logger         *slog.Logger
	fulfillmentURL string
	webhookTimeout time.Duration
	cxAgent        *CXAgent
	controlToken   string // WithControlToken (control.go)
}

// WithAddr sets the listen address (host:port; port 0 picks a free one). Default 127.0.0.1:0.
func WithAddr(addr string) Option {
	return func(c *config) error {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return fmt.Errorf("dialogflow: WithAddr(%q): %w", addr, err)
		}
		c.addr = addr
		return nil
	}
}

// WithProject sets the project id the agent answers for; other projects get NOT_FOUND.
func WithProject(id string) Option {
	return func(c *config) error {
		if id == "" || strings.Contains(id, "/") {
			return fmt.Errorf("dialogflow: WithProject(%q): not a project id", id)
		}
		c.project = id
		return nil
	}
}

// WithJournal records every call in j, and takes j's clock as the simulated clock (context expiry).
func WithJournal(j *journal.Journal) Option {
	return func(c *config) error {
		if j == nil {
			return errors.New("dialogflow: WithJournal(nil)")
		}
		c.journal = j
		return nil
	}
}

// WithAgentDir serves the export in dir (a directory or a .zip file), ES or CX, instead of the embedded
// fixture.
func WithAgentDir(dir string) Option {
	return func(c *config) error {
		if dir == "" {
			return errors.New("dialogflow: WithAgentDir(\"\")")
		}
		c.agentDir, c.agentFS = dir, nil
		return nil
	}
}

// WithAgentFS serves the export in fsys, ES or CX, instead of the embedded fixture.
func WithAgentFS(fsys fs.FS) Option {
	return func(c *config) error {
		if fsys == nil {
			return errors.New("dialogflow: WithAgentFS(nil)")
		}
		c.agentFS, c.agentDir = fsys, ""
		return nil
	}
}

// WithCXAgent serves a CX agent already loaded (LoadCXAgent) instead of the embedded fixture.
func WithCXAgent(a *CXAgent) Option {
	return func(c *config) error {
		if a == nil {
			return errors.New("dialogflow: WithCXAgent(nil)")
		}
		c.cxAgent, c.agentFS, c.agentDir = a, nil, ""
		return nil
	}
}

// WithSeed seeds the random source that picks response variants and response ids (default 1), so a run
// can be repeated.
func WithSeed(seed int64) Option {
	return func(c *config) error { c.seed = seed; return nil }
}

// WithRequireAuth makes every call without credentials (a Bearer token over REST, an authorization
// metadata entry over gRPC) fail with UNAUTHENTICATED, as the real service does. Tokens are not checked.
func WithRequireAuth() Option {
	return func(c *config) error { c.requireAuth = true; return nil }
}

// WithMinConfidence overrides the agent's ML classification threshold (mlMinConfidence).
func WithMinConfidence(v float64) Option {
	return func(c *config) error {
		if v <= 0 || v > 1 {
			return fmt.Errorf("dialogflow: WithMinConfidence(%v): want 0 < v ≤ 1", v)
		}
		c.minConfidence = v
		return nil
	}
}

// WithLogger logs through l (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("dialogflow: WithLogger(nil)")
		}
		c.logger = l
		return nil
	}
}

// WithFulfillmentURL sets the fulfillment webhook: the assistant's own service, on the test machine,
// called for ES intents with webhookUsed and CX fulfillments with a webhook. The URLs in the export
// (agent.json webhook.url, webhooks/*.json genericWebService.uri) are never called: they name the
// vendor's production backend.
func WithFulfillmentURL(u string) Option {
	return func(c *config) error {
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			return fmt.Errorf("dialogflow: WithFulfillmentURL(%q): want an http or https URL", u)
		}
		c.fulfillmentURL = u
		return nil
	}
}

// WithWebhookTimeout sets how long a fulfillment webhook may take (default 5 s, the real limit).
func WithWebhookTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("dialogflow: WithWebhookTimeout(%v): want > 0", d)
		}
		c.webhookTimeout = d
		return nil
	}
}

// Server is the mock Dialogflow: ES v2 and v2beta1, CX v3, REST and gRPC on one port.
type Server struct {
	cfg     config
	agent   *Agent   // the ES agent; for a CX export, its intents and entity types in ES shape
	cx      *CXAgent // the CX agent, when the export is one
	matcher *matcher
	journal *journal.Journal
	clock   *journal.Clock
	log     *slog.Logger
	minConf float64
	hc      *http.Client

	grpc    *grpc.Server
	mux     *control.Mux // the REST and control routes behind handler (routes.go)
	handler http.Handler
	addr    string
	stop    func() error
	closeMu sync.Once

	zones sync.Map // time zone name → *time.Location (location)

	mu       sync.Mutex
	rng      *rand.Rand
	sessions map[string]*session
	forced   []Force
	faults   control.Faults
}

// builtinAgent loads the built-in agent and builds its matcher once per process: every environment of a
// suite serves it, and decoding it and building its matcher were most of starting one. Both are
// read-only once built.
var builtinAgent = sync.OnceValues(func() (loadedAgent, error) {
	sub, err := fs.Sub(fixtures.Agent, "agent")
	if err != nil {
		return loadedAgent{}, err
	}
	a, err := LoadAgent(sub)
	if err != nil {
		return loadedAgent{}, err
	}
	return loadedAgent{a, newMatcher(a)}, nil
})

type loadedAgent struct {
	agent   *Agent
	matcher *matcher
}

// NewServer loads the agent, listens and starts serving. Call Close when done.
func NewServer(opts ...Option) (*Server, error) {
	cfg := config{addr: "127.0.0.1:0", project: DefaultProject, seed: 1, webhookTimeout: 5 * time.Second}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	var (
		a   *Agent
		m   *matcher
		cxa = cfg.cxAgent
		err error
	)
	switch {
	case cxa != nil:
	case cfg.agentDir != "":
		fsys, closer, oerr := openExport(cfg.agentDir)
		if oerr != nil {
			return nil, fmt.Errorf("dialogflow: %w", oerr)
		}
		if IsCXExport(fsys) {
			cxa, err = LoadCXAgent(fsys)
		} else {
			a, err = LoadAgent(fsys)
		}
		if closer != nil {
			closer()
		}
	case cfg.agentFS != nil:
		if IsCXExport(cfg.agentFS) {
			cxa, err = LoadCXAgent(cfg.agentFS)
		} else {
			a, err = LoadAgent(cfg.agentFS)
		}
	default:
		var b loadedAgent
		b, err = builtinAgent()
		a, m = b.agent, b.matcher
	}
	if err != nil {
		return nil, fmt.Errorf("dialogflow: %w", err)
	}
	if cxa != nil {
		a = cxa.es
	}
	if m == nil {
		m = newMatcher(a)
	}
	if cfg.journal == nil {
		cfg.journal = journal.New(nil)
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		cfg:      cfg,
		agent:    a,
		cx:       cxa,
		matcher:  m,
		journal:  cfg.journal,
		clock:    cfg.journal.Clock(),
		log:      cfg.logger,
		minConf:  a.MLMinConfidence,
		hc:       &http.Client{CheckRedirect: refuseRedirect},
		rng:      rand.New(rand.NewPCG(uint64(cfg.seed), uint64(cfg.seed)^0x9e3779b97f4a7c15)),
		sessions: map[string]*session{},
	}
	if cfg.minConfidence > 0 {
		s.minConf = cfg.minConfidence
	}
	s.grpc = s.newGRPCServer()
	s.mux = s.routes()
	s.handler = control.RequireToken(cfg.controlToken, control.GoogleErrors, gcp.Handler(s.grpc, s.mux))
	l, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("dialogflow: listen %s: %w", cfg.addr, err)
	}
	s.addr = l.Addr().String()
	s.stop = gcp.ServeSplit(gcp.NewHTTPServer(s.handler), s.grpc, headerlimit.Listener(l, gcp.HeadersTooLarge))
	s.log.Info("mock Dialogflow listening", "addr", s.addr, "project", cfg.project, "agent", a.DisplayName)
	return s, nil
}

// TB is what RunT needs of a test: *testing.T, *testing.B and *testing.F satisfy it, and so does
// Ginkgo's GinkgoT(). It is an interface of its own because testing.TB has an unexported method that
// only the testing package can implement.
type TB interface {
	Helper()
	Cleanup(func())
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// RunT starts a server for a test or benchmark and closes it when tb ends.
func RunT(tb TB, opts ...Option) *Server {
	tb.Helper()
	s, err := NewServer(opts...)
	if err != nil {
		tb.Fatalf("starting mock Dialogflow: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("closing mock Dialogflow: %v", err)
		}
	})
	return s
}

// Addr is host:port, the gRPC endpoint (option.WithEndpoint(s.Addr())).
func (s *Server) Addr() string { return s.addr }

// URL is the REST base URL, "http://" + Addr(), without a trailing slash.
func (s *Server) URL() string { return "http://" + s.addr }

// Handler serves REST, gRPC (over HTTP/2, through grpc.Server.ServeHTTP) and /_parley/ control routes; for
// embedding in another server. The server's own port gives gRPC connections to grpc's transport instead
// (gcp.ServeSplit).
func (s *Server) Handler() http.Handler { return s.handler }

// GRPCServer is the gRPC half of Handler, for serving it on another plain port with gcp.ServeSplit.
func (s *Server) GRPCServer() *grpc.Server { return s.grpc }

// Project is the project id the agent is served under.
func (s *Server) Project() string { return s.cfg.project }

// Agent returns the loaded agent. It must not be modified.
func (s *Server) Agent() *Agent { return s.agent }

// CXAgent returns the loaded CX agent, or nil when the export is an ES one.
func (s *Server) CXAgent() *CXAgent { return s.cx }

// Journal returns the journal the server records into.
func (s *Server) Journal() *journal.Journal { return s.journal }

// Close stops the server, waiting for requests in flight.
func (s *Server) Close() error {
	var err error
	s.closeMu.Do(func() {
		err = s.stop()
		s.grpc.Stop()
	})
	return err
}
