package dialogflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/parley-dev/parley/internal/gcp"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Control is what tests and the harness do to the mock besides the Dialogflow API. *Server implements it
// in-process; *ControlClient implements it over the /_parley/ routes, so steps run unchanged against an
// embedded mock or a container.
type Control interface {
	// The control every mock has: InjectFault, ClearFaults and Faults, where a fault applies to
	// detectIntent calls, its kind is RESOURCE_EXHAUSTED (also "QUOTA"), UNAVAILABLE or
	// DEADLINE_EXCEEDED (also "DEADLINE") and its delay is real time the caller's deadline cuts short;
	// and JournalAfter.
	control.Mock
	// ForceNext queues an override for the next detectIntent (of one session, or of any).
	ForceNext(ctx context.Context, f Force) error
	// Sessions lists the sessions seen, by path.
	Sessions(ctx context.Context) ([]SessionInfo, error)
	// Contexts returns a session's live contexts (session by id or full path), by name.
	Contexts(ctx context.Context, session string) ([]ContextInfo, error)
	// Reset forgets sessions, overrides and faults; the journal is kept.
	Reset(ctx context.Context) error
}

var (
	_ Control = (*Server)(nil)
	_ Control = (*ControlClient)(nil)
)

// WithControlToken guards every /_parley/ route with `Authorization: Bearer token`, on the mock's own
// port and in Handler: the Dialogflow API itself is not affected. Without it the control routes are
// open, as suits a mock on loopback.
func WithControlToken(token string) Option {
	return func(c *config) error {
		if err := control.CheckToken(token); err != nil {
			return fmt.Errorf("dialogflow: WithControlToken: %w", err)
		}
		c.controlToken = token
		return nil
	}
}

// Force overrides what the next detectIntent matches.
type Force struct {
	// Intent is the display name of the intent to match; empty keeps the matcher's choice.
	Intent string `json:"intent,omitempty"`
	// Confidence replaces the confidence (0 < c ≤ 1); below the threshold a text query falls back.
	Confidence float64 `json:"confidence,omitempty"`
	// Session limits the override to one session (its id or full path); empty means the next query of any.
	Session string `json:"session,omitempty"`
}

// SessionInfo describes one session, for inspection.
type SessionInfo struct {
	Path      string    `json:"path"`
	ID        string    `json:"id"`
	Turns     int       `json:"turns"`
	NoMatch   int       `json:"no_match"`
	LastQuery time.Time `json:"last_query"`
	Expired   bool      `json:"expired"`
	Contexts  []string  `json:"contexts,omitempty"`
}

// ContextInfo is one live context of a session.
type ContextInfo struct {
	Name       string         `json:"name"`
	Lifespan   int            `json:"lifespan"`
	Parameters map[string]any `json:"parameters,omitempty"`
}

// kindError is the error a fault of kind answers with, as the real service words it under quota, outage
// or deadline; msg replaces the message.
func kindError(kind, msg string) (error, error) {
	var c codes.Code
	switch strings.ToUpper(kind) {
	case "RESOURCE_EXHAUSTED", "QUOTA":
		c = codes.ResourceExhausted
		if msg == "" {
			msg = quotaMessage
		}
	case "UNAVAILABLE":
		c = codes.Unavailable
		if msg == "" {
			msg = "The service is currently unavailable."
		}
	case "DEADLINE_EXCEEDED", "DEADLINE":
		c = codes.DeadlineExceeded
		if msg == "" {
			msg = "Deadline exceeded."
		}
	default:
		return nil, fmt.Errorf("dialogflow: fault kind %q: want RESOURCE_EXHAUSTED, UNAVAILABLE or DEADLINE_EXCEEDED", kind)
	}
	return status.Error(c, msg), nil
}

// InjectFault adds a fault on detectIntent calls: the next f.Count of them (all, when 0) wait f.Delay
// and fail with f.Kind, when it has one.
func (s *Server) InjectFault(_ context.Context, f control.Fault) error {
	if err := f.Check(); err != nil {
		return fmt.Errorf("dialogflow: %w", err)
	}
	if f.Method != "" && f.Method != "detectIntent" {
		return fmt.Errorf("dialogflow: fault method %q: faults apply to detectIntent only", f.Method)
	}
	if f.Kind != "" {
		if _, err := kindError(f.Kind, ""); err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.faults.Add(f)
	s.mu.Unlock()
	s.journal.Record(journal.SourceHarness, journal.KindFaultSet, "", map[string]any{"mock": "dialogflow", "fault": f})
	return nil
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults(context.Context) error {
	s.mu.Lock()
	s.faults.Clear()
	s.mu.Unlock()
	s.journal.Record(journal.SourceHarness, journal.KindFaultSet, "", map[string]any{"mock": "dialogflow", "cleared": true})
	return nil
}

// Faults returns a copy of the faults still pending.
func (s *Server) Faults(context.Context) ([]control.Fault, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.List(), nil
}

// ForceNext queues an override for the next matching detectIntent call.
func (s *Server) ForceNext(_ context.Context, f Force) error {
	if f.Intent != "" && s.intentByName(f.Intent) == nil {
		return fmt.Errorf("dialogflow: no intent %q in the agent", f.Intent)
	}
	if f.Confidence < 0 || f.Confidence > 1 {
		return fmt.Errorf("dialogflow: confidence %v out of [0, 1]", f.Confidence)
	}
	if f.Intent == "" && f.Confidence == 0 {
		return errors.New("dialogflow: a Force needs an intent or a confidence")
	}
	s.mu.Lock()
	s.forced = append(s.forced, f)
	s.mu.Unlock()
	// An override changes what the assistant sees: the journal says so, so a report can tell.
	s.journal.Record(journal.SourceHarness, journal.KindFaultSet, "", map[string]any{"mock": "dialogflow", "force": f})
	return nil
}

func (s *Server) popForceLocked(ref sessionRef) (Force, bool) {
	for i, f := range s.forced {
		if f.Session == "" || f.Session == ref.id || f.Session == ref.path {
			s.forced = append(s.forced[:i:i], s.forced[i+1:]...)
			return f, true
		}
	}
	return Force{}, false
}

// applyFault takes the faults for one detectIntent call: it waits their delay, then fails the call if
// one of them has a kind.
func (s *Server) applyFault(ctx context.Context) error {
	s.mu.Lock()
	delay, f := s.faults.Take(func(control.Fault) bool { return true })
	s.mu.Unlock()
	var err error
	if f != nil {
		err, _ = kindError(f.Kind, f.Message)
	}
	if werr := control.Sleep(ctx, delay); werr != nil {
		if errors.Is(werr, context.DeadlineExceeded) {
			return status.Error(codes.DeadlineExceeded, "Deadline exceeded.")
		}
		return status.Error(codes.Canceled, "The operation was cancelled.")
	}
	return err
}

// Sessions lists the sessions seen, by path.
func (s *Server) Sessions(context.Context) ([]SessionInfo, error) {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SessionInfo, 0, len(s.sessions))
	for _, ss := range s.sessions {
		expired := ss.expiredAt(now)
		si := SessionInfo{Path: ss.ref.path, ID: ss.ref.id, Turns: ss.turns, NoMatch: ss.noMatch, LastQuery: ss.last, Expired: expired}
		if !expired {
			for id, c := range ss.contexts {
				if c.lifespan > 0 {
					si.Contexts = append(si.Contexts, id)
				}
			}
			sort.Strings(si.Contexts)
		}
		out = append(out, si)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// Contexts returns copies of a session's live contexts (session by id or full path), by name.
func (s *Server) Contexts(_ context.Context, session string) ([]ContextInfo, error) {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []ContextInfo{}
	for _, ss := range s.sessions {
		if ss.ref.path != session && ss.ref.id != session {
			continue
		}
		if ss.expiredAt(now) {
			continue
		}
		for id, c := range ss.contexts {
			if c.lifespan <= 0 {
				continue
			}
			params := map[string]any{}
			for k, v := range c.params {
				params[k] = v
			}
			out = append(out, ContextInfo{Name: ss.ref.path + "/contexts/" + id, Lifespan: c.lifespan, Parameters: params})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// JournalAfter returns the journal events after sequence number after, and the one to ask after next.
func (s *Server) JournalAfter(_ context.Context, after uint64) ([]journal.Event, uint64, error) {
	p := s.journal.PageAfter(after)
	return p.Events, p.Last, nil
}

// JournalPage implements control.Pager: the events after sequence number after, with the mock's
// simulated time once they are read.
func (s *Server) JournalPage(_ context.Context, after uint64) (journal.Page, error) {
	return s.journal.PageAfter(after), nil
}

// Reset forgets every session, override and fault. The journal is not touched.
func (s *Server) Reset(context.Context) error {
	s.mu.Lock()
	s.sessions = map[string]*session{}
	s.forced = nil
	s.faults.Clear()
	s.mu.Unlock()
	s.journal.Record(journal.SourceHarness, journal.KindReset, "", map[string]string{"mock": "dialogflow"})
	return nil
}

// The control routes (the table is in routes.go, the bodies and answers in the package doc). Bodies
// are decoded strictly; errors are google.rpc.Status JSON, as everywhere in the mock.

func writeControlJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func controlBad(w http.ResponseWriter, err error) {
	gcp.WriteError(w, status.Error(codes.InvalidArgument, err.Error()))
}

// maxControlBytes bounds a control body: an override or a fault is a few hundred bytes.
const maxControlBytes = 1 << 20

// decodeControl reads a control body into v, refusing unknown fields; false means it answered the error:
// 413 for a body over maxControlBytes, 400 for one that does not decode.
func decodeControl(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxControlBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			gcp.WriteControlError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("control body: over %d bytes", maxControlBytes))
			return false
		}
		controlBad(w, fmt.Errorf("control body: %w", err))
		return false
	}
	return true
}

func (s *Server) controlHealthz(w http.ResponseWriter, r *http.Request) {
	writeControlJSON(w, map[string]any{"status": "ok", "agent": s.agent.DisplayName, "project": s.cfg.project})
}

func (s *Server) controlForce(w http.ResponseWriter, r *http.Request) {
	var f Force
	if !decodeControl(w, r, &f) {
		return
	}
	if err := s.ForceNext(r.Context(), f); err != nil {
		controlBad(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) controlSessions(w http.ResponseWriter, r *http.Request) {
	out, _ := s.Sessions(r.Context())
	writeControlJSON(w, out)
}

func (s *Server) controlContexts(w http.ResponseWriter, r *http.Request) {
	sess := r.URL.Query().Get("session")
	if sess == "" {
		controlBad(w, errors.New("query parameter session is required"))
		return
	}
	out, _ := s.Contexts(r.Context(), sess)
	writeControlJSON(w, out)
}

func (s *Server) controlReset(w http.ResponseWriter, r *http.Request) {
	_ = s.Reset(r.Context())
	w.WriteHeader(http.StatusNoContent)
}

func codeName(c codes.Code) string { return gcp.CodeName(c) }
