package whatsapp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"unicode/utf8"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
)

// Request size limits. Meta does not publish a limit for JSON bodies; 1 MiB is far above any valid send
// (4096 characters of text, 1024 of caption). Media uploads are bounded by the largest media the mock
// accepts (real limits: 5 MB images, 16 MB audio and video, 100 MB documents; the mock stores uploads in
// memory, so it stops at 16 MiB).
const (
	MaxRequestBytes = 1 << 20
	// maxHeaderBytes bounds a request's headers.
	maxHeaderBytes = 64 << 10
	MaxMediaBytes  = 16 << 20
)

var versionRE = regexp.MustCompile(`^v[0-9]{1,3}\.[0-9]{1,2}$`)

// routes is the whole HTTP surface of the mock, Graph API and control: this table is the routing
// (control.Mux). {version} is any vNN.N and may be left out, as Graph allows; slashes at either end of a
// path are ignored. Anything else is answered with the Graph error envelope (the control error envelope
// under /_parley/) and recorded as unmodelled.
func (s *Server) routes() http.Handler {
	m := control.NewMux(s.fallback, control.IgnoreEdgeSlashes())
	graph := func(method, path string, h http.HandlerFunc) {
		m.HandleFunc(method+" /{version}"+path, s.graphRoute(h))
		m.HandleFunc(method+" "+path, s.graphRoute(h))
	}
	graph("POST", "/{phone}/messages", s.postMessages) // send, mark as read, typing indicator (messages.go)
	graph("GET", "/{id}", s.objectRoute)               // the business phone number, or media URL and metadata (media.go)
	graph("DELETE", "/{id}", s.objectRoute)            // delete media (media.go)
	graph("POST", "/{phone}/media", s.postMedia)       // upload, multipart (media.go)
	// List and delete templates. Without a version these are GET and DELETE /{version}/{id} above, whose
	// handler tells them apart: a version there makes message_templates an object id, as it always has;
	// and ServeMux cannot have GET /{waba}/message_templates next to GET /_media/{id}, as both would match
	// /_media/message_templates (a download).
	m.HandleFunc("GET /{version}/{waba}/message_templates", s.graphRoute(s.templatesRoute))
	m.HandleFunc("DELETE /{version}/{waba}/message_templates", s.graphRoute(s.templatesRoute))
	graph("POST", "/{waba}/message_templates", s.templatesRoute) // create a template, PENDING (templates.go)
	// The business account's edges SDKs call at start-up (business.go); without a version GET and DELETE
	// are told apart in graphRoute, as for message_templates.
	m.HandleFunc("GET /{version}/{waba}/{edge}", s.graphRoute(s.wabaEdge))
	m.HandleFunc("DELETE /{version}/{waba}/{edge}", s.graphRoute(s.wabaEdge))
	graph("POST", "/{waba}/subscribed_apps", s.subscribedAppsRoute)
	graph("POST", "/{phone}/whatsapp_business_profile", s.profileRoute) // update the business profile (profile.go)
	m.HandleFunc("GET /_media/{id}", s.graphRoute(s.getMedia))          // download, with the bearer token (media.go)

	// Control, docs/control-api.md (control_http.go).
	m.HandleFunc("GET /_parley/healthz", s.controlRoute(s.controlHealthz))
	m.HandleFunc("POST /_parley/customers/{wa_id}/messages", s.controlRoute(s.controlSend))
	m.HandleFunc("POST /_parley/customers/{wa_id}/forged", s.controlRoute(s.controlForge))
	m.HandleFunc("GET /_parley/customers/{wa_id}/inbox", s.controlRoute(s.controlInbox))
	m.HandleFunc("POST /_parley/customers/{wa_id}/read", s.controlRoute(s.controlRead))
	m.HandleFunc("POST /_parley/customers/{wa_id}/marketing", s.controlRoute(s.controlMarketing))
	m.HandleFunc("POST /_parley/customers/{wa_id}/block", s.controlRoute(s.controlBlock))
	m.HandleFunc("GET /_parley/journal", control.ServeJournal(s, s.writeControlError))
	m.HandleFunc("GET /_parley/clock", s.controlRoute(s.controlClock))
	m.HandleFunc("POST /_parley/clock", s.controlRoute(s.controlSetClock))
	m.HandleFunc("GET /_parley/faults", control.ServeFaults(s, s.writeControlError))
	m.HandleFunc("POST /_parley/faults", control.ServeInjectFault(s, s.writeControlError))
	m.HandleFunc("DELETE /_parley/faults", control.ServeClearFaults(s, s.writeControlError))
	m.HandleFunc("POST /_parley/status-delivery", s.controlRoute(s.controlStatusDelivery))
	m.HandleFunc("POST /_parley/templates/{name}/{language}/status", s.controlRoute(s.controlTemplateStatus))
	m.HandleFunc("GET /_parley/idle", s.controlRoute(s.controlIdle))
	m.HandleFunc("POST /_parley/webhook", s.controlRoute(s.controlWebhook))
	m.HandleFunc("POST /_parley/webhook/verify", s.controlRoute(s.controlVerify))
	m.HandleFunc("POST /_parley/reset", s.controlRoute(s.controlReset))
	s.mux = m

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.writeGraphError(w, newError(CodeGenericUser, "An unexpected error happened in the mock; see its log"))
			}
		}()
		m.ServeHTTP(w, r)
	})
}

// graphRoute serves a Graph API route after the injected latency. A pattern's {version} must be a
// version; without one, the first segment must be neither a version nor the control prefix (no Graph id
// is either), or the request is not this route's.
func (s *Server) graphRoute(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		serve := h
		v := r.PathValue("version")
		switch {
		case v != "" && !versionRE.MatchString(v) && r.PathValue("id") == "message_templates" && graphID(v):
			r.SetPathValue("waba", v) // GET or DELETE /{waba}/message_templates, see routes
			serve = s.templatesRoute
		case v != "" && !versionRE.MatchString(v) && wabaEdges[r.PathValue("id")] && graphID(v):
			r.SetPathValue("waba", v) // GET or DELETE /{waba}/{edge}, see routes
			r.SetPathValue("edge", r.PathValue("id"))
			serve = s.wabaEdge
		case v != "" && !versionRE.MatchString(v) && r.PathValue("edge") != "":
			s.fallback(w, r) // /{a}/{b}/{c} without a version is no route
			return
		case v != "" && !versionRE.MatchString(v), v == "" && !graphID(firstSegment(r.URL.Path)):
			s.fallback(w, r)
			return
		}
		if !s.graphLatency(r) {
			return
		}
		serve(w, r)
	}
}

// wabaEdges are the edges served by wabaEdge: the business account's, and the phone number's business
// profile.
var wabaEdges = map[string]bool{"phone_numbers": true, "subscribed_apps": true, "whatsapp_business_profile": true}

func (s *Server) profileRoute(w http.ResponseWriter, r *http.Request) {
	r.SetPathValue("waba", r.PathValue("phone"))
	r.SetPathValue("edge", "whatsapp_business_profile")
	s.wabaEdge(w, r)
}

func (s *Server) subscribedAppsRoute(w http.ResponseWriter, r *http.Request) {
	r.SetPathValue("edge", "subscribed_apps")
	s.wabaEdge(w, r)
}

func graphID(seg string) bool { return !versionRE.MatchString(seg) && seg != "_parley" }

func firstSegment(p string) string {
	seg, _, _ := strings.Cut(strings.TrimLeft(p, "/"), "/")
	return seg
}

// graphLatency waits the injected delay of every Graph API request; false means the caller went away
// meanwhile.
func (s *Server) graphLatency(r *http.Request) bool {
	return control.Sleep(r.Context(), s.takeLatency()) == nil
}

// fallback answers whatever the route table does not serve: under /_parley/ with the control error
// envelope, elsewhere (after the injected latency, as every Graph request) with Graph's; both are
// journalled as unmodelled.
func (s *Server) fallback(w http.ResponseWriter, r *http.Request) {
	if control.IsControlPath(r.URL.Path) {
		s.journal.Record(journal.SourceWhatsApp, journal.KindUnmodelled, "", journal.RequestData{Method: r.Method, Path: r.URL.Path, HTTP: http.StatusNotFound, Detail: "unknown control route"})
		s.writeControlError(w, http.StatusNotFound, "no control route "+r.Method+" "+r.URL.Path+"; see docs/control-api.md")
		return
	}
	if !s.graphLatency(r) {
		return
	}
	s.writeGraphError(w, s.unmodelled(r, ""))
}

func (s *Server) postMessages(w http.ResponseWriter, r *http.Request) {
	s.handleMessages(w, r, r.PathValue("phone"))
}

func (s *Server) postMedia(w http.ResponseWriter, r *http.Request) {
	s.graphRequest(w, r, func() (any, *graphError) { return s.uploadMedia(w, r, r.PathValue("phone")) })
}

func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) {
	s.downloadMedia(w, r, r.PathValue("id"))
}

// templatesRoute serves GET, POST and DELETE /{waba}/message_templates.
func (s *Server) templatesRoute(w http.ResponseWriter, r *http.Request) {
	s.graphRequest(w, r, func() (any, *graphError) { return s.templates(w, r, r.PathValue("waba")) })
}

// edgeRequest reads a POST's body, then checks the token and that the object named in the path is
// want, in the order Graph answers them: a body over the limit first, then authorization, then an
// unknown object.
func (s *Server) edgeRequest(w http.ResponseWriter, r *http.Request, id, want string) ([]byte, *graphError) {
	var body []byte
	if r.Method == http.MethodPost {
		var gerr *graphError
		if body, gerr = s.readBody(w, r, s.cfg.maxBody); gerr != nil {
			return nil, gerr
		}
	}
	if gerr := s.authorize(r); gerr != nil {
		return nil, gerr
	}
	if id != want {
		return nil, errUnknownObject(strings.ToLower(r.Method), id)
	}
	return body, nil
}

func (s *Server) templates(w http.ResponseWriter, r *http.Request, waba string) (any, *graphError) {
	body, gerr := s.edgeRequest(w, r, waba, s.cfg.wabaID)
	if gerr != nil {
		return nil, gerr
	}
	switch r.Method {
	case http.MethodGet:
		return s.listTemplates(r)
	case http.MethodPost:
		return s.createTemplate(r, body)
	default:
		return s.deleteTemplate(r)
	}
}

// objectRoute serves GET and DELETE /{id}: a media object, or the business phone number.
func (s *Server) objectRoute(w http.ResponseWriter, r *http.Request) {
	s.graphRequest(w, r, func() (any, *graphError) { return s.object(r, r.PathValue("id")) })
}

func (s *Server) object(r *http.Request, id string) (any, *graphError) {
	if gerr := s.authorize(r); gerr != nil {
		return nil, gerr
	}
	switch {
	case id == s.cfg.phoneNumberID && r.Method == http.MethodGet:
		return selectFields(r, s.phoneNumberNode(), phoneNumberDefaults, "WhatsAppBusinessPhoneNumber")
	case id == s.cfg.wabaID && r.Method == http.MethodGet:
		return selectFields(r, s.wabaNode(), wabaDefaults, "WhatsAppBusinessAccount")
	}
	if r.Method == http.MethodDelete {
		return s.deleteMedia(id)
	}
	return s.mediaInfo(r, id)
}

// graphRequest runs a Graph request other than a send and journals it as request.accepted or
// request.rejected.
func (s *Server) graphRequest(w http.ResponseWriter, r *http.Request, fn func() (any, *graphError)) {
	res, gerr := fn()
	d := journal.RequestData{Method: r.Method, Path: r.URL.Path, HTTP: http.StatusOK}
	if gerr != nil {
		d.HTTP, d.Code, d.Subcode, d.Error = gerr.HTTP, gerr.Code, gerr.Subcode, gerr.Message
		if gerr.Code != 2500 { // unmodelled is journalled on its own
			s.journal.Record(journal.SourceWhatsApp, journal.KindRequestRejected, "", d)
		}
		s.writeGraphError(w, gerr)
		return
	}
	s.journal.Record(journal.SourceWhatsApp, journal.KindRequestAccepted, "", d)
	writeJSON(w, http.StatusOK, res)
}

// unmodelled records a request the mock does not model and returns the error to answer it with.
func (s *Server) unmodelled(r *http.Request, what string) *graphError {
	gerr := errUnmodelled(r.Method, r.URL.Path)
	if what != "" {
		gerr = &graphError{HTTP: http.StatusBadRequest, Message: "(#131009) Parameter value is not valid", Type: "OAuthException",
			Code: CodeParameterInvalid, Details: "parley does not model " + what}
	}
	s.journal.Record(journal.SourceWhatsApp, journal.KindUnmodelled, "", journal.RequestData{
		Method: r.Method, Path: r.URL.Path, HTTP: gerr.HTTP, Code: gerr.Code, Error: gerr.Message, Detail: what,
	})
	s.log.Warn("unmodelled request", "method", r.Method, "path", r.URL.Path, "what", what)
	return gerr
}

// authorize checks the bearer token (Authorization header, or the access_token query parameter that
// Graph also accepts).
func (s *Server) authorize(r *http.Request) *graphError {
	var token string
	if r.URL.RawQuery != "" {
		token = r.URL.Query().Get("access_token")
	}
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, rest, ok := strings.Cut(h, " ")
		if !ok || (!strings.EqualFold(scheme, "Bearer") && !strings.EqualFold(scheme, "OAuth")) {
			return errToken()
		}
		token = strings.TrimSpace(rest)
	}
	if token == "" || token != s.cfg.accessToken {
		return errToken()
	}
	return nil
}

// readBody reads at most limit bytes of the body. A body announced or found larger is refused without
// being read whole.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, *graphError) {
	if r.ContentLength > limit {
		return nil, errBodyTooLarge(limit)
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	var b []byte
	var err error
	if n := r.ContentLength; n > 0 {
		// The usual case: the length is announced, so read it into one buffer and check nothing follows.
		b = make([]byte, n)
		if _, err = io.ReadFull(body, b); err == nil {
			var one [1]byte
			if extra, _ := body.Read(one[:]); extra > 0 {
				err = errors.New("body longer than its Content-Length")
			}
		}
	} else {
		b, err = io.ReadAll(body)
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errBodyTooLarge(limit)
		}
		return nil, errInvalid("The request body could not be read")
	}
	return b, nil
}

// decodeJSON decodes a JSON object into v, turning every failure into a Graph code-100 error that names
// the problem without Go's internals.
func decodeJSON(b []byte, v any) *graphError {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return errInvalid("The request body is empty; a JSON object is expected")
	}
	if trimmed[0] != '{' {
		return errInvalid("The request body must be a JSON object")
	}
	// JSON is UTF-8 (RFC 8259, section 8.1); encoding/json would quietly turn invalid bytes into U+FFFD
	// and deliver text the business never meant. Refused as the malformed body it is.
	if !utf8.Valid(trimmed) {
		return errInvalid("The request body is not valid UTF-8")
	}
	if err := json.Unmarshal(trimmed, v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return errInvalid("The request body is not valid JSON (syntax error at byte %d)", se.Offset)
		case errors.As(err, &te):
			field := te.Field
			if field == "" {
				field = "body"
			}
			return errInvalid("Param %s has the wrong type: got a JSON %s", field, te.Value)
		default:
			return errInvalid("The request body is not a valid JSON object")
		}
	}
	return nil
}
