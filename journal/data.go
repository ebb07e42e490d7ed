package journal

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// The payloads of the event kinds the auditor reads. Mocks fill them; the auditor decodes them with
// Event.Decode. Fields are omitted when empty so the JSON Lines export stays small.

// InboundData is a message the customer sent to the business.
type InboundData struct {
	ID       string          `json:"id"`                // the wamid given to the message
	Type     string          `json:"type"`              // text, button, interactive, image, location, …
	Text     string          `json:"text,omitempty"`    // the text, or the title of the tapped button or row
	Payload  string          `json:"payload,omitempty"` // button payload or reply id
	Message  json.RawMessage `json:"message,omitempty"` // the message object exactly as put in the webhook
	Status   int             `json:"webhook_status"`    // HTTP status of the last attempt, 0 if none answered
	Attempts int             `json:"attempts"`          // how many POSTs it took
	Error    string          `json:"error,omitempty"`   // why delivery failed, for inbound.failed
}

// OutboundData is one call of the assistant to the messages endpoint.
type OutboundData struct {
	ID       string          `json:"id,omitempty"`       // wamid, when accepted
	To       string          `json:"to"`                 // the recipient as the assistant wrote it
	WaID     string          `json:"wa_id,omitempty"`    // the recipient normalised
	Type     string          `json:"type"`               // text, template, interactive, image, document, …
	Text     string          `json:"text,omitempty"`     // text body, caption, or the interactive body text
	Header   string          `json:"header,omitempty"`   // text header of a template (hydrated) or interactive message
	Footer   string          `json:"footer,omitempty"`   // footer of a template or interactive message
	Template string          `json:"template,omitempty"` // template name
	Language string          `json:"language,omitempty"` // template language code
	Category string          `json:"category,omitempty"` // template category: MARKETING, UTILITY, AUTHENTICATION
	Buttons  []string        `json:"buttons,omitempty"`  // titles of reply buttons or list rows offered
	MediaID  string          `json:"media_id,omitempty"` // media sent by id
	Link     string          `json:"link,omitempty"`     // media sent by link
	Filename string          `json:"filename,omitempty"` // document filename
	Context  string          `json:"context,omitempty"`  // the wamid replied to, if any
	InWindow bool            `json:"in_window"`          // whether the customer-service window was open
	Body     json.RawMessage `json:"body,omitempty"`     // the request body as received (when it was JSON)
	HTTP     int             `json:"http_status"`        // the status answered
	Code     int             `json:"code,omitempty"`     // Graph error code, when refused
	Subcode  int             `json:"subcode,omitempty"`  // Graph error subcode, when refused
	Error    string          `json:"error,omitempty"`    // Graph error message, when refused
}

// StatusData is a status change of an outbound message, as sent to the webhook.
type StatusData struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	Recipient string `json:"recipient_id"`
	Code      int    `json:"code,omitempty"`
	Error     string `json:"error,omitempty"`
}

// WebhookAttemptData is one POST of a webhook to the assistant.
type WebhookAttemptData struct {
	URL       string `json:"url"`
	Field     string `json:"field"`               // messages, statuses, user_preferences
	RefID     string `json:"ref_id,omitempty"`    // the wamid the webhook is about
	Attempt   int    `json:"attempt"`             // 1 for the first try
	Status    int    `json:"status"`              // HTTP status answered; 0 when none
	Error     string `json:"error,omitempty"`     // transport error
	Signed    bool   `json:"signed"`              // carried a valid X-Hub-Signature-256
	Duplicate bool   `json:"duplicate,omitempty"` // sent again on purpose (fault)
}

// RequestData is a Graph API request other than a message send.
type RequestData struct {
	// Host is the host the request was sent to, when the assistant reached parley by a production
	// name (graph.facebook.com, dialogflow.googleapis.com, …).
	Host    string `json:"host,omitempty"`
	Method  string `json:"method"`
	Path    string `json:"path"`
	HTTP    int    `json:"http_status"`
	Code    int    `json:"code,omitempty"`
	Subcode int    `json:"subcode,omitempty"`
	Error   string `json:"error,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

// MaxRequestField bounds each text field of a RequestData as Record stores it. A refused or unmodelled
// request is journalled whatever it carries, so a flood of requests with huge paths would otherwise grow
// the journal by everything they send; a real path or error message is far shorter.
const MaxRequestField = 1 << 10

// capped returns d with every text field cut to MaxRequestField bytes, at a character boundary, with
// how long it was.
func (d RequestData) capped() RequestData {
	for _, f := range []*string{&d.Host, &d.Method, &d.Path, &d.Error, &d.Detail} {
		*f = capText(*f, MaxRequestField)
	}
	return d
}

// capText cuts s to at most max bytes (and the note saying so) at a UTF-8 boundary.
func capText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "… (" + strconv.Itoa(len(s)) + " bytes)"
}

// DetectIntentData is one query to Dialogflow.
type DetectIntentData struct {
	API        string         `json:"api"`        // es, cx
	Transport  string         `json:"transport"`  // rest, grpc
	Session    string         `json:"session"`    // full session path
	SessionID  string         `json:"session_id"` // last segment of the session path
	Project    string         `json:"project"`
	Language   string         `json:"language,omitempty"`
	Text       string         `json:"text,omitempty"`
	Event      string         `json:"event,omitempty"`
	Parameters map[string]any `json:"parameters,omitempty"` // parameters extracted
	Intent     string         `json:"intent,omitempty"`     // display name of the intent matched
	Confidence float64        `json:"confidence"`
	Fallback   bool           `json:"fallback,omitempty"`
	Reply      string         `json:"reply,omitempty"`
	Code       string         `json:"code,omitempty"` // gRPC code name, when refused
	Error      string         `json:"error,omitempty"`
}

// FulfillmentData is one fulfillment webhook call of Dialogflow, or one it did not make and why.
type FulfillmentData struct {
	API       string `json:"api"` // es or cx
	Session   string `json:"session"`
	SessionID string `json:"session_id"`
	Webhook   string `json:"webhook,omitempty"` // the export's webhook (display name), never called itself
	Tag       string `json:"tag,omitempty"`
	Intent    string `json:"intent,omitempty"` // ES: the matched intent whose webhookUsed asked for the call
	URL       string `json:"url,omitempty"`    // where the request went; empty when no call was made
	Called    bool   `json:"called"`
	HTTP      int    `json:"http,omitempty"` // the webhook's HTTP status
	LatencyMS int64  `json:"latency_ms,omitempty"`
	Error     string `json:"error,omitempty"` // the failure (webhook status message), or why no call was made
}

// ContextsData is a call on a session's contexts.
type ContextsData struct {
	Session   string   `json:"session"`
	SessionID string   `json:"session_id"`
	Contexts  []string `json:"contexts,omitempty"` // names affected
	All       bool     `json:"all,omitempty"`      // the whole session's contexts (DeleteAllContexts)
}

// DLPData is one call to Cloud DLP.
type DLPData struct {
	Transport string   `json:"transport"`
	Text      string   `json:"text,omitempty"`   // the text received
	Result    string   `json:"result,omitempty"` // the text returned (deidentify)
	InfoTypes []string `json:"info_types,omitempty"`
	Findings  int      `json:"findings"`
	Found     []string `json:"found,omitempty"`  // distinct info types found, in order of first finding
	Parent    string   `json:"parent,omitempty"` // projects/*[/locations/*] as called
	Code      string   `json:"code,omitempty"`
	Error     string   `json:"error,omitempty"`
}

// ConsentData is an opt-in or its withdrawal, as the customer gave it.
type ConsentData struct {
	Purpose string `json:"purpose"`           // marketing, notifications, …
	Channel string `json:"channel"`           // whatsapp, web, sms, app, atm
	Wording string `json:"wording,omitempty"` // the wording shown to the customer
}

// OptoutData is an opt-out the customer made.
type OptoutData struct {
	Via    string `json:"via"`              // chat, button, whatsapp_stop (WhatsApp's own "stop promotions")
	Phrase string `json:"phrase,omitempty"` // what the customer wrote or tapped
}

// DataRequestData is a data-protection request the customer made.
type DataRequestData struct {
	Right   string `json:"right"`             // access, portability, rectification, erasure, restriction, objection
	Wording string `json:"wording,omitempty"` // what the customer wrote
	Old     string `json:"old,omitempty"`     // rectification: the value to replace
	New     string `json:"new,omitempty"`     // rectification: its replacement
}

// HandoffData is a customer's request for a person.
type HandoffData struct {
	Phrase string `json:"phrase,omitempty"` // what the customer wrote
}

// MediaData is a media file the assistant uploaded. Content holds the bytes (base64 in JSON) up to the
// mock's size limit; Truncated says when they were cut.
type MediaData struct {
	ID        string `json:"id"`
	MimeType  string `json:"mime_type"`
	Filename  string `json:"filename,omitempty"`
	Size      int    `json:"size"`
	Content   []byte `json:"content,omitempty"`
	Truncated bool   `json:"truncated,omitempty"`
}

// TLSProbeData is one TLS handshake attempted against the assistant's webhook endpoint at a given maximum
// protocol version (e.g. "1.0", "1.1"): Accepted says whether the handshake succeeded.
type TLSProbeData struct {
	URL      string `json:"url"`
	Version  string `json:"version"`
	Accepted bool   `json:"accepted"`
	Error    string `json:"error,omitempty"`
}

// CanaryData is a unique value the customer shared, to be traced through the run.
type CanaryData struct {
	Type  string `json:"type"` // name, email, dni, order, card, iban, phone
	Value string `json:"value"`
}

// ClockData is a move of the simulated clock.
type ClockData struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// HookData is a call of one of the assistant's certification hooks.
type HookData struct {
	Hook string `json:"hook"` // consent, notify, campaign
	// Order is the order a notify hook told the assistant about: the business's own data for that
	// customer, which the assistant may then write to them.
	Order  string `json:"order,omitempty"`
	Status int    `json:"status"`
	Error  string `json:"error,omitempty"`
}
