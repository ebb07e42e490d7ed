package dlp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"

	"cloud.google.com/go/dlp/apiv2/dlppb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/parley-dev/parley/internal/gcp"
	"github.com/parley-dev/parley/internal/headerlimit"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
)

// DefaultAddr is where `parley serve` puts the DLP mock.
const DefaultAddr = "127.0.0.1:4030"

type config struct {
	journal *journal.Journal
	addr    string
	logger  *slog.Logger
	faults  []control.Fault
	token   string
}

// Option configures a Server. Options are checked before the server does anything.
type Option func(*config) error

// WithJournal makes the server record into j and stamp findings with j.Clock(). Without it the server has
// a journal and clock of its own.
func WithJournal(j *journal.Journal) Option {
	return func(c *config) error {
		if j == nil {
			return errors.New("WithJournal: nil journal")
		}
		c.journal = j
		return nil
	}
}

// WithAddr makes the server listen on addr (host:port) instead of 127.0.0.1:0.
func WithAddr(addr string) Option {
	return func(c *config) error {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return fmt.Errorf("WithAddr(%q): %w", addr, err)
		}
		c.addr = addr
		return nil
	}
}

// WithControlToken guards every /_parley/ route with `Authorization: Bearer token`, on the mock's own
// port and in Handler: the DLP API itself is not affected. Without it the control routes are open, as
// suits a mock on loopback.
func WithControlToken(token string) Option {
	return func(c *config) error {
		if err := control.CheckToken(token); err != nil {
			return fmt.Errorf("WithControlToken: %w", err)
		}
		c.token = token
		return nil
	}
}

// WithLogger sets the logger; the default discards.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("WithLogger: nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithFault injects f from the start, as Server.InjectFault would.
func WithFault(f control.Fault) Option {
	return func(c *config) error {
		if _, err := faultCode(f); err != nil {
			return fmt.Errorf("WithFault: %w", err)
		}
		c.faults = append(c.faults, f)
		return nil
	}
}

// faultCode checks that the mock can inject f, a fault on content calls with the real service's
// meanings (RESOURCE_EXHAUSTED is the per-minute quota, UNAVAILABLE a transient outage the official
// clients retry), and returns the code of its kind: an upper-case gRPC code name or its number; OK when
// the fault only delays.
func faultCode(f control.Fault) (codes.Code, error) {
	if err := f.Check(); err != nil {
		return 0, err
	}
	switch f.Method {
	case "", "inspect", "deidentify":
	default:
		return 0, fmt.Errorf("fault method %q: want inspect, deidentify or empty", f.Method)
	}
	if f.Kind == "" {
		return codes.OK, nil
	}
	var c codes.Code
	if n, err := strconv.ParseUint(f.Kind, 10, 32); err == nil {
		c = codes.Code(n)
	} else if err := c.UnmarshalJSON([]byte(strconv.Quote(f.Kind))); err != nil {
		return 0, fmt.Errorf("fault kind %q: want a gRPC code name (RESOURCE_EXHAUSTED) or number", f.Kind)
	}
	if c == codes.OK || c > codes.Unauthenticated {
		return 0, fmt.Errorf("fault kind %q: want a gRPC error code (1 to 16); leave it empty for a delay only", f.Kind)
	}
	return c, nil
}

// Server is a mock Cloud DLP v2 serving REST and gRPC on one port.
type Server struct {
	journal *journal.Journal
	clock   *journal.Clock
	log     *slog.Logger
	grpc    *grpc.Server
	mux     *control.Mux // the REST and control routes behind handler (routes.go)
	handler http.Handler
	addr    string
	stop    func() error

	mu     sync.Mutex
	faults control.Faults
	closed bool
}

// NewServer starts a DLP mock listening on 127.0.0.1:0 unless WithAddr says otherwise.
func NewServer(opts ...Option) (*Server, error) {
	cfg := config{addr: "127.0.0.1:0"}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.journal == nil {
		cfg.journal = journal.New(nil)
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	s := newUnstarted(cfg)
	l, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("dlp mock: %w", err)
	}
	s.addr = l.Addr().String()
	s.stop = gcp.ServeSplit(gcp.NewHTTPServer(s.handler), s.grpc, headerlimit.Listener(l, gcp.HeadersTooLarge))
	s.log.Info("dlp mock listening", "addr", s.addr)
	return s, nil
}

func newUnstarted(cfg config) *Server {
	s := &Server{
		journal: cfg.journal,
		clock:   cfg.journal.Clock(),
		log:     cfg.logger,
	}
	for _, f := range cfg.faults {
		s.faults.Add(f)
	}
	s.grpc = s.newGRPC()
	s.mux = s.routes()
	s.handler = control.RequireToken(cfg.token, control.GoogleErrors, gcp.Handler(s.grpc, s.mux))
	return s
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

// RunT starts a Server for a test and closes it when the test ends; it fails the test if the server
// cannot start.
func RunT(tb TB, opts ...Option) *Server {
	tb.Helper()
	s, err := NewServer(opts...)
	if err != nil {
		tb.Fatalf("starting the DLP mock: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// Addr is host:port, for gRPC clients (option.WithEndpoint(s.Addr())) and DLP_ENDPOINT.
func (s *Server) Addr() string { return s.addr }

// URL is "http://"+Addr, for REST clients (option.WithEndpoint(s.URL())).
func (s *Server) URL() string { return "http://" + s.addr }

// Handler is the whole surface (REST, gRPC over HTTP/2 and /_parley/), for serving it elsewhere; serve it
// with gcp.NewHTTPServer so that unencrypted HTTP/2 reaches the gRPC half (through grpc.Server.ServeHTTP;
// the server's own port gives gRPC connections to grpc's transport, see gcp.ServeSplit).
func (s *Server) Handler() http.Handler { return s.handler }

// GRPCServer is the gRPC half of Handler, for serving it on another plain port with gcp.ServeSplit.
func (s *Server) GRPCServer() *grpc.Server { return s.grpc }

// Journal is the journal the server records into.
func (s *Server) Journal() *journal.Journal { return s.journal }

// Close stops the listener and waits for calls in flight. It is safe to call more than once.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	var err error
	if s.stop != nil {
		err = s.stop()
	}
	s.grpc.Stop()
	return err
}

// InjectFault adds a fault on content calls (of its method, or of both).
func (s *Server) InjectFault(_ context.Context, f control.Fault) error {
	if _, err := faultCode(f); err != nil {
		return err
	}
	s.mu.Lock()
	s.faults.Add(f)
	s.mu.Unlock()
	s.journal.Record(journal.SourceHarness, journal.KindFaultSet, "", map[string]any{"mock": "dlp", "fault": f})
	return nil
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults(context.Context) error {
	s.mu.Lock()
	s.faults.Clear()
	s.mu.Unlock()
	s.journal.Record(journal.SourceHarness, journal.KindFaultSet, "", map[string]any{"mock": "dlp", "cleared": true})
	return nil
}

// Faults returns a copy of the faults still pending.
func (s *Server) Faults(context.Context) ([]control.Fault, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.List(), nil
}

// fault takes the faults for one call of method: it waits their delay and returns the error of the
// first with a kind, if any.
func (s *Server) fault(ctx context.Context, method string) error {
	s.mu.Lock()
	delay, f := s.faults.Take(func(f control.Fault) bool { return f.Method == "" || f.Method == method })
	s.mu.Unlock()
	if err := control.Sleep(ctx, delay); err != nil {
		return status.FromContextError(err).Err()
	}
	if f == nil {
		return nil
	}
	c, _ := faultCode(*f) // checked by InjectFault
	msg := f.Message
	if msg == "" {
		msg = faultMessages[c]
	}
	if msg == "" {
		msg = gcp.CodeName(c)
	}
	return status.Error(c, msg)
}

// record writes the journal event of one content call.
func (s *Server) record(kind string, c call, data *journal.DLPData, err error) {
	if err == nil {
		s.journal.Record(journal.SourceDLP, kind, "", data)
		return
	}
	var um *unmodelledError
	if errors.As(err, &um) {
		s.unmodelled(c, um.Error())
		return
	}
	st := status.Convert(err)
	data.Code, data.Error = gcp.CodeName(st.Code()), st.Message()
	s.journal.Record(journal.SourceDLP, journal.KindDLPRejected, "", data)
}

func (s *Server) unmodelled(c call, detail string) {
	method, path := "gRPC", c.method
	if c.transport == "rest" {
		method, path, _ = cutMethod(c.method)
	}
	s.log.Warn("dlp mock: unmodelled request", "method", method, "path", path, "detail", detail)
	s.journal.Record(journal.SourceDLP, journal.KindUnmodelled, "", journal.RequestData{
		Method: method, Path: path, HTTP: gcp.HTTPStatus(codes.Unimplemented), Error: "UNIMPLEMENTED", Detail: detail,
	})
}

// dlppb is imported here so the generated service's name appears in the server's doc links.
var _ dlppb.DlpServiceServer = (*grpcService)(nil)
