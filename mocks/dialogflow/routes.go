package dialogflow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"cloud.google.com/go/dialogflow/apiv2/dialogflowpb"
	b1pb "cloud.google.com/go/dialogflow/apiv2beta1/dialogflowpb"
	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"github.com/parley-dev/parley/internal/gcp"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	encproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// esSessions are the four names of an ES session, in v2 and v2beta1 alike.
var esSessionNames = []string{
	"projects/{project}/agent/sessions/{session}",
	"projects/{project}/agent/environments/{environment}/users/{user}/sessions/{session}",
	"projects/{project}/locations/{location}/agent/sessions/{session}",
	"projects/{project}/locations/{location}/agent/environments/{environment}/users/{user}/sessions/{session}",
}

// routes is the whole REST surface and the control routes: this table is the routing (control.Mux).
// {version} is v2 or v2beta1 (ES), or v3 (CX) for detectIntent. gRPC is served beside it (gcp.Handler).
// Anything else is unmodelled: NOT_FOUND and a journal event.
func (s *Server) routes() *control.Mux {
	m := control.NewMux(s.unmodelled, control.JoinEmptySegments())
	// A wildcard is a whole segment, so {name...} is "{session}:detectIntent" and the handler splits the
	// verb off; any session name reaches detectIntent, which refuses a malformed one as the service does.
	m.HandleFunc("POST /{version}/{name...}", s.restVerb)
	for _, session := range esSessionNames {
		m.HandleFunc("GET /{version}/"+session+"/contexts", s.restListContexts)
		m.HandleFunc("POST /{version}/"+session+"/contexts", s.restCreateContext)
		m.HandleFunc("DELETE /{version}/"+session+"/contexts", s.restDeleteContexts)
		m.HandleFunc("GET /{version}/"+session+"/contexts/{context}", s.restGetContext)
		m.HandleFunc("PATCH /{version}/"+session+"/contexts/{context}", s.restUpdateContext)
		m.HandleFunc("DELETE /{version}/"+session+"/contexts/{context}", s.restDeleteContext)
	}
	m.HandleFunc("GET /{version}/projects/{project}/agent", s.restGetAgent)
	m.HandleFunc("GET /{version}/projects/{project}/locations/{location}/agent", s.restGetAgent)

	// Control (control.go; the package doc lists the bodies and answers).
	m.HandleFunc("GET /_parley/healthz", s.controlHealthz)
	m.HandleFunc("POST /_parley/force", s.controlForce)
	m.HandleFunc("GET /_parley/faults", control.ServeFaults(s, gcp.WriteControlError))
	m.HandleFunc("POST /_parley/faults", control.ServeInjectFault(s, gcp.WriteControlError))
	m.HandleFunc("DELETE /_parley/faults", control.ServeClearFaults(s, gcp.WriteControlError))
	m.HandleFunc("GET /_parley/sessions", s.controlSessions)
	m.HandleFunc("GET /_parley/contexts", s.controlContexts)
	m.HandleFunc("POST /_parley/reset", s.controlReset)
	m.HandleFunc("GET /_parley/journal", control.ServeJournal(s, gcp.WriteControlError))
	return m
}

// restCall begins a REST call of an ES resource (contexts, agent): the resource name after the version,
// or ok false (and the call answered as unmodelled) when {version} is not an ES one, or a context id
// carries a verb (":get"), which no route takes.
func (s *Server) restCall(w http.ResponseWriter, r *http.Request) (rc restCall, resource string, ok bool) {
	version := r.PathValue("version")
	if version != "v2" && version != "v2beta1" || strings.Contains(r.PathValue("context"), ":") {
		s.unmodelled(w, r)
		return restCall{}, "", false
	}
	return restCall{w: w, r: r, enumInt: wantsEnumNumbers(r.URL.RawQuery)}, strings.TrimPrefix(r.URL.Path, "/"+version+"/"), true
}

// restVerb serves POST /{version}/{name...}, where name is {session}:{verb}: detectIntent, in ES (v2,
// v2beta1) and CX (v3). Other verbs are not modelled.
func (s *Server) restVerb(w http.ResponseWriter, r *http.Request) {
	version := r.PathValue("version")
	rest := strings.TrimPrefix(r.URL.Path, "/"+version+"/")
	i := strings.LastIndex(rest, ":")
	if i < 0 || i < strings.LastIndex(rest, "/") || rest[i+1:] != "detectIntent" {
		s.unmodelled(w, r)
		return
	}
	rc := restCall{w: w, r: r, enumInt: wantsEnumNumbers(r.URL.RawQuery)}
	switch version {
	case "v2", "v2beta1":
		s.restDetectES(rc, version, rest[:i])
	case "v3":
		s.restDetectCX(rc, rest[:i])
	default:
		s.unmodelled(w, r)
	}
}

// wantsEnumNumbers reads the raw query: the Go REST clients send "$alt=json;enum-encoding=int",
// percent-encoded, and url.Values would split on the ";".
func wantsEnumNumbers(raw string) bool {
	if u, err := url.QueryUnescape(raw); err == nil {
		raw = u
	}
	return strings.Contains(raw, "enum-encoding=int")
}

type restCall struct {
	w       http.ResponseWriter
	r       *http.Request
	enumInt bool
}

func (rc restCall) fail(err error) { gcp.WriteError(rc.w, err) }

func (rc restCall) write(m proto.Message) {
	b, err := protojson.MarshalOptions{UseEnumNumbers: rc.enumInt}.Marshal(m)
	if err != nil {
		rc.fail(status.Error(codes.Internal, "Internal error encountered."))
		return
	}
	rc.w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_, _ = rc.w.Write(b)
}

// decode reads the body into m strictly, as Google's front end does: unknown fields are refused.
func (rc restCall) decode(m proto.Message) error {
	body, err := io.ReadAll(http.MaxBytesReader(rc.w, rc.r.Body, maxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errBodyTooLarge()
		}
		return status.Error(codes.InvalidArgument, "Invalid JSON payload received. Could not read the request body.")
	}
	return decodeJSON(body, m)
}

func decodeJSON(body []byte, m proto.Message) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := (protojson.UnmarshalOptions{}).Unmarshal(body, m); err != nil {
		return errInvalidJSON(err, body, m.ProtoReflect().Descriptor())
	}
	return nil
}

// convert copies src into dst through their JSON forms, for messages that are the same on the wire in
// two API versions (v2beta1 ↔ v2); fields only one of them has are dropped.
func convert(src, dst proto.Message) error {
	b, err := protojson.Marshal(src)
	if err != nil {
		return err
	}
	return protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(b, dst)
}

func bearer(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && strings.TrimSpace(tok) != ""
}

func (s *Server) restDetectES(rc restCall, version, session string) {
	ref, _ := parseESSession(session)
	if ref.path == "" {
		ref.path = session
	}
	if s.cfg.requireAuth && !bearer(rc.r) {
		_, err := s.reject(rc.r.Context(), detectInput{api: "es", transport: "rest", ref: withID(ref)}, gcp.Unauthenticated)
		rc.fail(err)
		return
	}
	req := &dialogflowpb.DetectIntentRequest{}
	var err error
	if version == "v2beta1" {
		b1 := &b1pb.DetectIntentRequest{}
		if err = rc.decode(b1); err == nil && convert(b1, req) != nil {
			err = status.Error(codes.InvalidArgument, "Invalid JSON payload received.")
		}
	} else {
		err = rc.decode(req)
	}
	if err != nil {
		_, err = s.reject(rc.r.Context(), detectInput{api: "es", transport: "rest", ref: withID(ref)}, err)
		rc.fail(err)
		return
	}
	t, err := s.detectES(rc.r.Context(), "rest", session, req)
	if err != nil {
		rc.fail(err)
		return
	}
	if version == "v2beta1" {
		out := &b1pb.DetectIntentResponse{}
		if err := convert(t.resp, out); err != nil {
			rc.fail(status.Error(codes.Internal, "Internal error encountered."))
			return
		}
		rc.write(out)
		return
	}
	rc.write(t.resp)
}

func withID(ref sessionRef) sessionRef {
	if ref.id == "" {
		ref.id = lastSegment(ref.path)
	}
	return ref
}

// unmodelled answers a request the mock does not model with NOT_FOUND, loudly: a journal event that
// fails the scenario.
func (s *Server) unmodelled(w http.ResponseWriter, r *http.Request) {
	err := errUnmodelled(r.Method, r.URL.Path)
	s.journal.Record(journal.SourceDialogflow, journal.KindUnmodelled, "", journal.RequestData{
		Method: r.Method, Path: r.URL.Path, HTTP: http.StatusNotFound, Error: status.Convert(err).Message(),
	})
	s.log.Warn("unmodelled Dialogflow request", "method", r.Method, "path", r.URL.Path)
	gcp.WriteError(w, err)
}

// newGRPCServer registers the generated servers: ES v2 Sessions, Contexts and Agents, v2beta1 Sessions,
// CX v3 Sessions. Unimplemented methods and unknown services are journalled as unmodelled.
func (s *Server) newGRPCServer() *grpc.Server {
	g := gcp.NewGRPCServer(
		grpc.ForceServerCodecV2(journallingCodec{CodecV2: encoding.GetCodecV2(encproto.Name), s: s}),
		grpc.ChainUnaryInterceptor(s.unaryInterceptor),
		grpc.ChainStreamInterceptor(s.streamInterceptor),
		grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
			m, _ := grpc.MethodFromServerStream(stream)
			s.journalUnmodelledGRPC(m)
			return status.Error(codes.Unimplemented, "parley: "+m+" is not modelled by the mock Dialogflow.")
		}),
	)
	dialogflowpb.RegisterSessionsServer(g, esSessions{s: s})
	dialogflowpb.RegisterContextsServer(g, esContexts{s: s})
	dialogflowpb.RegisterAgentsServer(g, esAgents{s: s})
	b1pb.RegisterSessionsServer(g, b1Sessions{s: s})
	cxpb.RegisterSessionsServer(g, cxSessions{s: s})
	return g
}

// journalUnmodelledGRPC records something the mock does not model: a gRPC method, or a kind of input.
// journallingCodec is the proto codec that records requests it cannot decode: gRPC rejects them before
// any handler or interceptor runs, and bad input must still reach the journal.
type journallingCodec struct {
	encoding.CodecV2
	s *Server
}

func (c journallingCodec) Unmarshal(data mem.BufferSlice, v any) error {
	if err := c.CodecV2.Unmarshal(data, v); err != nil {
		c.s.journal.Record(journal.SourceDialogflow, journal.KindRequestRejected, "", journal.RequestData{
			Method: "gRPC", Path: fmt.Sprintf("%T", v), Error: "undecodable protobuf: " + err.Error(),
		})
		return err
	}
	return nil
}

// refuse journals a refused call other than detectIntent (contexts, agent) and returns err.
func (s *Server) refuse(method, resource string, err error) error {
	st := status.Convert(err)
	s.journal.Record(journal.SourceDialogflow, journal.KindRequestRejected, lastSegment(resource), journal.RequestData{
		Method: method, Path: resource, HTTP: gcp.HTTPStatus(st.Code()), Error: st.Message(),
	})
	return err
}

func (s *Server) journalUnmodelledGRPC(what string) {
	s.journal.Record(journal.SourceDialogflow, journal.KindUnmodelled, "", journal.RequestData{
		Method: "gRPC", Path: what, Error: "not modelled",
	})
}

func grpcAuthorized(ctx context.Context) bool {
	md, _ := metadata.FromIncomingContext(ctx)
	for _, v := range md.Get("authorization") {
		if tok, ok := strings.CutPrefix(v, "Bearer "); ok && strings.TrimSpace(tok) != "" {
			return true
		}
	}
	return false
}

type sessionGetter interface{ GetSession() string }

func (s *Server) unaryInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	if s.cfg.requireAuth && !grpcAuthorized(ctx) {
		if sg, ok := req.(sessionGetter); ok && strings.HasSuffix(info.FullMethod, "/DetectIntent") {
			api := "es"
			if strings.Contains(info.FullMethod, ".cx.") {
				api = "cx"
			}
			ref := sessionRef{path: sg.GetSession(), id: lastSegment(sg.GetSession())}
			if r, err := parseESSession(sg.GetSession()); err == nil {
				ref = r
			} else if r, err := parseCXSession(sg.GetSession()); err == nil {
				ref = r
			}
			return s.reject(ctx, detectInput{api: api, transport: "grpc", ref: ref}, gcp.Unauthenticated)
		}
		return nil, s.refuse(info.FullMethod, "", gcp.Unauthenticated)
	}
	resp, err := h(ctx, req)
	if status.Code(err) == codes.Unimplemented && strings.Contains(status.Convert(err).Message(), "not implemented") {
		s.journalUnmodelledGRPC(info.FullMethod)
	}
	return resp, err
}

func (s *Server) streamInterceptor(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	if s.cfg.requireAuth && !grpcAuthorized(ss.Context()) {
		return s.refuse(info.FullMethod, "", gcp.Unauthenticated)
	}
	err := h(srv, ss)
	if status.Code(err) == codes.Unimplemented && strings.Contains(status.Convert(err).Message(), "not implemented") {
		s.journalUnmodelledGRPC(info.FullMethod)
	}
	return err
}

// b1Sessions serves the v2beta1 Sessions service by converting to and from v2.
type b1Sessions struct {
	b1pb.UnimplementedSessionsServer
	s *Server
}

func (g b1Sessions) DetectIntent(ctx context.Context, req *b1pb.DetectIntentRequest) (*b1pb.DetectIntentResponse, error) {
	v2 := &dialogflowpb.DetectIntentRequest{}
	if err := convert(req, v2); err != nil {
		return nil, status.Error(codes.InvalidArgument, "Invalid request.")
	}
	t, err := g.s.detectES(ctx, "grpc", req.GetSession(), v2)
	if err != nil {
		return nil, err
	}
	out := &b1pb.DetectIntentResponse{}
	if err := convert(t.resp, out); err != nil {
		return nil, status.Error(codes.Internal, "Internal error encountered.")
	}
	return out, nil
}
