package dlp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"cloud.google.com/go/dlp/apiv2/dlppb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/parley-dev/parley/internal/gcp"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
)

// routes is the whole REST surface and the control routes: this table is the routing (control.Mux).
// gRPC is served beside it (gcp.Handler). Anything else is 404 NOT_FOUND, journalled as unmodelled.
func (s *Server) routes() *control.Mux {
	m := control.NewMux(s.fallback)
	m.HandleFunc("POST /v2/projects/{project}/content:inspect", s.restContent("inspect")) // content.go
	m.HandleFunc("POST /v2/projects/{project}/locations/{location}/content:inspect", s.restContent("inspect"))
	m.HandleFunc("POST /v2/projects/{project}/content:deidentify", s.restContent("deidentify"))
	m.HandleFunc("POST /v2/projects/{project}/locations/{location}/content:deidentify", s.restContent("deidentify"))

	// Control (control.go).
	m.HandleFunc("GET /_parley/healthz", s.controlHealthz)
	m.HandleFunc("GET /_parley/journal", control.ServeJournal(s, gcp.WriteControlError))
	m.HandleFunc("GET /_parley/faults", control.ServeFaults(s, gcp.WriteControlError))
	m.HandleFunc("POST /_parley/faults", control.ServeInjectFault(s, gcp.WriteControlError))
	m.HandleFunc("DELETE /_parley/faults", control.ServeClearFaults(s, gcp.WriteControlError))
	return m
}

// fallback answers whatever the route table does not serve, as Google's front end answers an unknown
// path or verb (404), and journals it as unmodelled.
func (s *Server) fallback(w http.ResponseWriter, r *http.Request) {
	c := call{transport: "rest", method: r.Method + " " + r.URL.Path}
	if control.IsControlPath(r.URL.Path) {
		s.unmodelled(c, "unknown control route")
		gcp.WriteError(w, status.Errorf(codes.NotFound, "no control route %s %s", r.Method, r.URL.Path))
		return
	}
	s.unmodelled(c, "no such REST method")
	gcp.WriteError(w, status.Errorf(codes.NotFound, "The requested URL %s was not found on this server.", r.URL.Path))
}

// restContent serves content:{method} under a project, or a project's location.
func (s *Server) restContent(method string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		parent := "projects/" + r.PathValue("project")
		if l := r.PathValue("location"); l != "" {
			parent += "/locations/" + l
		}
		if !validParent(parent) {
			s.fallback(w, r)
			return
		}
		c := call{transport: "rest", method: r.Method + " " + r.URL.Path}
		enumNumbers := strings.Contains(r.URL.RawQuery, "enum-encoding=int") ||
			strings.Contains(r.URL.RawQuery, "enum-encoding%3Dint")
		switch method {
		case "inspect":
			req := &dlppb.InspectContentRequest{}
			if !s.decodeREST(w, r, &c, req, method) {
				return
			}
			req.Parent = parent
			resp, err := s.inspectContent(r.Context(), c, req)
			writeProto(w, resp, err, enumNumbers)
		case "deidentify":
			req := &dlppb.DeidentifyContentRequest{}
			if !s.decodeREST(w, r, &c, req, method) {
				return
			}
			req.Parent = parent
			resp, err := s.deidentifyContent(r.Context(), c, req)
			writeProto(w, resp, err, enumNumbers)
		}
	}
}

func cutMethod(m string) (method, path string, ok bool) { return strings.Cut(m, " ") }

// decodeREST reads and parses the body, answering and journalling the error itself when it cannot.
func (s *Server) decodeREST(w http.ResponseWriter, r *http.Request, c *call, m proto.Message, kind string) bool {
	body, err := readBody(r)
	if err == nil {
		c.size = len(body)
		err = decodeJSON(body, m)
	}
	if err != nil {
		s.recordMalformed(kind, "rest", err)
		gcp.WriteError(w, err)
		return false
	}
	return true
}

// readBody refuses an oversize body from its Content-Length before reading, and otherwise reads at most
// one byte past the limit.
func readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength > MaxRequestBytes {
		return nil, errTooLarge
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBytes+1))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, "Invalid JSON payload received. The request body could not be read.")
	}
	if len(b) > MaxRequestBytes {
		return nil, errTooLarge
	}
	return b, nil
}

// decodeJSON parses body as protojson of m, refusing unknown fields with the front end's message
// (`Invalid JSON payload received. Unknown name "x" at 'a.b': Cannot find field.`).
func decodeJSON(body []byte, m proto.Message) error {
	if len(strings.TrimSpace(string(body))) == 0 {
		// An empty body is an empty request, as on the real service; validation then says what is missing.
		return nil
	}
	err := protojson.Unmarshal(body, m)
	if err == nil {
		return nil
	}
	var generic any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if jerr := dec.Decode(&generic); jerr != nil {
		return status.Errorf(codes.InvalidArgument, "Invalid JSON payload received. %s", jsonProblem(jerr))
	}
	if problems := jsonProblems(m.ProtoReflect().Descriptor(), generic, ""); len(problems) > 0 {
		return status.Error(codes.InvalidArgument, strings.Join(problems, "\n"))
	}
	msg := strings.TrimPrefix(err.Error(), "proto:")
	msg = strings.TrimSpace(strings.ReplaceAll(msg, "\u00a0", " "))
	return status.Errorf(codes.InvalidArgument, "Invalid JSON payload received. %s", msg)
}

func jsonProblem(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("Unexpected token at byte %d.", se.Offset)
	}
	var ue *json.UnmarshalTypeError
	if errors.As(err, &ue) {
		return "Unexpected value " + ue.Value + "."
	}
	return "Syntax error."
}

func writeProto(w http.ResponseWriter, m proto.Message, err error, enumNumbers bool) {
	if err != nil {
		gcp.WriteError(w, err)
		return
	}
	// The REST clients ask for $alt=json;enum-encoding=int and the front end then writes enums as numbers.
	b, merr := protojson.MarshalOptions{UseEnumNumbers: enumNumbers}.Marshal(m)
	if merr != nil {
		gcp.WriteError(w, status.Error(codes.Internal, "Internal error encountered."))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// recordMalformed journals a request that could not be parsed.
func (s *Server) recordMalformed(kind, transport string, err error) {
	st := status.Convert(err)
	s.journal.Record(journal.SourceDLP, journal.KindDLPRejected, "", journal.DLPData{
		Transport: transport, Code: gcp.CodeName(st.Code()), Error: st.Message(),
	})
	s.log.Debug("dlp mock: refused", "call", kind, "transport", transport, "code", st.Code())
}
