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
	"time"

	"github.com/parley-dev/parley/journal"
)

// Request size limits. Meta does not publish a limit for JSON bodies; 1 MiB is far above any valid send
// (4096 characters of text, 1024 of caption). Media uploads are bounded by the largest media the mock
// accepts (real limits: 5 MB images, 16 MB audio and video, 100 MB documents; the mock stores uploads in
// memory, so it stops at 16 MiB).
const (
	MaxRequestBytes = 1 << 20
	MaxMediaBytes   = 16 << 20
)

var versionRE = regexp.MustCompile(`^v[0-9]{1,3}\.[0-9]{1,2}$`)

// routes is the whole HTTP surface of the mock, Graph API and control, in one place:
//
//	POST   /{version}/{phone-number-id}/messages         send, mark as read, typing indicator   (messages.go)
//	GET    /{version}/{phone-number-id}                  the business phone number              (messages.go)
//	POST   /{version}/{phone-number-id}/media            upload (multipart)                     (media.go)
//	GET    /{version}/{media-id}                         media URL and metadata                 (media.go)
//	DELETE /{version}/{media-id}                         delete media                           (media.go)
//	GET    /_media/{media-id}                            download (bearer token)                (media.go)
//	GET    /{version}/{waba-id}/message_templates        list templates                         (templates.go)
//	POST   /{version}/{waba-id}/message_templates        create a template (PENDING)            (templates.go)
//	DELETE /{version}/{waba-id}/message_templates        delete by name[/hsm_id]                (templates.go)
//	*      /_parley/…                                    control API, see docs/control-api.md   (control.go)
//
// {version} is any vNN.N and may be left out, as Graph allows. Anything else is answered with the Graph
// error envelope and recorded as unmodelled.
func (s *Server) routes() http.Handler {
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
		if r.URL.Path == "/_parley" || strings.HasPrefix(r.URL.Path, "/_parley/") {
			s.serveControl(w, r)
			return
		}
		if d := s.latency(); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		s.serveGraph(w, r)
	})
}

func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(segs) > 0 && versionRE.MatchString(segs[0]) {
		segs = segs[1:]
	}
	switch {
	case len(segs) == 2 && segs[1] == "messages" && r.Method == http.MethodPost:
		s.handleMessages(w, r, segs[0])
	case len(segs) == 2 && segs[1] == "media" && r.Method == http.MethodPost:
		s.graphRequest(w, r, func() (any, *graphError) { return s.uploadMedia(w, r, segs[0]) })
	case len(segs) == 2 && segs[0] == "_media" && r.Method == http.MethodGet:
		s.downloadMedia(w, r, segs[1])
	case len(segs) == 2 && segs[1] == "message_templates" && (r.Method == http.MethodGet || r.Method == http.MethodPost || r.Method == http.MethodDelete):
		s.graphRequest(w, r, func() (any, *graphError) { return s.templatesRoute(w, r, segs[0]) })
	case len(segs) == 1 && segs[0] != "" && (r.Method == http.MethodGet || r.Method == http.MethodDelete):
		s.graphRequest(w, r, func() (any, *graphError) { return s.objectRoute(r, segs[0]) })
	default:
		s.writeGraphError(w, s.unmodelled(r, ""))
	}
}

func (s *Server) templatesRoute(w http.ResponseWriter, r *http.Request, waba string) (any, *graphError) {
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
	if waba != s.cfg.wabaID {
		return nil, errUnknownObject(strings.ToLower(r.Method), waba)
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

// objectRoute serves GET/DELETE /{id}: a media object, or the business phone number.
func (s *Server) objectRoute(r *http.Request, id string) (any, *graphError) {
	if gerr := s.authorize(r); gerr != nil {
		return nil, gerr
	}
	if id == s.cfg.phoneNumberID && r.Method == http.MethodGet {
		return map[string]any{
			"verified_name": "Parley Demo", "display_phone_number": "+" + s.cfg.displayNumber, "id": s.cfg.phoneNumberID,
			"quality_rating": "GREEN", "code_verification_status": "VERIFIED", "platform_type": "CLOUD_API",
			"throughput": map[string]string{"level": "STANDARD"},
		}, nil
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
