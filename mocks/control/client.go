package control

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/parley-dev/parley/journal"
)

// Endpoint is the HTTP side of a mock's control client: base + "/_parley" + path, an answer other than
// 2xx turned into an *Error. It implements Mock, as every mock answers faults and the journal the same
// way; each mock's ControlClient embeds one and adds its own calls.
type Endpoint struct {
	mock string
	base string
	hc   *http.Client
}

// ClientOption configures a mock's control client (whatsapp, dialogflow and dlp NewControlClient).
type ClientOption func(*Endpoint)

// WithHTTPClient makes the client call through hc (default http.DefaultClient; deadlines come from the
// contexts of the calls). Client(token, nil) is one that sends a control token.
func WithHTTPClient(hc *http.Client) ClientOption {
	return func(e *Endpoint) {
		if hc != nil {
			e.hc = hc
		}
	}
}

// NewEndpoint returns the endpoint of the mock named mock ("whatsapp", "dialogflow", "dlp") at baseURL,
// its URL() (a trailing slash is dropped).
func NewEndpoint(mock, baseURL string, opts ...ClientOption) *Endpoint {
	e := &Endpoint{mock: mock, base: strings.TrimRight(baseURL, "/"), hc: http.DefaultClient}
	for _, o := range opts {
		if o != nil {
			o(e)
		}
	}
	return e
}

// Error is an error answered by a mock's control API: the HTTP status and the message of the mock's
// error envelope.
type Error struct {
	Mock    string
	HTTP    int
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s control: HTTP %d: %s", e.Mock, e.HTTP, e.Message)
}

// Do makes one control call: in, when not nil, goes as a JSON body; out, when not nil, receives the
// JSON answer.
func (e *Endpoint) Do(ctx context.Context, method, path string, in, out any) error {
	status, b, err := Call(ctx, e.hc, e.mock, e.base, method, path, in)
	if err != nil {
		return err
	}
	if status/100 != 2 {
		msg := ErrorMessage(b)
		if msg == "" {
			msg = string(b)
			if len(msg) > 200 {
				msg = msg[:200] + "…"
			}
		}
		return &Error{Mock: e.mock, HTTP: status, Message: msg}
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s control %s %s: decoding answer: %w", e.mock, method, path, err)
		}
	}
	return nil
}

// Healthz checks that the mock answers.
func (e *Endpoint) Healthz(ctx context.Context) error {
	return e.Do(ctx, http.MethodGet, "/healthz", nil, nil)
}

// InjectFault implements Mock.
func (e *Endpoint) InjectFault(ctx context.Context, f Fault) error {
	return e.Do(ctx, http.MethodPost, "/faults", f, nil)
}

// ClearFaults implements Mock.
func (e *Endpoint) ClearFaults(ctx context.Context) error {
	return e.Do(ctx, http.MethodDelete, "/faults", nil, nil)
}

// Faults implements Mock.
func (e *Endpoint) Faults(ctx context.Context) ([]Fault, error) {
	var fs []Fault
	err := e.Do(ctx, http.MethodGet, "/faults", nil, &fs)
	return fs, err
}

// JournalAfter implements Mock.
func (e *Endpoint) JournalAfter(ctx context.Context, after uint64) ([]journal.Event, uint64, error) {
	p, err := e.JournalPage(ctx, after)
	return p.Events, p.Last, err
}

// JournalPage implements Pager: the page as the mock answered it, Now zero when it did not say.
func (e *Endpoint) JournalPage(ctx context.Context, after uint64) (journal.Page, error) {
	var p journal.Page
	err := e.Do(ctx, http.MethodGet, "/journal?after="+strconv.FormatUint(after, 10), nil, &p)
	return p, err
}

var (
	_ Mock  = (*Endpoint)(nil)
	_ Pager = (*Endpoint)(nil)
)
