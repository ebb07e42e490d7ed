package harness

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/parley-dev/parley/mocks/whatsapp"
)

// DefaultPreflightTimeout bounds the whole pre-flight check when PreflightConfig.Timeout is zero.
const DefaultPreflightTimeout = 10 * time.Second

// The checks of Preflight, as PreflightError.Step names them.
const (
	StepHandshake = "webhook handshake" // GET with hub.mode, hub.verify_token and hub.challenge
	StepDelivery  = "signed delivery"   // POST of a signed status webhook
)

// preflightBodyLimit bounds every answer read: an echoed challenge is ten digits, and a delivery's answer
// is not read for its content at all.
const preflightBodyLimit = 4 << 10

// preflightRecipient is the recipient of the status Preflight delivers: a number no customer has (+34
// followed by zeros), so an assistant that looks it up finds nobody.
const preflightRecipient = "34000000000"

// PreflightConfig says where the assistant's webhook is and what it was given to check Meta's requests.
type PreflightConfig struct {
	WebhookURL  string // the assistant's webhook, e.g. http://127.0.0.1:8080/webhook
	VerifyToken string // WHATSAPP_VERIFY_TOKEN the assistant was given
	AppSecret   string // WHATSAPP_APP_SECRET, the key of the deliveries' X-Hub-Signature-256

	// PhoneNumberID, DisplayPhoneNumber and WABAID go in the delivery's metadata and entry, as the
	// WhatsApp mock will send them; empty: the mock's defaults.
	PhoneNumberID      string
	DisplayPhoneNumber string
	WABAID             string

	// Client makes the requests: one that trusts the webhook's CA (--webhook-ca) for an https:// webhook.
	// It is copied, never changed; the copy follows no redirects. Nil: a client of its own, bounded by
	// Timeout.
	Client *http.Client
	// Timeout bounds the whole check; zero: DefaultPreflightTimeout.
	Timeout time.Duration
	// Now is the run's clock, for the delivery's timestamp: an assistant that follows the timestamps of
	// what it receives (as one certified against a simulated clock does) must not be thrown into another
	// day by the check. Nil: the wall clock.
	Now func() time.Time
}

// PreflightError is why Preflight refuses to run the scenarios: which check failed, at which URL, and
// what the webhook did.
type PreflightError struct {
	Step  string // StepHandshake or StepDelivery
	URL   string // the webhook, without its query (which carries the verify token) or user information
	Cause string // what happened, e.g. "answered HTTP 404"
	Err   error  // the error underneath, if any: a transport or context error; nil for a wrong answer
}

// Error is one line: "the webhook handshake at https://host:8443/webhook answered HTTP 404".
func (e *PreflightError) Error() string {
	return oneLine("the " + e.Step + " at " + e.URL + " " + e.Cause)
}

// Unwrap returns the error underneath, so errors.Is(err, context.Canceled) and errors.As(err,
// &x509.UnknownAuthorityError{}) see through a PreflightError.
func (e *PreflightError) Unwrap() error { return e.Err }

// Preflight checks, before the first scenario, that the assistant at c.WebhookURL is a WhatsApp webhook
// that will take the run's deliveries, so a wrong URL, token, secret or CA fails in seconds with its cause
// instead of after every scenario. In order:
//
//  1. the verification handshake as Meta's App Dashboard does it: GET with hub.mode=subscribe,
//     hub.verify_token and a random hub.challenge, answered 200 with the challenge as the body;
//  2. a signed delivery answered 2xx: a "delivered" status for a message the assistant never sent, to a
//     number no customer has, so it asks for no reply and changes nothing a scenario looks at.
//
// Either failing is a *PreflightError. Then the same delivery goes once with a wrong X-Hub-Signature-256
// and once without one: accepting either is a security finding the scenarios report, not a reason to
// refuse the run, so it comes back as a warning. Redirects are failures, not followed, since Meta does
// not follow them. The whole check is bounded by c.Timeout and ctx. An error that is not a
// *PreflightError means c itself is wrong.
func Preflight(ctx context.Context, c PreflightConfig) (warnings []string, err error) {
	p, err := newPreflight(c)
	if err != nil {
		return nil, err
	}
	defer p.closeIdle()
	ctx, cancel := context.WithTimeoutCause(ctx, p.timeout, errPreflightTimeout)
	defer cancel()
	if err := p.handshake(ctx); err != nil {
		return nil, err
	}
	if err := p.delivery(ctx); err != nil {
		return nil, err
	}
	return p.forgeries(ctx)
}

// errPreflightTimeout is the cause of the check's context when its Timeout runs out, told apart from the
// caller's context ending.
var errPreflightTimeout = errors.New("pre-flight timeout")

type preflight struct {
	cfg       PreflightConfig
	webhook   *url.URL // as given, query included
	shown     string   // the webhook as errors name it
	timeout   time.Duration
	client    http.Client
	closeIdle func()
}

func newPreflight(c PreflightConfig) (*preflight, error) {
	u, err := url.Parse(c.WebhookURL)
	if err != nil {
		return nil, fmt.Errorf("pre-flight: webhook URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("pre-flight: webhook URL %q is not an absolute http:// or https:// URL", c.WebhookURL)
	}
	if c.VerifyToken == "" || c.AppSecret == "" {
		return nil, errors.New("pre-flight: the verify token and the app secret must be given: they are what the handshake and the delivery check")
	}
	if c.Timeout < 0 {
		return nil, fmt.Errorf("pre-flight: negative timeout %s", c.Timeout)
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultPreflightTimeout
	}
	if c.PhoneNumberID == "" {
		c.PhoneNumberID = whatsapp.DefaultPhoneNumberID
	}
	if c.DisplayPhoneNumber == "" {
		c.DisplayPhoneNumber = whatsapp.DefaultDisplayPhoneNumber
	}
	if c.WABAID == "" {
		c.WABAID = whatsapp.DefaultWABAID
	}
	p := &preflight{cfg: c, webhook: u, shown: withoutQuery(u), timeout: c.Timeout, closeIdle: func() {}}
	if c.Client != nil {
		p.client = *c.Client
	} else {
		tr := &http.Transport{}
		if dt, ok := http.DefaultTransport.(*http.Transport); ok {
			tr = dt.Clone()
		}
		p.client = http.Client{Transport: tr, Timeout: c.Timeout}
		p.closeIdle = tr.CloseIdleConnections
	}
	p.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return p, nil
}

// handshake is check 1.
func (p *preflight) now() time.Time {
	if p.cfg.Now != nil {
		return p.cfg.Now()
	}
	return time.Now()
}

func (p *preflight) handshake(ctx context.Context) error {
	challenge, err := randomDigits(10)
	if err != nil {
		return err
	}
	u := *p.webhook
	q := u.Query()
	q.Set("hub.mode", "subscribe")
	q.Set("hub.verify_token", p.cfg.VerifyToken)
	q.Set("hub.challenge", challenge)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return p.fail(StepHandshake, "could not be built", err)
	}
	status, header, body, err := p.do(req)
	if err != nil {
		return p.transportFailure(ctx, StepHandshake, err)
	}
	if status != http.StatusOK {
		hint := ""
		if status == http.StatusUnauthorized || status == http.StatusForbidden {
			hint = " (was the assistant given the same WHATSAPP_VERIFY_TOKEN?)"
		}
		return p.fail(StepHandshake, answered(status, header)+hint, nil)
	}
	if got := bytes.TrimSpace(body); string(got) != challenge {
		return p.fail(StepHandshake, fmt.Sprintf("answered 200 but did not echo hub.challenge (got %q)", got[:min(len(got), 60)]), nil)
	}
	return nil
}

// delivery is check 2.
func (p *preflight) delivery(ctx context.Context) error {
	body, err := p.statusPayload()
	if err != nil {
		return err
	}
	status, header, err := p.post(ctx, body, sign(p.cfg.AppSecret, body))
	if err != nil {
		return p.transportFailure(ctx, StepDelivery, err)
	}
	if status < 200 || status > 299 {
		hint := ""
		switch status {
		case http.StatusUnauthorized, http.StatusForbidden:
			hint = " (was the assistant given the same WHATSAPP_APP_SECRET? The delivery was signed with it)"
		case http.StatusMethodNotAllowed:
			hint = " (the webhook must take POST as well as the handshake's GET)"
		}
		return p.fail(StepDelivery, answered(status, header)+hint, nil)
	}
	return nil
}

// forgeries sends the delivery with a wrong signature and without one; accepting either is a warning.
func (p *preflight) forgeries(ctx context.Context) ([]string, error) {
	forged := []struct {
		what string
		sign func(body []byte) string
	}{
		{"with a wrong X-Hub-Signature-256", func(b []byte) string { return sign("not "+p.cfg.AppSecret, b) }},
		{"without X-Hub-Signature-256", func([]byte) string { return "" }},
	}
	var accepted, unchecked []string
forging:
	for _, f := range forged {
		body, err := p.statusPayload()
		if err != nil {
			return nil, err
		}
		status, _, err := p.post(ctx, body, f.sign(body))
		switch {
		case err != nil && ctx.Err() != nil && !errors.Is(context.Cause(ctx), errPreflightTimeout):
			return nil, p.transportFailure(ctx, StepDelivery, err) // the caller stopped the check
		case err != nil:
			unchecked = append(unchecked, fmt.Sprintf("one %s (%s)", f.what, p.transportCause(ctx, err)))
			if ctx.Err() != nil {
				break forging // the time is up for the next one too
			}
		case status >= 200 && status <= 299:
			accepted = append(accepted, fmt.Sprintf("one %s (HTTP %d)", f.what, status))
		}
	}
	var warnings []string
	if len(accepted) > 0 {
		warnings = append(warnings, oneLine(fmt.Sprintf("the webhook at %s accepted a forged delivery: %s; it should refuse them with 401 or 403, or anyone who can reach it can forge customers' messages",
			p.shown, strings.Join(accepted, " and "))))
	}
	if len(unchecked) > 0 {
		warnings = append(warnings, oneLine(fmt.Sprintf("could not check that the webhook at %s refuses forged deliveries: %s",
			p.shown, strings.Join(unchecked, " and "))))
	}
	return warnings, nil
}

// post sends body as Meta sends a webhook, with X-Hub-Signature-256 sig unless sig is empty.
func (p *preflight) post(ctx context.Context, body []byte, sig string) (int, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.webhook.String(), bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "facebookexternalua")
	if sig != "" {
		req.Header.Set("X-Hub-Signature-256", sig)
	}
	status, header, _, err := p.do(req)
	return status, header, err
}

// do sends req and reads at most preflightBodyLimit bytes of the answer.
func (p *preflight) do(req *http.Request) (int, http.Header, []byte, error) {
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, preflightBodyLimit))
	if err != nil {
		return 0, nil, nil, err
	}
	return resp.StatusCode, resp.Header, body, nil
}

// statusPayload is a WhatsApp Cloud API status webhook, in the shape the WhatsApp mock sends: "delivered"
// for a fresh message id the assistant never sent, to preflightRecipient, now.
func (p *preflight) statusPayload() ([]byte, error) {
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	// Fields in the order of Meta's webhook reference; the signature covers these very bytes.
	type status struct {
		ID          string `json:"id"`
		Status      string `json:"status"`
		Timestamp   string `json:"timestamp"`
		RecipientID string `json:"recipient_id"`
		Pricing     struct {
			Billable     bool   `json:"billable"`
			PricingModel string `json:"pricing_model"`
			Category     string `json:"category"`
			Type         string `json:"type"`
		} `json:"pricing"`
	}
	type metadata struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	}
	type value struct {
		MessagingProduct string   `json:"messaging_product"`
		Metadata         metadata `json:"metadata"`
		Statuses         []status `json:"statuses"`
	}
	type change struct {
		Value value  `json:"value"`
		Field string `json:"field"`
	}
	type entry struct {
		ID      string   `json:"id"`
		Changes []change `json:"changes"`
	}
	st := status{ID: "wamid.HBgL" + base64.StdEncoding.EncodeToString(raw), Status: "delivered",
		Timestamp: strconv.FormatInt(p.now().Unix(), 10), RecipientID: preflightRecipient}
	st.Pricing.PricingModel, st.Pricing.Category, st.Pricing.Type = "PMP", "service", "free_customer_service"
	payload := struct {
		Object string  `json:"object"`
		Entry  []entry `json:"entry"`
	}{"whatsapp_business_account", []entry{{ID: p.cfg.WABAID, Changes: []change{{Field: "messages", Value: value{
		MessagingProduct: "whatsapp",
		Metadata:         metadata{DisplayPhoneNumber: p.cfg.DisplayPhoneNumber, PhoneNumberID: p.cfg.PhoneNumberID},
		Statuses:         []status{st},
	}}}}}}
	return json.Marshal(payload)
}

func (p *preflight) fail(step, cause string, err error) *PreflightError {
	return &PreflightError{Step: step, URL: p.shown, Cause: cause, Err: err}
}

// transportFailure is the PreflightError of a request that got no answer.
func (p *preflight) transportFailure(ctx context.Context, step string, err error) *PreflightError {
	cause := p.transportCause(ctx, err)
	if ctx.Err() != nil {
		err = context.Cause(ctx)
	} else if ue := (*url.Error)(nil); errors.As(err, &ue) {
		err = ue.Err // its text quotes the URL, verify token included
	}
	return p.fail(step, cause, err)
}

// transportCause says why a request got no answer, in the user's terms, with what to do where it is clear.
// It never quotes the requested URL: the handshake's carries the verify token.
func (p *preflight) transportCause(ctx context.Context, err error) string {
	if ctx.Err() != nil {
		if errors.Is(context.Cause(ctx), errPreflightTimeout) {
			return fmt.Sprintf("did not answer within %s", p.timeout)
		}
		return fmt.Sprintf("was stopped before an answer (%v)", context.Cause(ctx))
	}
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		err = ue.Err
	}
	var (
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		invalid   x509.CertificateInvalidError
		verifyErr *tls.CertificateVerificationError
		record    tls.RecordHeaderError
		dnsErr    *net.DNSError
		netErr    net.Error
	)
	switch {
	case errors.As(err, &unknownCA):
		issuer := ""
		if unknownCA.Cert != nil {
			issuer = fmt.Sprintf(" (issuer %q)", unknownCA.Cert.Issuer.String())
		}
		return "presented a TLS certificate signed by an unknown authority" + issuer + "; give the CA that signed it with --webhook-ca"
	case errors.As(err, &hostErr):
		return fmt.Sprintf("presented a TLS certificate for another host (%v); reach the assistant by a name its certificate has", hostErr)
	case errors.As(err, &invalid):
		return fmt.Sprintf("presented an invalid TLS certificate (%v)", invalid)
	case errors.As(err, &verifyErr):
		return fmt.Sprintf("presented a TLS certificate that does not verify (%v); give the CA that signed it with --webhook-ca", verifyErr.Err)
	case errors.As(err, &record), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"): // net/http's text for a plain answer
		return "does not speak TLS though the URL is https:// (try http://)"
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("refused the connection (is the assistant running and listening on %s?)", p.webhook.Host)
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("names a host that does not resolve (%v)", dnsErr)
	case errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Sprintf("did not answer in time (%v)", err)
	}
	return fmt.Sprintf("could not be reached (%v)", err)
}

// answered is the cause of an unwanted HTTP status.
func answered(status int, header http.Header) string {
	s := fmt.Sprintf("answered HTTP %d", status)
	if status < 300 || status > 399 {
		return s
	}
	s += " (redirects are not followed, as Meta does not follow them"
	if loc := header.Get("Location"); loc != "" {
		if u, err := url.Parse(loc); err == nil {
			loc = withoutQuery(u)
		}
		s += fmt.Sprintf("; it pointed to %q", loc[:min(len(loc), 200)])
	}
	return s + ")"
}

// sign is the X-Hub-Signature-256 of body under secret.
func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// randomDigits is n random decimal digits, the first not zero, as Meta's challenges look.
func randomDigits(n int) (string, error) {
	lo := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n-1)), nil)
	span := new(big.Int).Mul(lo, big.NewInt(9))
	v, err := rand.Int(rand.Reader, span)
	if err != nil {
		return "", err
	}
	return v.Add(v, lo).String(), nil
}

// withoutQuery is u as errors may show it: no query, fragment or user information.
func withoutQuery(u *url.URL) string {
	v := *u
	v.RawQuery, v.ForceQuery, v.Fragment, v.RawFragment, v.User = "", false, "", "", nil
	return v.String()
}

// oneLine keeps an error or a warning on one line whatever text it quotes.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }), " ")
}
