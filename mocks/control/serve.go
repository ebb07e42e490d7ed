package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/parley-dev/parley/journal"
)

// The control routes every mock serves the same way (docs/control-api.md), for its route table:
//
//	m.HandleFunc("GET /_parley/journal", control.ServeJournal(s, fail))
//	m.HandleFunc("GET /_parley/faults", control.ServeFaults(s, fail))
//	m.HandleFunc("POST /_parley/faults", control.ServeInjectFault(s, fail))
//	m.HandleFunc("DELETE /_parley/faults", control.ServeClearFaults(s, fail))

// ErrorWriter answers a control call with an error in the mock's own envelope.
type ErrorWriter func(w http.ResponseWriter, status int, msg string)

// maxFaultBytes bounds the body of POST /_parley/faults.
const maxFaultBytes = 64 << 10

// Pager is a mock that reads its journal as a whole page, with the simulated time it was read at
// (journal.Page.Now); ServeJournal prefers it to JournalAfter.
type Pager interface {
	JournalPage(ctx context.Context, after uint64) (journal.Page, error)
}

// ServeJournal answers GET /_parley/journal?after=N with {"events":[…],"last":L,"now":T}, the events
// after N, the sequence number to ask after next and, from a Pager, the mock's simulated time once they
// were read; an after that is not a sequence number is a 400.
func ServeJournal(m Mock, fail ErrorWriter) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var after uint64
		if a := r.URL.Query().Get("after"); a != "" {
			var err error
			if after, err = strconv.ParseUint(a, 10, 64); err != nil {
				// As Google's front end words a query parameter of the wrong type.
				fail(w, http.StatusBadRequest, fmt.Sprintf("Invalid value at 'after' (TYPE_UINT64), %q", a))
				return
			}
		}
		var p journal.Page
		var err error
		if pm, ok := m.(Pager); ok {
			p, err = pm.JournalPage(r.Context(), after)
		} else {
			p.Events, p.Last, err = m.JournalAfter(r.Context(), after)
		}
		if err != nil {
			fail(w, http.StatusInternalServerError, err.Error())
			return
		}
		if p.Events == nil {
			p.Events = []journal.Event{}
		}
		writeJSON(w, fail, p)
	}
}

// ServeFaults answers GET /_parley/faults with the pending faults, a JSON array.
func ServeFaults(m Mock, fail ErrorWriter) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		fs, err := m.Faults(r.Context())
		if err != nil {
			fail(w, http.StatusInternalServerError, err.Error())
			return
		}
		if fs == nil {
			fs = []Fault{}
		}
		writeJSON(w, fail, fs)
	}
}

// ServeInjectFault answers POST /_parley/faults, a Fault as JSON, with 204; a body over 64 KiB is a
// 413; a fault that does not decode, or that the mock refuses, is a 400.
func ServeInjectFault(m Mock, fail ErrorWriter) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxFaultBytes {
			fail(w, http.StatusRequestEntityTooLarge, "fault: the body is over 64 KiB")
			return
		}
		b, err := io.ReadAll(io.LimitReader(r.Body, maxFaultBytes+1))
		switch {
		case err != nil:
			fail(w, http.StatusBadRequest, "fault: the body could not be read")
			return
		case len(b) > maxFaultBytes:
			fail(w, http.StatusRequestEntityTooLarge, "fault: the body is over 64 KiB")
			return
		}
		var f Fault
		if err := json.Unmarshal(b, &f); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) { // found before Fault.UnmarshalJSON runs
				err = decodeError(err)
			}
			fail(w, http.StatusBadRequest, err.Error())
			return
		}
		if err := m.InjectFault(r.Context(), f); err != nil {
			fail(w, http.StatusBadRequest, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// ServeClearFaults answers DELETE /_parley/faults with 204 once every fault is gone.
func ServeClearFaults(m Mock, fail ErrorWriter) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := m.ClearFaults(r.Context()); err != nil {
			fail(w, http.StatusInternalServerError, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func writeJSON(w http.ResponseWriter, fail ErrorWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		fail(w, http.StatusInternalServerError, "encoding the answer: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}
