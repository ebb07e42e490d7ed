package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/parley-dev/parley/journal"
)

// Mock is the control every mock has, implemented in-process by its *Server and over HTTP by its
// *ControlClient (through Endpoint): the faults it injects and its journal.
type Mock interface {
	// InjectFault adds a fault; it applies to the requests that come after, until its Count is used up
	// or ClearFaults.
	InjectFault(ctx context.Context, f Fault) error
	// ClearFaults removes every pending fault.
	ClearFaults(ctx context.Context) error
	// Faults returns the faults still pending, in the order injected.
	Faults(ctx context.Context) ([]Fault, error)
	// JournalAfter returns the journal events after sequence number after, and the sequence number to ask
	// after next time (after itself when nothing is new).
	JournalAfter(ctx context.Context, after uint64) ([]journal.Event, uint64, error)
}

// Fault is one injected failure, the same in every mock and over POST /_parley/faults:
//
//	{"kind":"RESOURCE_EXHAUSTED","count":1,"delay":"250ms","message":"…","method":"deidentify"}
//
// Kind is what the real service answers, in its own terms: a Graph error code for WhatsApp ("131047",
// "130429"), a gRPC status code name for Dialogflow and DLP ("RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED").
// Each mock says which kinds it models and refuses the others. A fault without a kind only delays.
//
// Every pending fault that applies to a request counts it; the request waits the sum of their delays
// and fails as the first of them with a kind says.
type Fault struct {
	// Kind is the real service's error; empty for a fault that only delays. In JSON a number is also
	// taken ("kind":131047).
	Kind string `json:"kind,omitempty"`
	// Count is how many requests the fault applies to; 0 means every request until ClearFaults.
	Count int `json:"count,omitempty"`
	// Delay is wall-clock time added before the answer; a caller's deadline still cuts it short. JSON
	// has it as a Go duration ("250ms").
	Delay time.Duration `json:"delay,omitempty"`
	// Message replaces the message the real service gives for Kind.
	Message string `json:"message,omitempty"`
	// Method limits the fault to one operation of the mock (DLP: "inspect" or "deidentify"); empty
	// means every operation the mock injects faults into.
	Method string `json:"method,omitempty"`
}

// MaxFaultDelay bounds a fault's delay in every mock: the delay is real time a handler is held for, so
// an unbounded one ("1000h") would hold connections and goroutines for as long.
const MaxFaultDelay = 30 * time.Second

// Check reports what is wrong with f in any mock: a negative count, a delay below 0 or over
// MaxFaultDelay, or nothing to inject.
func (f Fault) Check() error {
	switch {
	case f.Count < 0:
		return fmt.Errorf("fault count %d: want 0 (until cleared) or more", f.Count)
	case f.Delay < 0:
		return fmt.Errorf("fault delay %v: want 0 or more", f.Delay)
	case f.Delay > MaxFaultDelay:
		return fmt.Errorf("fault delay %v: at most %v", f.Delay, MaxFaultDelay)
	case f.Kind == "" && f.Delay == 0:
		return errors.New("a fault needs a kind, a delay or both")
	}
	return nil
}

// decodeError words a JSON error of a control body as Google's front end words one (the field, its
// type and the value; an unknown name; a body that is not JSON), never with encoding/json's text, which
// names Go types to someone calling over HTTP.
func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te) && te.Field != "":
		// The fields left to encoding/json are strings (kind and count are read raw), and the value
		// is not in its error: its JSON type is.
		return frontEndError(fmt.Sprintf("Invalid value at '%s' (TYPE_STRING), a %s", te.Field, strings.TrimPrefix(te.Value, "number ")))
	case errors.As(err, &se):
		return frontEndError(fmt.Sprintf("Invalid JSON payload received. Unexpected token at byte %d.", se.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return frontEndError("Invalid JSON payload received. Unexpected end of the body.")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return frontEndError(fmt.Sprintf("Invalid JSON payload received. Unknown name %s: Cannot find field.", name))
	}
	return frontEndError(`Invalid JSON payload received. A fault is an object: {"kind":…,"count":…,"delay":…}.`)
}

// frontEndError is an error worded as Google's front end words it, capital and full stop included.
type frontEndError string

func (e frontEndError) Error() string { return string(e) }

// MarshalJSON writes Delay as a Go duration ("250ms").
func (f Fault) MarshalJSON() ([]byte, error) {
	type plain Fault
	v := struct {
		plain
		Delay string `json:"delay,omitempty"`
	}{plain: plain(f)}
	if f.Delay != 0 {
		v.Delay = f.Delay.String()
	}
	return json.Marshal(v)
}

// UnmarshalJSON reads a fault strictly: an unknown field is an error, so that a misspelt "count" never
// makes a fault last until cleared.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var v struct {
		Kind    json.RawMessage `json:"kind"`
		Count   json.RawMessage `json:"count"`
		Delay   string          `json:"delay"`
		Message string          `json:"message"`
		Method  string          `json:"method"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return decodeError(err)
	}
	out := Fault{Message: v.Message, Method: v.Method}
	if c := bytes.TrimSpace(v.Count); len(c) > 0 && string(c) != "null" {
		if err := json.Unmarshal(c, &out.Count); err != nil {
			return frontEndError(fmt.Sprintf("Invalid value at 'count' (TYPE_INT32), %s", c))
		}
	}
	switch k := bytes.TrimSpace(v.Kind); {
	case len(k) == 0 || string(k) == "null":
	case k[0] == '"':
		if err := json.Unmarshal(k, &out.Kind); err != nil {
			return fmt.Errorf("fault kind: %w", err)
		}
	default:
		if _, err := strconv.ParseUint(string(k), 10, 64); err != nil {
			return fmt.Errorf("fault kind %s: want a string or a whole number", k)
		}
		out.Kind = string(k)
	}
	if v.Delay != "" {
		d, err := time.ParseDuration(v.Delay)
		if err != nil {
			return fmt.Errorf("fault delay %q: want a duration like 250ms or 2s", v.Delay)
		}
		out.Delay = d
	}
	*f = out
	return nil
}

// Faults are a mock's pending faults, in the order injected. The zero value has none. It is not safe
// for concurrent use: a mock keeps it under its own lock.
type Faults struct {
	list []Fault
}

// Add appends f.
func (fs *Faults) Add(f Fault) { fs.list = append(fs.list, f) }

// Clear removes every fault.
func (fs *Faults) Clear() { fs.list = nil }

// List returns a copy of the pending faults, never nil (it encodes as []).
func (fs *Faults) List() []Fault { return append([]Fault{}, fs.list...) }

// Take applies the pending faults to one request. Every fault for which applies returns true counts
// the request, and is removed once its Count is used up; the request is to wait the sum of their
// delays, and to fail as the first of them with a kind says (failure is nil when none has one).
func (fs *Faults) Take(applies func(Fault) bool) (delay time.Duration, failure *Fault) {
	kept := fs.list[:0]
	for _, f := range fs.list {
		if !applies(f) {
			kept = append(kept, f)
			continue
		}
		delay += f.Delay
		if failure == nil && f.Kind != "" {
			hit := f
			failure = &hit
		}
		if f.Count == 1 {
			continue
		}
		if f.Count > 1 {
			f.Count--
		}
		kept = append(kept, f)
	}
	clear(fs.list[len(kept):])
	fs.list = kept
	return delay, failure
}

// Sleep waits d of wall-clock time, or until ctx is done; then it returns ctx.Err().
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
