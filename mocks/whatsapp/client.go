package whatsapp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
)

// ControlClient implements Control over the /_parley/ routes of a mock running elsewhere (a container,
// `parley serve`).
type ControlClient struct {
	base string
	hc   *http.Client
}

// ControlOption configures a ControlClient.
type ControlOption func(*ControlClient)

// WithControlHTTPClient sets the HTTP client (default: http.DefaultClient; deadlines come from the
// contexts of the calls).
func WithControlHTTPClient(hc *http.Client) ControlOption {
	return func(c *ControlClient) {
		if hc != nil {
			c.hc = hc
		}
	}
}

// NewControlClient returns a client of the mock at baseURL (its URL(), e.g. http://127.0.0.1:4010).
func NewControlClient(baseURL string, opts ...ControlOption) *ControlClient {
	c := &ControlClient{base: strings.TrimRight(baseURL, "/"), hc: http.DefaultClient}
	for _, o := range opts {
		o(c)
	}
	return c
}

// ControlError is an error answered by the control API.
type ControlError struct {
	HTTP    int
	Message string
}

func (e *ControlError) Error() string {
	return fmt.Sprintf("whatsapp control: HTTP %d: %s", e.HTTP, e.Message)
}

func (c *ControlClient) do(ctx context.Context, method, path string, in, out any) error {
	status, b, err := control.Call(ctx, c.hc, "whatsapp", c.base, method, path, in)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		msg := control.ErrorMessage(b)
		if msg == "" {
			msg = truncate(string(b), 200)
		}
		return &ControlError{HTTP: status, Message: msg}
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("whatsapp control %s %s: decoding answer: %w", method, path, err)
		}
	}
	return nil
}

func customerPath(waID, rest string) string { return "/customers/" + url.PathEscape(waID) + "/" + rest }

// Healthz checks that the mock answers.
func (c *ControlClient) Healthz(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/healthz", nil, nil)
}

// SendFromCustomer implements Control.
func (c *ControlClient) SendFromCustomer(ctx context.Context, waID string, m CustomerMessage) (SendResult, error) {
	var res SendResult
	err := c.do(ctx, http.MethodPost, customerPath(waID, "messages"), m, &res)
	return res, err
}

// ForgeWebhook implements Control.
func (c *ControlClient) ForgeWebhook(ctx context.Context, waID string, m CustomerMessage, forgery Forgery) (SendResult, error) {
	in := struct {
		CustomerMessage
		Forgery Forgery `json:"forgery"`
	}{m, forgery}
	var res SendResult
	err := c.do(ctx, http.MethodPost, customerPath(waID, "forged"), in, &res)
	return res, err
}

// ReadMessages implements Control.
func (c *ControlClient) ReadMessages(ctx context.Context, waID string) error {
	return c.do(ctx, http.MethodPost, customerPath(waID, "read"), struct{}{}, nil)
}

// Inbox implements Control.
func (c *ControlClient) Inbox(ctx context.Context, waID string) ([]InboxMessage, error) {
	var res struct{ Messages []InboxMessage }
	err := c.do(ctx, http.MethodGet, customerPath(waID, "inbox"), nil, &res)
	return res.Messages, err
}

// AwaitInbox implements Control: the server waits (long poll) until the customer has n messages.
func (c *ControlClient) AwaitInbox(ctx context.Context, waID string, n int) ([]InboxMessage, error) {
	var res struct{ Messages []InboxMessage }
	err := c.do(ctx, http.MethodGet, customerPath(waID, "inbox")+"?min="+strconv.Itoa(n), nil, &res)
	return res.Messages, err
}

// AwaitIdle implements Control.
func (c *ControlClient) AwaitIdle(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/idle", nil, nil)
}

// JournalAfter implements Control.
func (c *ControlClient) JournalAfter(ctx context.Context, after uint64) ([]journal.Event, uint64, error) {
	var res journalPage
	err := c.do(ctx, http.MethodGet, "/journal?after="+strconv.FormatUint(after, 10), nil, &res)
	return res.Events, res.Last, err
}

// AdvanceClock implements Control.
func (c *ControlClient) AdvanceClock(ctx context.Context, d time.Duration) (time.Time, error) {
	var res clockReply
	err := c.do(ctx, http.MethodPost, "/clock", map[string]string{"advance": d.String()}, &res)
	return res.Now, err
}

// SetClock implements Control.
func (c *ControlClient) SetClock(ctx context.Context, t time.Time) (time.Time, error) {
	var res clockReply
	err := c.do(ctx, http.MethodPost, "/clock", map[string]string{"set": t.Format(time.RFC3339Nano)}, &res)
	return res.Now, err
}

// StopPromotions implements Control.
func (c *ControlClient) StopPromotions(ctx context.Context, waID string) error {
	return c.do(ctx, http.MethodPost, customerPath(waID, "marketing"), map[string]string{"value": "stop"}, nil)
}

// ResumePromotions implements Control.
func (c *ControlClient) ResumePromotions(ctx context.Context, waID string) error {
	return c.do(ctx, http.MethodPost, customerPath(waID, "marketing"), map[string]string{"value": "resume"}, nil)
}

// Block implements Control.
func (c *ControlClient) Block(ctx context.Context, waID string, blocked bool) error {
	return c.do(ctx, http.MethodPost, customerPath(waID, "block"), map[string]bool{"blocked": blocked}, nil)
}

// SetTemplateStatus implements Control.
func (c *ControlClient) SetTemplateStatus(ctx context.Context, name, language, status string) error {
	return c.do(ctx, http.MethodPost, "/templates/"+url.PathEscape(name)+"/"+url.PathEscape(language)+"/status", map[string]string{"status": status}, nil)
}

// SetFaults implements Control.
func (c *ControlClient) SetFaults(ctx context.Context, f Faults) error {
	return c.do(ctx, http.MethodPost, "/faults", f, nil)
}

// SetWebhook implements Control.
func (c *ControlClient) SetWebhook(ctx context.Context, rawURL string) error {
	return c.do(ctx, http.MethodPost, "/webhook", map[string]string{"url": rawURL}, nil)
}

// VerifyWebhook implements Control.
func (c *ControlClient) VerifyWebhook(ctx context.Context) (VerifyResult, error) {
	var res VerifyResult
	err := c.do(ctx, http.MethodPost, "/webhook/verify", struct{}{}, &res)
	return res, err
}

// Reset implements Control.
func (c *ControlClient) Reset(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/reset", struct{}{}, nil)
}
