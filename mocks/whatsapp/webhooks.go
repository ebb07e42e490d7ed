package whatsapp

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-dev/parley/journal"
)

// --- payloads, in the order and shape of Meta's webhook reference (messages, statuses, user_preferences,
// message_template_status_update) ---

type webhookEnvelope struct {
	Object string         `json:"object"`
	Entry  []webhookEntry `json:"entry"`
}

type webhookEntry struct {
	ID      string          `json:"id"`
	Time    int64           `json:"time,omitempty"`
	Changes []webhookChange `json:"changes"`
}

type webhookChange struct {
	Value any    `json:"value"`
	Field string `json:"field"`
}

type metadata struct {
	DisplayPhoneNumber string `json:"display_phone_number"`
	PhoneNumberID      string `json:"phone_number_id"`
}

type messagesValue struct {
	MessagingProduct string            `json:"messaging_product"`
	Metadata         metadata          `json:"metadata"`
	Contacts         []webhookContact  `json:"contacts,omitempty"`
	Messages         []json.RawMessage `json:"messages,omitempty"`
	Statuses         []statusObject    `json:"statuses,omitempty"`
}

type webhookContact struct {
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
	WaID string `json:"wa_id"`
}

type statusObject struct {
	ID          string         `json:"id"`
	Status      string         `json:"status"`
	Timestamp   string         `json:"timestamp"`
	RecipientID string         `json:"recipient_id"`
	BizOpaque   string         `json:"biz_opaque_callback_data,omitempty"`
	Pricing     *pricing       `json:"pricing,omitempty"`
	Errors      []webhookError `json:"errors,omitempty"`
}

type pricing struct {
	Billable     bool   `json:"billable"`
	PricingModel string `json:"pricing_model"`
	Category     string `json:"category"`
	Type         string `json:"type"`
}

type webhookError struct {
	Code      int    `json:"code"`
	Title     string `json:"title"`
	Message   string `json:"message"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`
	Href string `json:"href"`
}

type userPreferencesValue struct {
	MessagingProduct string           `json:"messaging_product"`
	Metadata         metadata         `json:"metadata"`
	Contacts         []webhookContact `json:"contacts"`
	UserPreferences  []userPreference `json:"user_preferences"`
}

type userPreference struct {
	WaID      string `json:"wa_id"`
	Detail    string `json:"detail"`
	Category  string `json:"category"`
	Value     string `json:"value"`
	Timestamp int64  `json:"timestamp"`
}

type templateStatusValue struct {
	Event                   string `json:"event"`
	MessageTemplateID       int64  `json:"message_template_id"`
	MessageTemplateName     string `json:"message_template_name"`
	MessageTemplateLanguage string `json:"message_template_language"`
	Reason                  string `json:"reason"`
}

func (s *Server) meta() metadata {
	return metadata{DisplayPhoneNumber: s.cfg.displayNumber, PhoneNumberID: s.cfg.phoneNumberID}
}

func (s *Server) envelope(field string, t int64, value any) webhookEnvelope {
	return webhookEnvelope{Object: "whatsapp_business_account", Entry: []webhookEntry{{ID: s.cfg.wabaID, Time: t, Changes: []webhookChange{{Value: value, Field: field}}}}}
}

func contact(waID, name string) webhookContact {
	var c webhookContact
	c.WaID, c.Profile.Name = waID, name
	return c
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// encodeWebhook serialises v the way Meta does: ASCII only, with non-ASCII characters as \uXXXX
// (surrogate pairs beyond the BMP) and "/" "@" "%" "<" ">" "&" escaped, lowercase hex. Meta signs these
// exact bytes ("an escaped unicode version of the payload, with lowercase hex digits", Graph webhooks
// docs), so a receiver that re-serialises the parsed JSON before checking the signature fails — the bug
// that whatsapp-api-js #290 and whatsapp-cloud-api #60 report.
func encodeWebhook(v any) ([]byte, error) {
	raw, err := json.Marshal(v) // escapes < > & as \u003c \u003e \u0026 already
	if err != nil {
		return nil, err
	}
	return escapeJSON(raw), nil
}

func escapeJSON(raw []byte) []byte {
	if !needsEscape(raw) {
		return raw // status webhooks mostly: nothing to rewrite, so no copy
	}
	var b bytes.Buffer
	b.Grow(len(raw) + len(raw)/8)
	const hexd = "0123456789abcdef"
	u := func(r rune) {
		b.WriteString(`\u`)
		b.WriteByte(hexd[r>>12&0xf])
		b.WriteByte(hexd[r>>8&0xf])
		b.WriteByte(hexd[r>>4&0xf])
		b.WriteByte(hexd[r&0xf])
	}
	for i := 0; i < len(raw); {
		c := raw[i]
		if c < utf8.RuneSelf {
			switch c {
			case '/':
				b.WriteString(`\/`)
			case '@', '%':
				u(rune(c))
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(raw[i:])
		i += size
		if r >= 0x10000 {
			r -= 0x10000
			u(0xd800 + (r>>10)&0x3ff)
			u(0xdc00 + r&0x3ff)
			continue
		}
		u(r)
	}
	return b.Bytes()
}

func needsEscape(raw []byte) bool {
	for _, c := range raw {
		if c >= utf8.RuneSelf || c == '/' || c == '@' || c == '%' {
			return true
		}
	}
	return false
}

// Sign returns the X-Hub-Signature-256 value for body: "sha256=" and the lowercase hex HMAC-SHA256 of
// the exact bytes with the app secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// sign is Sign under the app secret, with a keyed HMAC from the pool: keying one per webhook costs two
// SHA-256 blocks and a kilobyte of garbage.
func (s *Server) sign(body []byte) string {
	m, _ := s.macs.Get().(hash.Hash)
	if m == nil {
		m = hmac.New(sha256.New, []byte(s.cfg.appSecret))
	}
	m.Write(body)
	var sum [sha256.Size]byte
	var out [len("sha256=") + 2*sha256.Size]byte
	copy(out[:], "sha256=")
	hex.Encode(out[len("sha256="):], m.Sum(sum[:0]))
	m.Reset()
	s.macs.Put(m)
	return string(out[:])
}

// VerifySignature reports whether header is the X-Hub-Signature-256 of body under secret, as a receiver
// must check it: over the raw bytes received.
func VerifySignature(secret string, body []byte, header string) bool {
	got, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	want := Sign(secret, body)[len("sha256="):]
	return hmac.Equal([]byte(strings.ToLower(got)), []byte(want))
}

// --- the queue of asynchronous webhooks ---

type jobKind int

const (
	jobStatus jobKind = iota
	jobTemplateStatus
	jobUserPreference
)

type templateStatusEvent struct {
	id, name, lang, event string
}

type webhookJob struct {
	kind      jobKind
	msgID     string
	waID      string
	status    string
	code      int
	category  string // pricing category of the message: marketing, utility, authentication, service
	free      bool   // free_customer_service
	opaque    string // biz_opaque_callback_data
	duplicate bool
	template  templateStatusEvent
	pref      string
	name      string
}

// enqueueStatusesLocked queues the status webhooks of one message, duplicated and out of order as the
// status delivery draws. s.mu must be held.
func (s *Server) enqueueStatusesLocked(id, waID string, seq []string, code int) {
	sm := s.state.sent[id]
	category, free, opaque := "service", true, ""
	if sm != nil {
		category, free, opaque = sm.category, sm.free, sm.opaque
	}
	jobs := make([]webhookJob, 0, len(seq)+1)
	for _, st := range seq {
		j := webhookJob{kind: jobStatus, msgID: id, waID: waID, status: st, code: code, category: category, free: free, opaque: opaque}
		if s.statuses.Duplicate > 0 && s.rng.Float64() < s.statuses.Duplicate {
			j.duplicate = true
		}
		jobs = append(jobs, j)
	}
	if len(jobs) > 1 && s.statuses.OutOfOrder > 0 && s.rng.Float64() < s.statuses.OutOfOrder {
		for i, k := 0, len(jobs)-1; i < k; i, k = i+1, k-1 {
			jobs[i], jobs[k] = jobs[k], jobs[i]
		}
	}
	for _, j := range jobs {
		s.enqueueLocked(j)
	}
}

// enqueueLocked queues a webhook for the worker. Waiters are not woken: AwaitIdle's condition only
// becomes true when the worker finishes a job, and the worker notifies then.
func (s *Server) enqueueLocked(j webhookJob) {
	s.queue = append(s.queue, j)
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// worker delivers queued webhooks one at a time, in order, never holding s.mu while calling out.
func (s *Server) worker() {
	defer close(s.done)
	for {
		s.mu.Lock()
		for len(s.queue) == 0 {
			s.mu.Unlock()
			select {
			case <-s.wake:
			case <-s.ctx.Done():
				s.mu.Lock()
				s.queue = nil
				s.notifyLocked()
				s.mu.Unlock()
				return
			}
			s.mu.Lock()
		}
		j := s.queue[0]
		s.queue = s.queue[1:]
		s.inflight++
		s.inflightFor = j.waID
		s.mu.Unlock()

		s.process(j)

		s.mu.Lock()
		s.inflight--
		s.inflightFor = ""
		s.notifyLocked()
		s.mu.Unlock()
	}
}

func (s *Server) process(j webhookJob) {
	now := s.clock.Now()
	switch j.kind {
	case jobStatus:
		so := statusObject{ID: j.msgID, Status: j.status, Timestamp: unix(now), RecipientID: j.waID, BizOpaque: j.opaque}
		if j.status == "sent" || j.status == "delivered" {
			so.Pricing = &pricing{Billable: !j.free, PricingModel: "PMP", Category: j.category, Type: "regular"}
			if j.free {
				so.Pricing.Type = "free_customer_service"
			}
		}
		data := journal.StatusData{ID: j.msgID, Status: j.status, Recipient: j.waID}
		if j.status == "failed" {
			info := codes[j.code]
			we := webhookError{Code: j.code, Title: info.title, Message: info.title, Href: "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}
			we.ErrorData.Details = failDetails(j.code)
			so.Errors = []webhookError{we}
			so.Pricing = nil
			data.Code, data.Error = j.code, info.title
		}
		s.journal.Record(journal.SourceWhatsApp, statusKind(j.status), j.waID, data)
		if !s.hasWebhook() {
			return
		}
		payload := s.envelope("messages", 0, messagesValue{MessagingProduct: "whatsapp", Metadata: s.meta(), Statuses: []statusObject{so}})
		s.post(s.ctx, "messages", j.msgID, payload, j.duplicate)
	case jobUserPreference:
		v := userPreferencesValue{MessagingProduct: "whatsapp", Metadata: s.meta(), Contacts: []webhookContact{contact(j.waID, j.name)},
			UserPreferences: []userPreference{{WaID: j.waID, Detail: "User requested to " + j.pref + " marketing messages", Category: "marketing_messages", Value: j.pref, Timestamp: now.Unix()}}}
		s.post(s.ctx, "user_preferences", "", s.envelope("user_preferences", 0, v), false)
	case jobTemplateStatus:
		id, _ := strconv.ParseInt(j.template.id, 10, 64)
		v := templateStatusValue{Event: j.template.event, MessageTemplateID: id, MessageTemplateName: j.template.name, MessageTemplateLanguage: j.template.lang, Reason: "NONE"}
		s.post(s.ctx, "message_template_status_update", "", s.envelope("message_template_status_update", now.Unix(), v), false)
	}
}

// statusKind is "status."+status, without building the common ones.
func statusKind(status string) string {
	switch status {
	case "sent":
		return journal.KindStatusSent
	case "delivered":
		return journal.KindStatusDelivered
	case "read":
		return journal.KindStatusRead
	case "failed":
		return journal.KindStatusFailed
	}
	return "status." + status
}

func failDetails(code int) string {
	switch code {
	case CodeReengagement:
		return windowDetails
	case CodeMarketingStopped:
		return "This recipient has chosen to stop receiving marketing messages on WhatsApp from your business. Do not retry."
	case CodeMarketingLimit:
		return "In order to maintain a healthy ecosystem engagement, the message failed to be delivered."
	case CodeUndeliverable:
		return "Message Undeliverable."
	case CodeParameterInvalid:
		return "The message this reaction refers to does not exist or cannot be reacted to."
	}
	return codes[code].title
}

func (s *Server) hasWebhook() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook != ""
}

// errNoWebhook: no callback URL is set, so nothing can be delivered.
var errNoWebhook = errors.New("no webhook URL is set")

// post encodes, signs and delivers one webhook, retrying non-200 answers with back-off, journalling every
// attempt. It returns the last HTTP status (0 when none answered) and the number of attempts.
func (s *Server) post(ctx context.Context, field, ref string, v any, duplicate bool) (int, int, error) {
	target, err := s.ensureVerified(ctx)
	if err != nil {
		return 0, 0, err
	}
	body, err := encodeWebhook(v)
	if err != nil {
		return 0, 0, fmt.Errorf("encoding webhook: %w", err)
	}
	sig := s.sign(body)
	copies := 1
	if duplicate {
		copies = 2
	}
	var status, attempts int
	var lastErr error
	for c := 0; c < copies; c++ {
		status, attempts, lastErr = s.deliver(ctx, target, field, ref, body, sig, c > 0)
	}
	return status, attempts, lastErr
}

func (s *Server) deliver(ctx context.Context, target, field, ref string, body []byte, sig string, duplicate bool) (int, int, error) {
	var lastErr error
	status := 0
	for attempt := 1; attempt <= s.cfg.retryAttempts; attempt++ {
		if attempt > 1 {
			wait := s.cfg.retryBackoff << (attempt - 2)
			if wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
					return status, attempt - 1, ctx.Err()
				case <-s.ctx.Done():
					t.Stop()
					return status, attempt - 1, s.ctx.Err()
				}
			}
		}
		status, lastErr = s.postOnce(ctx, target, body, sig)
		d := journal.WebhookAttemptData{URL: target, Field: field, RefID: ref, Attempt: attempt, Status: status, Signed: true, Duplicate: duplicate}
		if lastErr != nil {
			d.Error = lastErr.Error()
		}
		s.journal.Record(journal.SourceWhatsApp, journal.KindWebhookAttempt, "", d)
		if lastErr == nil && status == http.StatusOK {
			return status, attempt, nil
		}
		s.log.Warn("webhook delivery failed", "url", target, "field", field, "attempt", attempt, "status", status, "error", lastErr)
	}
	if lastErr == nil {
		lastErr = fmt.Errorf("webhook answered HTTP %d", status)
	}
	return status, s.cfg.retryAttempts, fmt.Errorf("after %d attempts: %w", s.cfg.retryAttempts, lastErr)
}

func (s *Server) postOnce(ctx context.Context, target string, body []byte, sig string) (int, error) {
	ctx, cancel := s.attemptContext(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	// Canonical keys set directly, the constant values shared: net/http only reads a request's headers.
	req.Header["Content-Type"] = jsonContentType
	if sig != "" { // a forged webhook may carry none
		req.Header["X-Hub-Signature-256"] = []string{sig}
	}
	req.Header["User-Agent"] = metaUserAgent
	resp, err := s.cfg.client.Do(req)
	if err != nil {
		return 0, s.attemptError(ctx, err)
	}
	_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if err != nil && errors.Is(context.Cause(ctx), errAttemptTimeout) {
		return 0, s.attemptError(ctx, err) // the status came in time, the body did not
	}
	if isRedirect(resp.StatusCode) {
		return resp.StatusCode, errors.New(redirectCause(resp.StatusCode, resp.Header))
	}
	return resp.StatusCode, nil
}

var (
	jsonContentType = []string{"application/json"}
	metaUserAgent   = []string{"facebookexternalua"}
)

// errAttemptTimeout is the cause of an attempt's context when the webhook timeout ran out.
var errAttemptTimeout = errors.New("webhook timeout")

// attemptContext bounds one delivery attempt by the webhook timeout, whatever client delivers it, and
// ends it when the server closes.
func (s *Server) attemptContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx == s.ctx { // the queue's deliveries: nothing to merge
		return context.WithTimeoutCause(ctx, s.cfg.webhookTimeout, errAttemptTimeout)
	}
	ctx, cancel := mergeDone(ctx, s.ctx)
	tctx, tcancel := context.WithTimeoutCause(ctx, s.cfg.webhookTimeout, errAttemptTimeout)
	return tctx, func() { tcancel(); cancel() }
}

// attemptError says plainly that an attempt timed out, rather than Go's "context deadline exceeded".
func (s *Server) attemptError(ctx context.Context, err error) error {
	if errors.Is(context.Cause(ctx), errAttemptTimeout) {
		return fmt.Errorf("the webhook did not answer within %s (the webhook timeout): %w", s.cfg.webhookTimeout, err)
	}
	return err
}

// mergeDone returns a context of a that is also cancelled when b is done.
func mergeDone(a, b context.Context) (context.Context, context.CancelFunc) {
	if a == b { // the queue's deliveries run on the server's own context
		return a, func() {}
	}
	ctx, cancel := context.WithCancel(a)
	stop := context.AfterFunc(b, cancel)
	return ctx, func() { stop(); cancel() }
}

// VerifyResult is the outcome of the hub.challenge handshake.
type VerifyResult struct {
	URL       string `json:"url"`
	Challenge string `json:"challenge"`
	Status    int    `json:"status"`
	Echoed    bool   `json:"echoed"` // the body was exactly the challenge
	OK        bool   `json:"ok"`
	Error     string `json:"error,omitempty"`
}

// verifySoonLocked starts the handshake with target in the background, as the App Dashboard runs it
// whenever the callback URL is saved (create-webhook-endpoint): at start with WithWebhook and on
// SetWebhook. It never fails what configured the URL: the assistant may not be up yet, and the first
// delivery runs the handshake again if this one did not pass. s.mu must be held.
func (s *Server) verifySoonLocked(target string) {
	if target == "" || s.closed {
		return
	}
	s.verifyGen++
	gen := s.verifyGen
	s.verifying = target
	challenge := s.challengeLocked() // drawn now, so the seeded sequence does not depend on timing
	s.handshakes.Add(1)
	go func() {
		defer s.handshakes.Done()
		s.verifyWith(s.ctx, target, challenge)
		s.mu.Lock()
		if s.verifyGen == gen {
			s.verifying = ""
		}
		s.notifyLocked()
		s.mu.Unlock()
	}()
}

// AwaitHandshake waits until the handshake started when the callback URL was configured (at start with
// WithWebhook, or by SetWebhook) has ended, and reports whether the callback URL is verified.
func (s *Server) AwaitHandshake(ctx context.Context) (bool, error) {
	var ok bool
	err := s.await(ctx, func() bool {
		ok = s.verified
		return s.verifying == "" || s.verifying != s.webhook
	})
	return ok, err
}

// ensureVerified returns the webhook URL, performing the verification handshake first if it has not
// passed yet: Meta sends no webhooks to an unverified endpoint (create-webhook-endpoint). A handshake
// started when the URL was configured is waited for rather than doubled; if it failed (the assistant was
// not up yet), the handshake runs again.
func (s *Server) ensureVerified(ctx context.Context) (string, error) {
	var target string
	var ok bool
	err := s.await(ctx, func() bool {
		target, ok = s.webhook, s.verified
		return target == "" || ok || s.verifying != target
	})
	if err != nil {
		return "", err
	}
	if target == "" {
		return "", errNoWebhook
	}
	if ok {
		return target, nil
	}
	res := s.verify(ctx, target)
	if !res.OK {
		return "", fmt.Errorf("webhook %s is not verified: %s", target, res.Error)
	}
	return target, nil
}

// verify performs GET <callback>?hub.mode=subscribe&hub.challenge=N&hub.verify_token=T and expects 200
// with the challenge echoed.
func (s *Server) verify(ctx context.Context, target string) VerifyResult {
	s.mu.Lock()
	challenge := s.challengeLocked()
	s.mu.Unlock()
	return s.verifyWith(ctx, target, challenge)
}

// challengeLocked draws a hub.challenge from the seeded generator. s.mu must be held.
func (s *Server) challengeLocked() string {
	return strconv.FormatUint(uint64(s.rng.Uint32())+1000000000, 10)
}

// verifyWith is verify with a challenge already drawn.
func (s *Server) verifyWith(ctx context.Context, target, challenge string) VerifyResult {
	res := VerifyResult{URL: target, Challenge: challenge}
	u, err := url.Parse(target)
	if err != nil {
		res.Error = err.Error()
	} else {
		q := u.Query()
		q.Set("hub.mode", "subscribe")
		q.Set("hub.challenge", challenge)
		q.Set("hub.verify_token", s.cfg.verifyToken)
		u.RawQuery = q.Encode()
		cctx, cancel := s.attemptContext(ctx)
		req, _ := http.NewRequestWithContext(cctx, http.MethodGet, u.String(), nil)
		resp, err := s.cfg.client.Do(req)
		if err != nil {
			// Go's error quotes the URL it fetched, with hub.verify_token in it: name the callback
			// without its query, so the token never reaches the journal, a log or a report.
			var ue *url.Error
			if errors.As(err, &ue) {
				ue.URL = target
			}
			res.Error = s.attemptError(cctx, err).Error()
		} else {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
			resp.Body.Close()
			res.Status = resp.StatusCode
			res.Echoed = strings.TrimSpace(string(b)) == challenge
			res.OK = resp.StatusCode == http.StatusOK && res.Echoed
			switch {
			case isRedirect(resp.StatusCode):
				res.Error = redirectCause(resp.StatusCode, resp.Header)
			case !res.OK:
				res.Error = fmt.Sprintf("answered HTTP %d with %q; want 200 and the challenge %q", resp.StatusCode, truncate(string(b), 80), challenge)
			}
		}
		cancel()
	}
	s.mu.Lock()
	if s.webhook == target {
		s.verified = res.OK
	}
	s.mu.Unlock()
	s.journal.Record(journal.SourceWhatsApp, journal.KindWebhookVerify, "", res)
	return res
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
