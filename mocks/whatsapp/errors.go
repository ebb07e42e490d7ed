package whatsapp

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
)

// Graph API error codes the mock answers with. Titles and HTTP statuses follow Meta's error-code table
// (developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes), using the newer
// table's HTTP statuses where the two public transcriptions differ (throttling codes are 429).
const (
	CodeInvalidParameter   = 100
	CodeAccessToken        = 190
	CodeRateLimit          = 130429
	CodeGenericUser        = 131000
	CodeMissingParameter   = 131008
	CodeParameterInvalid   = 131009
	CodeRecipientIsSender  = 131021
	CodeUndeliverable      = 131026
	CodeReengagement       = 131047
	CodeMarketingLimit     = 131049
	CodeMarketingStopped   = 131050
	CodeUnsupportedType    = 131051
	CodeMediaUpload        = 131053
	CodePairRateLimit      = 131056
	CodeParamCountMismatch = 132000
	CodeTemplateNotFound   = 132001
	CodeHydratedTooLong    = 132005
	CodeFormatCharPolicy   = 132007
	CodeParamFormat        = 132012
	CodeTemplatePaused     = 132015
	CodeTemplateDisabled   = 132016
)

// codeInfo is what the mock knows of a code: its title, HTTP status, and whether the real platform
// reports it synchronously (HTTP error) or as a failed status webhook after accepting the send.
type codeInfo struct {
	title string
	http  int
	async bool
}

var codes = map[int]codeInfo{
	CodeInvalidParameter:   {"Invalid parameter", http.StatusBadRequest, false},
	CodeAccessToken:        {"Invalid OAuth access token - Cannot parse access token", http.StatusUnauthorized, false},
	CodeRateLimit:          {"Rate limit hit", http.StatusTooManyRequests, false},
	CodeGenericUser:        {"Something went wrong", http.StatusInternalServerError, false},
	CodeMissingParameter:   {"Required parameter is missing", http.StatusBadRequest, false},
	CodeParameterInvalid:   {"Parameter value is not valid", http.StatusBadRequest, false},
	CodeRecipientIsSender:  {"Recipient cannot be sender", http.StatusBadRequest, false},
	CodeUndeliverable:      {"Message Undeliverable", http.StatusBadRequest, true},
	CodeReengagement:       {"Re-engagement message", http.StatusBadRequest, true},
	CodeMarketingLimit:     {"This message was not delivered to maintain healthy ecosystem engagement.", http.StatusTooManyRequests, true},
	CodeMarketingStopped:   {"Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business", http.StatusBadRequest, true},
	CodeUnsupportedType:    {"Unsupported message type", http.StatusBadRequest, false},
	CodeMediaUpload:        {"Media upload error", http.StatusBadRequest, false},
	CodePairRateLimit:      {"(Business Account, Consumer Account) pair rate limit hit", http.StatusTooManyRequests, false},
	CodeParamCountMismatch: {"Number of parameters does not match the expected number of params", http.StatusBadRequest, false},
	CodeTemplateNotFound:   {"Template name does not exist in the translation", http.StatusBadRequest, false},
	CodeHydratedTooLong:    {"Template Hydrated Text Too Long", http.StatusBadRequest, false},
	CodeFormatCharPolicy:   {"Template Format Character Policy Violated", http.StatusBadRequest, false},
	CodeParamFormat:        {"Template Parameter Format Mismatch", http.StatusBadRequest, false},
	CodeTemplatePaused:     {"Template is Paused", http.StatusBadRequest, false},
	CodeTemplateDisabled:   {"Template is Disabled", http.StatusBadRequest, false},
}

// KnownCode reports whether the mock can inject code as a fault.
func KnownCode(code int) bool { _, ok := codes[code]; return ok }

// graphError is an error the Graph API answers with. It is built in one place (here) and written by one
// adapter (writeGraphError), so every refusal has the real envelope.
type graphError struct {
	HTTP    int
	Message string
	Type    string
	Code    int
	Subcode int
	Details string // error_data.details; empty means no error_data (auth errors have none)
}

func (e *graphError) Error() string { return fmt.Sprintf("graph error %d: %s", e.Code, e.Message) }

// newError builds a WhatsApp error with the "(#code) title" message and error_data.details.
func newError(code int, details string) *graphError {
	info, ok := codes[code]
	if !ok {
		info = codeInfo{title: "Unknown error", http: http.StatusBadRequest}
	}
	return &graphError{
		HTTP:    info.http,
		Message: fmt.Sprintf("(#%d) %s", code, info.title),
		Type:    "OAuthException",
		Code:    code,
		Details: details,
	}
}

// errInvalid is code 100 with a message naming the parameter, as Graph words it.
func errInvalid(format string, args ...any) *graphError {
	msg := fmt.Sprintf(format, args...)
	return &graphError{HTTP: http.StatusBadRequest, Message: "(#100) " + msg, Type: "OAuthException", Code: CodeInvalidParameter, Details: msg}
}

func errRequired(param string) *graphError {
	return errInvalid("The parameter %s is required.", param)
}

// errUnknownObject is Graph's answer for an object id that does not exist (code 100, subcode 33).
func errUnknownObject(method, id string) *graphError {
	return &graphError{
		HTTP: http.StatusBadRequest,
		Message: fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, "+
			"or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api", method, id),
		Type: "GraphMethodException", Code: CodeInvalidParameter, Subcode: 33,
	}
}

func errToken() *graphError {
	return &graphError{HTTP: http.StatusUnauthorized, Message: codes[CodeAccessToken].title, Type: "OAuthException", Code: CodeAccessToken}
}

func errBodyTooLarge(limit int64) *graphError {
	e := errInvalid("The request body is larger than %d bytes.", limit)
	e.HTTP = http.StatusRequestEntityTooLarge
	return e
}

// HeadersTooLarge is the answer to a request whose headers are over the server's limit, in Graph's error
// envelope with code 100 and HTTP 431 (headerlimit.Listener puts it in place of net/http's plain text).
// Graph's own wording for this case is not documented; the status is the one HTTP defines for it.
func (s *Server) HeadersTooLarge(w http.ResponseWriter) {
	e := errInvalid("The request headers are larger than %d bytes.", maxHeaderBytes)
	e.HTTP = http.StatusRequestHeaderFieldsTooLarge
	s.writeGraphError(w, e)
}

// errUnmodelled answers a route the mock does not model, in the shape Graph uses for unknown paths.
func errUnmodelled(method, path string) *graphError {
	return &graphError{
		HTTP:    http.StatusBadRequest,
		Message: fmt.Sprintf("Unknown path components: %s (parley does not model %s %s)", path, method, path),
		Type:    "OAuthException", Code: 2500,
	}
}

type errorEnvelope struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Message   string     `json:"message"`
	Type      string     `json:"type"`
	Code      int        `json:"code"`
	Subcode   int        `json:"error_subcode,omitempty"`
	ErrorData *errorData `json:"error_data,omitempty"`
	FBTraceID string     `json:"fbtrace_id"`
}

type errorData struct {
	MessagingProduct string `json:"messaging_product"`
	Details          string `json:"details"`
}

// traceID returns a deterministic fbtrace_id: the same seed and request order give the same ids.
func (s *Server) traceID() string {
	n := s.traceSeq.Add(1)
	h := fnv.New64a()
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(s.cfg.seed))
	binary.BigEndian.PutUint64(b[8:], n)
	h.Write(b[:])
	sum := h.Sum(nil)
	return "A" + base64.RawURLEncoding.EncodeToString(append(sum, byte(n), byte(n>>8)))
}

func (s *Server) writeGraphError(w http.ResponseWriter, e *graphError) {
	body := errorEnvelope{Error: errorBody{Message: e.Message, Type: e.Type, Code: e.Code, Subcode: e.Subcode, FBTraceID: s.traceID()}}
	if e.Details != "" {
		body.Error.ErrorData = &errorData{MessagingProduct: "whatsapp", Details: e.Details}
	}
	b, _ := json.Marshal(body)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=UTF-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	if e.Code == CodeAccessToken {
		h.Set("WWW-Authenticate", `OAuth "Facebook Platform" "invalid_token" "`+e.Message+`"`)
	}
	w.WriteHeader(e.HTTP)
	_, _ = w.Write(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"message":"(#131000) Something went wrong","type":"OAuthException","code":131000}}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=UTF-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
