package reference

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"time"
	"unicode/utf8"
)

// WhatsApp error codes the assistant acts on (Meta's Cloud API error-codes page).
const (
	codeReengagement   = 131047 // the 24-hour window is closed: only templates
	codePerUserLimit   = 131049 // per-user marketing limit: wait 24 hours before resending
	codeMarketingOff   = 131050 // the customer stopped marketing from the business: never retry
	codeRateLimit      = 130429 // Cloud API throughput
	codePairRateLimit  = 131056 // too many messages to the same customer
	codeWABARateLimit  = 80007
	codeAppRateLimit   = 4
	codeUnknownError   = 131000
	codeMaintenance    = 131057
	maxTextBody        = 4096
	maxInteractiveBody = 1024
)

// graphError is a Graph API error envelope as the API returned it.
type graphError struct {
	HTTP    int
	Code    int
	Subcode int
	Message string
	Details string
}

func (e *graphError) Error() string {
	return fmt.Sprintf("graph API %d: code %d: %s (%s)", e.HTTP, e.Code, e.Message, e.Details)
}

func errorCode(err error) int {
	var ge *graphError
	if errors.As(err, &ge) {
		return ge.Code
	}
	return 0
}

// retryable says whether a failed send may be tried again: throttling and transient server errors only.
// 131047, 131049 and 131050 are never retried: retrying them is the "retry storm" Meta penalises.
func retryable(err error) bool {
	var ge *graphError
	if !errors.As(err, &ge) {
		return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
	}
	switch ge.Code {
	case codeRateLimit, codePairRateLimit, codeWABARateLimit, codeAppRateLimit, codeUnknownError, codeMaintenance:
		return true
	}
	return ge.HTTP >= 500
}

// waClient is the assistant's side of the Graph API, plain net/http as a vendor would write it.
type waClient struct {
	base, version, phoneID, token string
	hc                            *http.Client
	retryBase                     time.Duration
	attempts                      int
	pace                          *pacer
	log                           *slog.Logger
}

func (c *waClient) url(path string) string {
	return c.base + "/" + c.version + "/" + path
}

// sendResult is what a successful send returns.
type sendResult struct {
	WaID  string
	MsgID string
}

// messagesURL is the messages endpoint, built in one concatenation.
func (c *waClient) messagesURL() string {
	return c.base + "/" + c.version + "/" + c.phoneID + "/messages"
}

// post sends body to the messages endpoint with bounded retries: at most c.attempts tries, doubling the
// back-off, and only for retryable errors.
func (c *waClient) post(ctx context.Context, body any) (sendResult, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return sendResult{}, fmt.Errorf("encode message: %w", err)
	}
	wait := c.retryBase
	for attempt := 1; ; attempt++ {
		res, err := c.postOnce(ctx, raw)
		if err == nil || attempt >= c.attempts || !retryable(err) {
			return res, err
		}
		c.log.Warn("whatsapp send throttled or failed; backing off", "attempt", attempt, "code", errorCode(err), "wait", wait)
		select {
		case <-ctx.Done():
			return sendResult{}, ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

func (c *waClient) postOnce(ctx context.Context, raw []byte) (sendResult, error) {
	if err := c.pace.wait(ctx); err != nil {
		return sendResult{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.messagesURL(), bytes.NewReader(raw))
	if err != nil {
		return sendResult{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	return c.do(req)
}

func (c *waClient) do(req *http.Request) (sendResult, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		return sendResult{}, fmt.Errorf("graph API %s: %w", req.URL.Path, err)
	}
	defer resp.Body.Close()
	data, err := readAll(io.LimitReader(resp.Body, 1<<20), resp.ContentLength, 1<<20)
	if err != nil {
		return sendResult{}, fmt.Errorf("graph API %s: read: %w", req.URL.Path, err)
	}
	if resp.StatusCode/100 != 2 {
		var env struct {
			Error struct {
				Message   string `json:"message"`
				Code      int    `json:"code"`
				Subcode   int    `json:"error_subcode"`
				ErrorData struct {
					Details string `json:"details"`
				} `json:"error_data"`
			} `json:"error"`
		}
		_ = json.Unmarshal(data, &env)
		return sendResult{}, &graphError{HTTP: resp.StatusCode, Code: env.Error.Code, Subcode: env.Error.Subcode,
			Message: env.Error.Message, Details: env.Error.ErrorData.Details}
	}
	var ok struct {
		ID       string `json:"id"`
		Contacts []struct {
			WaID string `json:"wa_id"`
		} `json:"contacts"`
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(data, &ok); err != nil {
		return sendResult{}, fmt.Errorf("graph API %s: decode answer: %w", req.URL.Path, err)
	}
	var res sendResult
	if len(ok.Contacts) > 0 {
		res.WaID = ok.Contacts[0].WaID
	}
	if len(ok.Messages) > 0 {
		res.MsgID = ok.Messages[0].ID
	} else {
		res.MsgID = ok.ID // media upload answers {"id": …}
	}
	return res, nil
}

func envelope(to, typ string, payload any) map[string]any {
	return map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": typ, typ: payload}
}

func truncate(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n { // counts as []rune(s) does, without the copy
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// textMessage is envelope(to, "text", {"preview_url": false, "body": …}) as a struct: the fields in the
// order encoding/json writes a map's keys (sorted), so the bytes on the wire are the map's, without the
// two maps and their boxed values per reply (TestTextMessageBytes).
type textMessage struct {
	MessagingProduct string   `json:"messaging_product"`
	RecipientType    string   `json:"recipient_type"`
	Text             textBody `json:"text"`
	To               string   `json:"to"`
	Type             string   `json:"type"`
}

type textBody struct {
	Body       string `json:"body"`
	PreviewURL bool   `json:"preview_url"`
}

func newTextMessage(to, body string) *textMessage {
	return &textMessage{MessagingProduct: "whatsapp", RecipientType: "individual", To: to, Type: "text",
		Text: textBody{Body: truncate(body, maxTextBody)}}
}

func (c *waClient) sendText(ctx context.Context, to, body string) (sendResult, error) {
	return c.post(ctx, newTextMessage(to, body))
}

type button struct{ ID, Title string }

func (c *waClient) sendButtons(ctx context.Context, to, body string, buttons []button) (sendResult, error) {
	var bs []any
	for _, b := range buttons {
		bs = append(bs, map[string]any{"type": "reply", "reply": map[string]any{"id": b.ID, "title": truncate(b.Title, 20)}})
	}
	return c.post(ctx, envelope(to, "interactive", map[string]any{
		"type":   "button",
		"body":   map[string]any{"text": truncate(body, maxInteractiveBody)},
		"action": map[string]any{"buttons": bs},
	}))
}

// templateButton fills one button of a template: a quick reply's payload or a URL button's suffix.
type templateButton struct {
	SubType string // quick_reply or url
	Value   string
}

// sendTemplate sends an approved template; params fill the body's variables in order, buttons the
// buttons' parameters by index.
func (c *waClient) sendTemplate(ctx context.Context, to, name, lang string, params []string, buttons []templateButton) (sendResult, error) {
	var comps []any
	if len(params) > 0 {
		var ps []any
		for _, p := range params {
			ps = append(ps, map[string]any{"type": "text", "text": p})
		}
		comps = append(comps, map[string]any{"type": "body", "parameters": ps})
	}
	for i, b := range buttons {
		param := map[string]any{"type": "payload", "payload": b.Value}
		if b.SubType == "url" {
			param = map[string]any{"type": "text", "text": b.Value}
		}
		comps = append(comps, map[string]any{"type": "button", "sub_type": b.SubType, "index": fmt.Sprint(i),
			"parameters": []any{param}})
	}
	tpl := map[string]any{"name": name, "language": map[string]any{"code": lang}}
	if len(comps) > 0 {
		tpl["components"] = comps
	}
	return c.post(ctx, envelope(to, "template", tpl))
}

// uploadMedia stores a document with POST /{phone-number-id}/media (multipart) and returns its media id.
func (c *waClient) uploadMedia(ctx context.Context, filename, mimeType string, data []byte) (string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("messaging_product", "whatsapp")
	_ = w.WriteField("type", mimeType)
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filename))
	h.Set("Content-Type", mimeType)
	part, err := w.CreatePart(h)
	if err != nil {
		return "", err
	}
	if _, err := part.Write(data); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	var res sendResult
	wait := c.retryBase
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url(c.phoneID+"/media"), bytes.NewReader(buf.Bytes()))
		if err != nil {
			return "", err
		}
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+c.token)
		res, err = c.do(req)
		if err == nil {
			return res.MsgID, nil
		}
		if attempt >= c.attempts || !retryable(err) {
			return "", fmt.Errorf("upload %s: %w", filename, err)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

func (c *waClient) sendDocument(ctx context.Context, to, mediaID, filename, caption string) (sendResult, error) {
	return c.post(ctx, envelope(to, "document", map[string]any{
		"id": mediaID, "filename": filename, "caption": truncate(caption, 1024),
	}))
}
