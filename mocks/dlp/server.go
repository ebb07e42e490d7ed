package dlp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/dlp/apiv2/dlppb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/gcp"
)

// DefaultAddr is where `parley serve` puts the DLP mock.
const DefaultAddr = "127.0.0.1:4030"

type config struct {
	journal *journal.Journal
	addr    string
	logger  *slog.Logger
	faults  []Fault
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
func WithFault(f Fault) Option {
	return func(c *config) error {
		if err := f.check(); err != nil {
			return fmt.Errorf("WithFault: %w", err)
		}
		c.faults = append(c.faults, f)
		return nil
	}
}

// Fault makes content calls fail or slow down, with the real service's meanings: RESOURCE_EXHAUSTED is the
// per-minute quota, UNAVAILABLE a transient outage the official clients retry.
type Fault struct {
	// Method is "inspect", "deidentify", or "" for both.
	Method string `json:"method,omitempty"`
	// Code is the gRPC code to answer; codes.OK with a Delay only slows the call down.
	Code codes.Code `json:"code,omitempty"`
	// Message replaces the front end's usual message for Code.
	Message string `json:"message,omitempty"`
	// Delay is wall-clock latency before answering; a caller's deadline cuts it short.
	Delay time.Duration `json:"delay,omitempty"`
	// Times is how many calls the fault affects; 0 means until ClearFaults.
	Times int `json:"times,omitempty"`
}

func (f Fault) check() error {
	switch f.Method {
	case "", "inspect", "deidentify":
	default:
		return fmt.Errorf("fault method %q: want inspect, deidentify or empty", f.Method)
	}
	if f.Code == codes.OK && f.Delay <= 0 {
		return errors.New("a fault needs a code other than OK, or a delay")
	}
	if f.Code > codes.Unauthenticated || f.Delay < 0 || f.Times < 0 {
		return fmt.Errorf("fault %+v is out of range", f)
	}
	return nil
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
	faults []Fault
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
	s.stop = gcp.ServeSplit(gcp.NewHTTPServer(s.handler), s.grpc, l)
	s.log.Info("dlp mock listening", "addr", s.addr)
	return s, nil
}

func newUnstarted(cfg config) *Server {
	s := &Server{
		journal: cfg.journal,
		clock:   cfg.journal.Clock(),
		log:     cfg.logger,
		faults:  append([]Fault(nil), cfg.faults...),
	}
	s.grpc = s.newGRPC()
	s.mux = s.routes()
	s.handler = gcp.Handler(s.grpc, s.mux)
	return s
}

// RunT starts a Server for a test and closes it when the test ends; it fails the test if the server
// cannot start.
func RunT(tb testing.TB, opts ...Option) *Server {
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

// InjectFault adds a fault; faults apply in the order injected, the first matching one wins.
func (s *Server) InjectFault(_ context.Context, f Fault) error {
	if err := f.check(); err != nil {
		return err
	}
	s.mu.Lock()
	s.faults = append(s.faults, f)
	s.mu.Unlock()
	s.journal.Record(journal.SourceHarness, journal.KindFaultSet, "", map[string]any{"mock": "dlp", "fault": f})
	return nil
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults(context.Context) error {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
	s.journal.Record(journal.SourceHarness, journal.KindFaultSet, "", map[string]any{"mock": "dlp", "cleared": true})
	return nil
}

// Faults returns a copy of the faults still pending.
func (s *Server) Faults(context.Context) ([]Fault, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Fault(nil), s.faults...), nil
}

// fault takes the first fault matching method, waits its delay and returns its error, if any.
func (s *Server) fault(ctx context.Context, method string) error {
	s.mu.Lock()
	var f *Fault
	for i := range s.faults {
		if s.faults[i].Method == "" || s.faults[i].Method == method {
			cp := s.faults[i]
			f = &cp
			if s.faults[i].Times > 0 {
				s.faults[i].Times--
				if s.faults[i].Times == 0 {
					s.faults = append(s.faults[:i], s.faults[i+1:]...)
				}
			}
			break
		}
	}
	s.mu.Unlock()
	if f == nil {
		return nil
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return status.FromContextError(ctx.Err()).Err()
		}
	}
	if f.Code == codes.OK {
		return nil
	}
	msg := f.Message
	if msg == "" {
		msg = faultMessages[f.Code]
	}
	if msg == "" {
		msg = gcp.CodeName(f.Code)
	}
	return status.Error(f.Code, msg)
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
