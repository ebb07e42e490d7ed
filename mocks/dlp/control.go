package dlp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/gcp"
)

// Control is what tests and the harness do to the mock besides calling DLP: set faults and read the
// journal. *Server implements it in-process, *ControlClient over /_parley/, so steps run unchanged against
// an embedded mock or a container.
type Control interface {
	// InjectFault adds a fault; the first pending fault matching a call applies.
	InjectFault(ctx context.Context, f Fault) error
	// ClearFaults removes every fault.
	ClearFaults(ctx context.Context) error
	// Faults returns the faults still pending.
	Faults(ctx context.Context) ([]Fault, error)
	// JournalAfter returns the events after sequence number after.
	JournalAfter(ctx context.Context, after uint64) ([]journal.Event, error)
}

var (
	_ Control = (*Server)(nil)
	_ Control = (*ControlClient)(nil)
)

// JournalAfter returns the events after sequence number after.
func (s *Server) JournalAfter(_ context.Context, after uint64) ([]journal.Event, error) {
	return s.journal.After(after), nil
}

// The control routes, for a mock running in a container (the table is in routes.go):
//
//	GET    /_parley/healthz           204 when serving
//	GET    /_parley/journal?after=N   {"events":[…],"last":L}: the events after sequence N, and L to ask after next
//	GET    /_parley/faults            pending faults, as a JSON array
//	POST   /_parley/faults            add a fault: a Fault as JSON, code as a number or an upper-case name
//	                                  ("RESOURCE_EXHAUSTED"), delay in nanoseconds
//	DELETE /_parley/faults            clear every fault

func (s *Server) controlHealthz(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) controlJournal(w http.ResponseWriter, r *http.Request) {
	var after uint64
	if a := r.URL.Query().Get("after"); a != "" {
		n, err := strconv.ParseUint(a, 10, 64)
		if err != nil {
			gcp.WriteError(w, status.Error(codes.InvalidArgument, "after must be a sequence number"))
			return
		}
		after = n
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(s.journal.PageAfter(after))
}

func (s *Server) controlFaults(w http.ResponseWriter, r *http.Request) {
	fs, _ := s.Faults(r.Context())
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(fs)
}

func (s *Server) controlInjectFault(w http.ResponseWriter, r *http.Request) {
	var f Fault
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		gcp.WriteError(w, status.Errorf(codes.InvalidArgument, "fault: %v", err))
		return
	}
	if err := s.InjectFault(r.Context(), f); err != nil {
		gcp.WriteError(w, status.Errorf(codes.InvalidArgument, "fault: %v", err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) controlClearFaults(w http.ResponseWriter, r *http.Request) {
	_ = s.ClearFaults(r.Context())
	w.WriteHeader(http.StatusNoContent)
}

// ControlClient drives a DLP mock over its /_parley/ routes.
type ControlClient struct {
	base string
	hc   *http.Client
}

// NewControlClient returns a client of the mock at baseURL (its URL(), e.g. http://127.0.0.1:4030). A nil
// hc means http.DefaultClient; deadlines come from the contexts of the calls.
func NewControlClient(baseURL string, hc *http.Client) *ControlClient {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &ControlClient{base: strings.TrimRight(baseURL, "/"), hc: hc}
}

// InjectFault adds a fault.
func (c *ControlClient) InjectFault(ctx context.Context, f Fault) error {
	return c.do(ctx, http.MethodPost, "/faults", f, nil)
}

// ClearFaults removes every fault.
func (c *ControlClient) ClearFaults(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/faults", nil, nil)
}

// Faults returns the faults still pending.
func (c *ControlClient) Faults(ctx context.Context) ([]Fault, error) {
	var fs []Fault
	err := c.do(ctx, http.MethodGet, "/faults", nil, &fs)
	return fs, err
}

// JournalAfter returns the events after sequence number after.
func (c *ControlClient) JournalAfter(ctx context.Context, after uint64) ([]journal.Event, error) {
	var p journal.Page
	err := c.do(ctx, http.MethodGet, "/journal?after="+strconv.FormatUint(after, 10), nil, &p)
	return p.Events, err
}

func (c *ControlClient) do(ctx context.Context, method, path string, in, out any) error {
	status, b, err := control.Call(ctx, c.hc, "dlp", c.base, method, path, in)
	if err != nil {
		return err
	}
	if status/100 != 2 {
		if msg := control.ErrorMessage(b); msg != "" {
			return fmt.Errorf("dlp control %s %s: HTTP %d: %s", method, path, status, msg)
		}
		return fmt.Errorf("dlp control %s %s: HTTP %d", method, path, status)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("dlp control %s %s: decoding answer: %w", method, path, err)
		}
	}
	return nil
}
