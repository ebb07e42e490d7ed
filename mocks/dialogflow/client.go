package dialogflow

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

// ControlClient drives a mock Dialogflow over its /_parley/ routes (a container, another process); it
// implements Control like *Server does.
type ControlClient struct {
	base string
	hc   *http.Client
}

// NewControlClient returns a client of the mock at baseURL (its URL(), e.g. http://127.0.0.1:4020). A nil
// hc means http.DefaultClient; deadlines come from the contexts of the calls.
func NewControlClient(baseURL string, hc *http.Client) *ControlClient {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &ControlClient{base: strings.TrimRight(baseURL, "/"), hc: hc}
}

// ControlError is an error answered by the control routes.
type ControlError struct {
	HTTP    int
	Message string
}

func (e *ControlError) Error() string {
	return fmt.Sprintf("dialogflow control: HTTP %d: %s", e.HTTP, e.Message)
}

func (c *ControlClient) do(ctx context.Context, method, path string, in any) ([]byte, error) {
	status, b, err := control.Call(ctx, c.hc, "dialogflow", c.base, method, path, in)
	if err != nil {
		return nil, err
	}
	if status/100 != 2 {
		msg := control.ErrorMessage(b)
		if msg == "" {
			msg = string(b)
		}
		return nil, &ControlError{HTTP: status, Message: msg}
	}
	return b, nil
}

func (c *ControlClient) get(ctx context.Context, path string, out any) error {
	b, err := c.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("dialogflow control GET %s: decoding answer: %w", path, err)
	}
	return nil
}

// Healthz checks that the mock answers.
func (c *ControlClient) Healthz(ctx context.Context) error {
	_, err := c.do(ctx, http.MethodGet, "/healthz", nil)
	return err
}

// ForceNext queues an override for the next detectIntent.
func (c *ControlClient) ForceNext(ctx context.Context, f Force) error {
	_, err := c.do(ctx, http.MethodPost, "/force", f)
	return err
}

// SetFault arms a fault.
func (c *ControlClient) SetFault(ctx context.Context, f Fault) error {
	_, err := c.do(ctx, http.MethodPost, "/fault", f)
	return err
}

// ClearFault removes the fault.
func (c *ControlClient) ClearFault(ctx context.Context) error {
	_, err := c.do(ctx, http.MethodDelete, "/fault", nil)
	return err
}

// SetLatency delays every detectIntent by d.
func (c *ControlClient) SetLatency(ctx context.Context, d time.Duration) error {
	_, err := c.do(ctx, http.MethodPost, "/latency", map[string]string{"latency": d.String()})
	return err
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

// JournalAfter returns the journal events after sequence number after.
func (c *ControlClient) JournalAfter(ctx context.Context, after uint64) ([]journal.Event, error) {
	var p journal.Page
	if err := c.get(ctx, "/journal?after="+strconv.FormatUint(after, 10), &p); err != nil {
		return nil, err
	}
	return p.Events, nil
}

// Reset forgets sessions, overrides, the fault and the latency.
func (c *ControlClient) Reset(ctx context.Context) error {
	_, err := c.do(ctx, http.MethodPost, "/reset", nil)
	return err
}
