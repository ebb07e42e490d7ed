package dialogflow

import (
	"context"
	"net/http"
	"net/url"

	"github.com/parley-dev/parley/mocks/control"
)

// ControlClient drives a mock Dialogflow over its /_parley/ routes (a container, another process); it
// implements Control like *Server does. Faults and the journal are the calls every mock answers alike
// (control.Endpoint).
type ControlClient struct {
	*control.Endpoint
}

// ControlOption configures a ControlClient: control.WithHTTPClient.
type ControlOption = control.ClientOption

// NewControlClient returns a client of the mock at baseURL (its URL(), e.g. http://127.0.0.1:4020).
func NewControlClient(baseURL string, opts ...ControlOption) *ControlClient {
	return &ControlClient{Endpoint: control.NewEndpoint("dialogflow", baseURL, opts...)}
}

// ControlError is an error answered by the control routes.
type ControlError = control.Error

func (c *ControlClient) get(ctx context.Context, path string, out any) error {
	if err := c.Do(ctx, http.MethodGet, path, nil, out); err != nil {
		return err
	}
	return nil
}

// ForceNext queues an override for the next detectIntent.
func (c *ControlClient) ForceNext(ctx context.Context, f Force) error {
	return c.Do(ctx, http.MethodPost, "/force", f, nil)
}

// Sessions lists the sessions seen.
func (c *ControlClient) Sessions(ctx context.Context) ([]SessionInfo, error) {
	var out []SessionInfo
	return out, c.get(ctx, "/sessions", &out)
}

// Contexts returns a session's live contexts.
func (c *ControlClient) Contexts(ctx context.Context, session string) ([]ContextInfo, error) {
	var out []ContextInfo
	return out, c.get(ctx, "/contexts?session="+url.QueryEscape(session), &out)
}

// Reset forgets sessions, overrides and faults.
func (c *ControlClient) Reset(ctx context.Context) error {
	return c.Do(ctx, http.MethodPost, "/reset", nil, nil)
}
