package harbour

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"time"
)

// graph is Harbour Books' client of the WhatsApp Cloud API: text, templates and documents.
type graph struct {
	base, version, phoneID, token string
	http                          *http.Client
	backoff                       time.Duration // the first wait before trying a throttled send again
}

// GraphError is a refusal from the Graph API, with Meta's error code.
type GraphError struct {
	Status  int
	Code    int
	Message string
}

func (e *GraphError) Error() string {
	return fmt.Sprintf("whatsapp: HTTP %d, code %d: %s", e.Status, e.Code, e.Message)
}

// codeOf is the Graph API error code of err, or 0.
func codeOf(err error) int {
	var ge *GraphError
	if errors.As(err, &ge) {
		return ge.Code
	}
	return 0
}

// Meta's codes the assistant acts on.
const (
	codeWindowClosed = 131047
	codeUserLimit    = 131049
	codeStopped      = 131050
)

func (g *graph) text(ctx context.Context, to, body string) (string, error) {
	return g.send(ctx, map[string]any{"messaging_product": "whatsapp", "to": to, "type": "text",
		"text": map[string]any{"body": body, "preview_url": false}})
}

// template sends an approved template with body parameters and, for a quick-reply or URL button at
// index 0, its parameter.
func (g *graph) template(ctx context.Context, to, name, lang string, params []string, button, buttonValue string) (string, error) {
	var body []map[string]string
	for _, p := range params {
		body = append(body, map[string]string{"type": "text", "text": p})
	}
	components := []any{map[string]any{"type": "body", "parameters": body}}
	switch button {
	case "quick_reply":
		components = append(components, map[string]any{"type": "button", "sub_type": "quick_reply", "index": "0",
			"parameters": []any{map[string]string{"type": "payload", "payload": buttonValue}}})
	case "url":
		components = append(components, map[string]any{"type": "button", "sub_type": "url", "index": "0",
			"parameters": []any{map[string]string{"type": "text", "text": buttonValue}}})
	}
	return g.send(ctx, map[string]any{"messaging_product": "whatsapp", "to": to, "type": "template",
		"template": map[string]any{"name": name, "language": map[string]string{"code": lang}, "components": components}})
}

// document uploads data as a text/plain file and sends it: WhatsApp accepts no application/json media,
// so a JSON export travels as text under a .json name.
func (g *graph) document(ctx context.Context, to, filename, caption string, data []byte) (string, error) {
	id, err := g.upload(ctx, filename, data)
	if err != nil {
		return "", err
	}
	return g.send(ctx, map[string]any{"messaging_product": "whatsapp", "to": to, "type": "document",
		"document": map[string]string{"id": id, "filename": filename, "caption": caption}})
}

func (g *graph) upload(ctx context.Context, filename string, data []byte) (string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("messaging_product", "whatsapp")
	_ = w.WriteField("type", "text/plain")
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filename))
	h.Set("Content-Type", "text/plain")
	part, err := w.CreatePart(h)
	if err != nil {
		return "", fmt.Errorf("whatsapp: media form: %w", err)
	}
	if _, err := part.Write(data); err != nil {
		return "", fmt.Errorf("whatsapp: media form: %w", err)
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("whatsapp: media form: %w", err)
	}
	var answer struct {
		ID string `json:"id"`
	}
	if err := g.call(ctx, "media", w.FormDataContentType(), buf.Bytes(), &answer); err != nil {
		return "", fmt.Errorf("whatsapp: upload %s: %w", filename, err)
	}
	return answer.ID, nil
}

// send posts a message and returns its wamid. A throttled or transiently failed send is tried again,
// four tries at most, waiting longer each time; any other refusal is final (retrying 131047, 131049 or
// 131050 is the retry storm Meta penalises).
func (g *graph) send(ctx context.Context, msg map[string]any) (string, error) {
	raw, err := json.Marshal(msg)
	if err != nil {
		return "", fmt.Errorf("whatsapp: encode message: %w", err)
	}
	var answer struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	wait := g.backoff
	for try := 1; ; try++ {
		err = g.call(ctx, "messages", "application/json", raw, &answer)
		if err == nil || try == 4 || !transient(err) {
			break
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
	if err != nil {
		return "", err
	}
	if len(answer.Messages) == 0 {
		return "", errors.New("whatsapp: the send was accepted without a message id")
	}
	return answer.Messages[0].ID, nil
}

// transient says whether a failed send may succeed if tried again: throttling and server errors.
func transient(err error) bool {
	var ge *GraphError
	if !errors.As(err, &ge) {
		return false
	}
	switch ge.Code {
	case 4, 80007, 130429, 131056, 131000, 131057:
		return true
	}
	return ge.Status >= 500
}

func (g *graph) call(ctx context.Context, edge, contentType string, body []byte, into any) error {
	url := g.base + "/" + g.version + "/" + g.phoneID + "/" + edge
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("whatsapp: %w", err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+g.token)
	resp, err := g.http.Do(req)
	if err != nil {
		return fmt.Errorf("whatsapp: POST /%s: %w", edge, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("whatsapp: POST /%s: %w", edge, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error struct {
				Message string `json:"message"`
				Code    int    `json:"code"`
			} `json:"error"`
		}
		_ = json.Unmarshal(data, &e)
		return &GraphError{Status: resp.StatusCode, Code: e.Error.Code, Message: e.Error.Message}
	}
	if err := json.Unmarshal(data, into); err != nil {
		return fmt.Errorf("whatsapp: POST /%s: decode answer: %w", edge, err)
	}
	return nil
}
