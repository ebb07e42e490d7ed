package whatsapp

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/parley-dev/parley/mocks/control"
)

// ControlClient implements Control over the /_parley/ routes of a mock running elsewhere (a container,
// `parley serve`). Faults and the journal are the calls every mock answers alike (control.Endpoint).
type ControlClient struct {
	*control.Endpoint
}

// ControlOption configures a ControlClient: control.WithHTTPClient.
type ControlOption = control.ClientOption

// NewControlClient returns a client of the mock at baseURL (its URL(), e.g. http://127.0.0.1:4010).
func NewControlClient(baseURL string, opts ...ControlOption) *ControlClient {
	return &ControlClient{Endpoint: control.NewEndpoint("whatsapp", baseURL, opts...)}
}

// ControlError is an error answered by the control API.
type ControlError = control.Error

func customerPath(waID, rest string) string { return "/customers/" + url.PathEscape(waID) + "/" + rest }

// SendFromCustomer implements Control.
func (c *ControlClient) SendFromCustomer(ctx context.Context, waID string, m CustomerMessage) (SendResult, error) {
	var res SendResult
	err := c.Do(ctx, http.MethodPost, customerPath(waID, "messages"), m, &res)
	return res, err
}

// ForgeWebhook implements Control.
func (c *ControlClient) ForgeWebhook(ctx context.Context, waID string, m CustomerMessage, forgery Forgery) (SendResult, error) {
	in := struct {
		CustomerMessage
		Forgery Forgery `json:"forgery"`
	}{m, forgery}
	var res SendResult
	err := c.Do(ctx, http.MethodPost, customerPath(waID, "forged"), in, &res)
	return res, err
}

// ReadMessages implements Control.
func (c *ControlClient) ReadMessages(ctx context.Context, waID string) error {
	return c.Do(ctx, http.MethodPost, customerPath(waID, "read"), struct{}{}, nil)
}

// Inbox implements Control.
func (c *ControlClient) Inbox(ctx context.Context, waID string) ([]InboxMessage, error) {
	var res struct{ Messages []InboxMessage }
	err := c.Do(ctx, http.MethodGet, customerPath(waID, "inbox"), nil, &res)
	return res.Messages, err
}

// AwaitInbox implements Control: the server waits (long poll) until the customer has n messages.
func (c *ControlClient) AwaitInbox(ctx context.Context, waID string, n int) ([]InboxMessage, error) {
	var res struct{ Messages []InboxMessage }
	err := c.Do(ctx, http.MethodGet, customerPath(waID, "inbox")+"?min="+strconv.Itoa(n), nil, &res)
	return res.Messages, err
}

// AwaitIdle implements Control.
func (c *ControlClient) AwaitIdle(ctx context.Context) error {
	return c.Do(ctx, http.MethodGet, "/idle", nil, nil)
}

// AwaitIdleFor waits, as Server.AwaitIdleFor does, until no webhook concerning waIDs is pending.
func (c *ControlClient) AwaitIdleFor(ctx context.Context, waIDs ...string) error {
	if len(waIDs) == 0 {
		return nil
	}
	q := url.Values{"wa_id": waIDs}
	return c.Do(ctx, http.MethodGet, "/idle?"+q.Encode(), nil, nil)
}

// AdvanceClock implements Control.
func (c *ControlClient) AdvanceClock(ctx context.Context, d time.Duration) (time.Time, error) {
	var res clockReply
	err := c.Do(ctx, http.MethodPost, "/clock", map[string]string{"advance": d.String()}, &res)
	return res.Now, err
}

// SetClock implements Control.
func (c *ControlClient) SetClock(ctx context.Context, t time.Time) (time.Time, error) {
	var res clockReply
	err := c.Do(ctx, http.MethodPost, "/clock", map[string]string{"set": t.Format(time.RFC3339Nano)}, &res)
	return res.Now, err
}

// StopPromotions implements Control.
func (c *ControlClient) StopPromotions(ctx context.Context, waID string) error {
	return c.Do(ctx, http.MethodPost, customerPath(waID, "marketing"), map[string]string{"value": "stop"}, nil)
}

// ResumePromotions implements Control.
func (c *ControlClient) ResumePromotions(ctx context.Context, waID string) error {
	return c.Do(ctx, http.MethodPost, customerPath(waID, "marketing"), map[string]string{"value": "resume"}, nil)
}

// Block implements Control.
func (c *ControlClient) Block(ctx context.Context, waID string, blocked bool) error {
	return c.Do(ctx, http.MethodPost, customerPath(waID, "block"), map[string]bool{"blocked": blocked}, nil)
}

// SetTemplateStatus implements Control.
func (c *ControlClient) SetTemplateStatus(ctx context.Context, name, language, status string) error {
	return c.Do(ctx, http.MethodPost, "/templates/"+url.PathEscape(name)+"/"+url.PathEscape(language)+"/status", map[string]string{"status": status}, nil)
}

// SetStatusDelivery implements Control.
func (c *ControlClient) SetStatusDelivery(ctx context.Context, d StatusDelivery) error {
	return c.Do(ctx, http.MethodPost, "/status-delivery", d, nil)
}

// SetWebhook implements Control.
func (c *ControlClient) SetWebhook(ctx context.Context, rawURL string) error {
	return c.Do(ctx, http.MethodPost, "/webhook", map[string]string{"url": rawURL}, nil)
}

// VerifyWebhook implements Control.
func (c *ControlClient) VerifyWebhook(ctx context.Context) (VerifyResult, error) {
	var res VerifyResult
	err := c.Do(ctx, http.MethodPost, "/webhook/verify", struct{}{}, &res)
	return res, err
}

// Reset implements Control.
func (c *ControlClient) Reset(ctx context.Context) error {
	return c.Do(ctx, http.MethodPost, "/reset", struct{}{}, nil)
}
