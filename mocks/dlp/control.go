package dlp

import (
	"context"
	"net/http"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
)

// Control is what tests and the harness do to the mock besides calling DLP: the control every mock has
// (control.Mock: InjectFault, ClearFaults and Faults, where a fault applies to content calls of its
// method, or of both, and its kind is a gRPC code; JournalAfter). *Server implements it in-process,
// *ControlClient over /_parley/, so steps run unchanged against an embedded mock or a container.
type Control interface {
	control.Mock
}

var (
	_ Control = (*Server)(nil)
	_ Control = (*ControlClient)(nil)
)

// JournalAfter returns the events after sequence number after, and the one to ask after next.
func (s *Server) JournalAfter(_ context.Context, after uint64) ([]journal.Event, uint64, error) {
	p := s.journal.PageAfter(after)
	return p.Events, p.Last, nil
}

// JournalPage implements control.Pager: the events after sequence number after, with the mock's
// simulated time once they are read.
func (s *Server) JournalPage(_ context.Context, after uint64) (journal.Page, error) {
	return s.journal.PageAfter(after), nil
}

// The control routes, for a mock running in a container (the table is in routes.go):
//
//	GET    /_parley/healthz           204 when serving
//	GET    /_parley/journal?after=N   {"events":[…],"last":L}: the events after sequence N, and L to ask after next
//	GET    /_parley/faults            pending faults, as a JSON array
//	POST   /_parley/faults            add a fault: {"kind":"RESOURCE_EXHAUSTED","count":1,"delay":"250ms","method":"inspect"}
//	DELETE /_parley/faults            clear every fault

func (s *Server) controlHealthz(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusNoContent)
}

// ControlClient drives a DLP mock over its /_parley/ routes. Faults and the journal are the calls every
// mock answers alike (control.Endpoint).
type ControlClient struct {
	*control.Endpoint
}

// ControlOption configures a ControlClient: control.WithHTTPClient.
type ControlOption = control.ClientOption

// NewControlClient returns a client of the mock at baseURL (its URL(), e.g. http://127.0.0.1:4030).
func NewControlClient(baseURL string, opts ...ControlOption) *ControlClient {
	return &ControlClient{Endpoint: control.NewEndpoint("dlp", baseURL, opts...)}
}

// ControlError is an error answered by the control routes.
type ControlError = control.Error
