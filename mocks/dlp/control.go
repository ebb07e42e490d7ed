package dlp

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/parley-dev/parley/mocks/gcp"
)

// serveControl is the /_parley/ surface for a mock running in a container:
//
//	GET    /_parley/journal?after=N   events after sequence N, as JSON Lines
//	GET    /_parley/faults            pending faults, as a JSON array
//	POST   /_parley/faults            add a fault: a Fault as JSON, code as a number or an upper-case name
//	                                  ("RESOURCE_EXHAUSTED"), delay in nanoseconds
//	DELETE /_parley/faults            clear every fault
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/_parley/journal" && r.Method == http.MethodGet:
		after, err := strconv.ParseUint(r.URL.Query().Get("after"), 10, 64)
		if err != nil && r.URL.Query().Get("after") != "" {
			gcp.WriteError(w, status.Error(codes.InvalidArgument, "after must be a sequence number"))
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		for _, e := range s.journal.After(after) {
			b, _ := json.Marshal(e)
			_, _ = w.Write(append(b, '\n'))
		}
	case r.URL.Path == "/_parley/faults" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s.Faults())
	case r.URL.Path == "/_parley/faults" && r.Method == http.MethodPost:
		var f Fault
		dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			gcp.WriteError(w, status.Errorf(codes.InvalidArgument, "fault: %v", err))
			return
		}
		if err := s.InjectFault(f); err != nil {
			gcp.WriteError(w, status.Errorf(codes.InvalidArgument, "fault: %v", err))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case r.URL.Path == "/_parley/faults" && r.Method == http.MethodDelete:
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	default:
		gcp.WriteError(w, status.Errorf(codes.NotFound, "no control route %s %s", r.Method, r.URL.Path))
	}
}
