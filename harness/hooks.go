package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/sim"
)

// HookVersion is the version of the hook bodies parley sends (docs/bot-contract.md).
const HookVersion = "1"

// Hooks calls an assistant's certification hooks. It implements sim.Hooks.
type Hooks struct {
	BaseURL string // the assistant's base URL, without trailing slash
	Client  *http.Client
	Journal *journal.Journal
}

var _ sim.Hooks = (*Hooks)(nil)

// Consent posts an opt-in (or withdrawal) collected outside WhatsApp to /parley/consent.
func (h *Hooks) Consent(ctx context.Context, c sim.ConsentHook) error {
	return h.call(ctx, "consent", c.WaID, map[string]any{
		"version": HookVersion, "wa_id": c.WaID, "purpose": c.Purpose, "given": c.Given,
		"channel": c.Channel, "wording": c.Wording, "time": c.Time.UTC().Format(time.RFC3339),
	})
}

// Notify posts a business event for one customer (e.g. "order_shipped") to /parley/notify.
func (h *Hooks) Notify(ctx context.Context, waID, event, order string, at time.Time) error {
	return h.call(ctx, "notify", waID, map[string]any{
		"version": HookVersion, "wa_id": waID, "event": event, "order": order, "time": at.UTC().Format(time.RFC3339),
	})
}

// Campaign asks the assistant to send a marketing campaign to everyone who may receive it.
func (h *Hooks) Campaign(ctx context.Context, campaign, template string, at time.Time) error {
	return h.call(ctx, "campaign", "", map[string]any{
		"version": HookVersion, "campaign": campaign, "template": template, "time": at.UTC().Format(time.RFC3339),
	})
}

// ReleaseHandoff tells the assistant the human agent has handed the chat back.
func (h *Hooks) ReleaseHandoff(ctx context.Context, waID string) error {
	return h.call(ctx, "handoff/release", waID, map[string]any{"version": HookVersion, "wa_id": waID})
}

func (h *Hooks) call(ctx context.Context, hook, waID string, body map[string]any) error {
	if body["template"] == "" {
		delete(body, "template")
	}
	if body["order"] == "" {
		delete(body, "order")
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.BaseURL+"/parley/"+hook, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("hook %s: %w", hook, err)
	}
	req.Header.Set("Content-Type", "application/json")
	// A copy that follows no redirects: the body (a consent, an order) goes to the assistant's URL or
	// nowhere, as a webhook does, and the caller's client is left as it was.
	var client http.Client
	if h.Client != nil {
		client = *h.Client
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	order, _ := body["order"].(string)
	data := journal.HookData{Hook: hook, Order: order}
	resp, err := client.Do(req)
	if err == nil {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		resp.Body.Close()
		data.Status = resp.StatusCode
		if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
			err = &sim.HookError{Hook: hook, Status: resp.StatusCode, Message: redirectNotFollowed(resp.Header)}
		} else if resp.StatusCode >= 300 {
			err = &sim.HookError{Hook: hook, Status: resp.StatusCode, Message: string(bytes.TrimSpace(msg))}
		}
	} else {
		err = fmt.Errorf("POST /parley/%s: %w (does the assistant implement the certification hooks? see docs/bot-contract.md)", hook, err)
	}
	if err != nil {
		data.Error = err.Error()
	}
	if h.Journal != nil {
		h.Journal.Record(journal.SourceHarness, journal.KindHookCalled, waID, data)
	}
	return err
}

// redirectNotFollowed says why a hook's redirect failed the call, and where it pointed (without the query).
func redirectNotFollowed(h http.Header) string {
	s := "a redirect, which parley does not follow"
	if loc := h.Get("Location"); loc != "" {
		if u, err := url.Parse(loc); err == nil {
			loc = withoutQuery(u)
		}
		s += fmt.Sprintf(" (it pointed to %q)", loc[:min(len(loc), 200)])
	}
	return s
}
