package reference

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// HookVersion is the version of the certification hooks' JSON bodies (docs/bot-contract.md).
const HookVersion = "1"

// ConsentHook is the body of POST /parley/consent: an opt-in (or withdrawal) collected outside WhatsApp.
type ConsentHook struct {
	Version string    `json:"version"`
	WaID    string    `json:"wa_id"`
	Purpose string    `json:"purpose"` // marketing or notifications
	Given   *bool     `json:"given,omitempty"`
	Channel string    `json:"channel"` // web, sms, app, atm, store, phone, email
	Wording string    `json:"wording"`
	Time    time.Time `json:"time,omitzero"`
}

// NotifyHook is the body of POST /parley/notify: a business event for one customer.
type NotifyHook struct {
	Version string    `json:"version"`
	WaID    string    `json:"wa_id"`
	Event   string    `json:"event"` // order_shipped
	Order   string    `json:"order,omitempty"`
	Time    time.Time `json:"time,omitzero"`
}

// CampaignHook is the body of POST /parley/campaign: a marketing send to everyone who may receive it.
type CampaignHook struct {
	Version  string    `json:"version"`
	Campaign string    `json:"campaign"`
	Template string    `json:"template,omitempty"` // default promo_verano
	Language string    `json:"language,omitempty"` // default: each customer's language (es or en)
	Time     time.Time `json:"time,omitzero"`
}

// HandoffReleaseHook is the body of POST /parley/handoff/release: the human agent hands the chat back.
type HandoffReleaseHook struct {
	Version string `json:"version"`
	WaID    string `json:"wa_id"`
}

// HookResult is the answer of every hook.
type HookResult struct {
	Version string `json:"version"`
	Result  string `json:"result,omitempty"`
	ID      string `json:"id,omitempty"`
	Error   string `json:"error,omitempty"`
}

// CampaignResult is the answer of POST /parley/campaign.
type CampaignResult struct {
	Version string   `json:"version"`
	Result  string   `json:"result"`
	Sent    []string `json:"sent"`    // the wa_ids a marketing message went to
	Skipped int      `json:"skipped"` // in the audience but not allowed (opted out, restricted, held)
	Failed  int      `json:"failed"`
}

var (
	waIDPattern   = regexp.MustCompile(`^\d{6,15}$`)
	validChannels = map[string]bool{"web": true, "sms": true, "app": true, "atm": true, "store": true, "phone": true, "email": true, "whatsapp": true, "paper": true}
	validPurposes = map[string]bool{"marketing": true, "notifications": true}
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func hookError(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, HookResult{Version: HookVersion, Error: fmt.Sprintf(format, args...)})
}

// decodeHook reads a hook body strictly: unknown fields and a wrong version are refused.
func decodeHook(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		hookError(w, http.StatusBadRequest, "malformed hook body: %v", err)
		return false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		hookError(w, http.StatusBadRequest, "malformed hook body: trailing data")
		return false
	}
	return true
}

func checkVersion(w http.ResponseWriter, v string) bool {
	if v != HookVersion {
		hookError(w, http.StatusBadRequest, "unsupported hook version %q; this assistant speaks version %s", v, HookVersion)
		return false
	}
	return true
}

// at is the time a hook acts at: the body's time when the caller runs a simulated clock, else the bot's.
func (b *Bot) at(t time.Time) time.Time {
	if t.IsZero() || t.Year() <= 1 {
		return b.now()
	}
	b.observe(t.UTC())
	return t.UTC()
}

func (b *Bot) hookConsent(w http.ResponseWriter, r *http.Request) {
	var h ConsentHook
	if !decodeHook(w, r, &h) || !checkVersion(w, h.Version) {
		return
	}
	h.Purpose = strings.ToLower(h.Purpose)
	h.Channel = strings.ToLower(h.Channel)
	if !waIDPattern.MatchString(h.WaID) {
		hookError(w, http.StatusUnprocessableEntity, "wa_id %q must be the customer's number, digits only", h.WaID)
		return
	}
	if !validPurposes[h.Purpose] {
		hookError(w, http.StatusUnprocessableEntity, "purpose %q must be marketing or notifications", h.Purpose)
		return
	}
	given := h.Given == nil || *h.Given
	if given && !b.violates("WA-OPTIN-03") {
		if !validChannels[h.Channel] {
			hookError(w, http.StatusUnprocessableEntity, "channel %q must be one of web, sms, app, atm, store, phone, email, paper", h.Channel)
			return
		}
		if strings.TrimSpace(h.Wording) == "" {
			hookError(w, http.StatusUnprocessableEntity, "wording is required: the exact text the customer agreed to")
			return
		}
	}
	c := Consent{WaID: h.WaID, Purpose: h.Purpose, Given: given, Channel: h.Channel, Wording: h.Wording, Time: b.at(h.Time), Source: "hook"}
	done, err := b.enqueue(h.WaID, func(ctx context.Context) { b.recordConsent(c) })
	if err != nil {
		hookError(w, http.StatusServiceUnavailable, "%v", err)
		return
	}
	select {
	case <-done:
	case <-r.Context().Done():
		return
	}
	writeJSON(w, http.StatusCreated, HookResult{Version: HookVersion, Result: "recorded"})
}

// ConsentRecords is the answer of GET /parley/consent?wa_id=…: the ledger entries of one customer.
type ConsentRecords struct {
	Version    string    `json:"version"`
	WaID       string    `json:"wa_id"`
	Records    []Consent `json:"records"`
	Suppressed bool      `json:"suppressed"`
}

func (b *Bot) hookConsentRecords(w http.ResponseWriter, r *http.Request) {
	waID := r.URL.Query().Get("wa_id")
	if !waIDPattern.MatchString(waID) {
		hookError(w, http.StatusBadRequest, "wa_id query parameter required, digits only")
		return
	}
	_, suppressed := b.store.suppression(waID)
	recs := b.store.consentsOf(waID)
	if recs == nil {
		recs = []Consent{}
	}
	writeJSON(w, http.StatusOK, ConsentRecords{Version: HookVersion, WaID: waID, Records: recs, Suppressed: suppressed})
}

func (b *Bot) hookNotify(w http.ResponseWriter, r *http.Request) {
	var h NotifyHook
	if !decodeHook(w, r, &h) || !checkVersion(w, h.Version) {
		return
	}
	if !waIDPattern.MatchString(h.WaID) {
		hookError(w, http.StatusUnprocessableEntity, "wa_id %q must be digits only", h.WaID)
		return
	}
	if h.Event != "order_shipped" {
		hookError(w, http.StatusUnprocessableEntity, "event %q is not one this assistant sends; known: order_shipped", h.Event)
		return
	}
	now := b.at(h.Time)
	var res HookResult
	done, err := b.enqueue(h.WaID, func(ctx context.Context) { res = b.notify(ctx, h, now) })
	if err != nil {
		hookError(w, http.StatusServiceUnavailable, "%v", err)
		return
	}
	select {
	case <-done:
	case <-r.Context().Done():
		return
	}
	res.Version = HookVersion
	writeJSON(w, http.StatusOK, res)
}

// notify tells a customer about a business event: free-form inside the 24-hour window, the approved
// utility template outside it, and only with consent for notifications; never after an opt-out.
func (b *Bot) notify(ctx context.Context, h NotifyHook, now time.Time) HookResult {
	c, known := b.store.get(h.WaID)
	inWindow := known && !c.LastInbound.IsZero() && now.Sub(c.LastInbound) < window
	lang := b.lang(c)
	t := text(lang)
	optedOut := b.optedOut(h.WaID)
	if optedOut {
		return HookResult{Result: "skipped_opted_out"}
	}
	if inWindow || b.violates("WA-WINDOW-01") {
		res, err := b.wa.sendText(ctx, h.WaID, fmt.Sprintf(t.shipped, h.Order))
		if errorCode(err) == codeReengagement && !b.violates("WA-WINDOW-01") {
			// The platform saw the window closed (clocks differ): the template is the way, with consent.
			return b.notifyTemplate(ctx, h, lang, now)
		}
		if err != nil {
			b.log.Warn("notification not sent", "code", errorCode(err), "error", err)
			return HookResult{Result: "failed", Error: err.Error()}
		}
		b.rememberTemplate(res.MsgID, sentTemplate{waID: h.WaID, notifyOrder: h.Order})
		return HookResult{Result: "sent_text", ID: res.MsgID}
	}
	return b.notifyTemplate(ctx, h, lang, now)
}

// notifyTemplate sends the approved utility template for an order notice, only with consent.
func (b *Bot) notifyTemplate(ctx context.Context, h NotifyHook, lang string, now time.Time) HookResult {
	if !b.store.mayReceive(h.WaID, "notifications", now) && !(b.violates("WA-OPTIN-01") && b.chattedAndNotOptedOut(h.WaID)) {
		return HookResult{Result: "skipped_no_consent"}
	}
	param := h.Order
	if b.violates("WA-TPL-01") {
		param = h.Order + ". ¡Y llévate un 20% de descuento en tu próxima compra con el código VERANO20!"
	}
	name, tlang := templateShipped, templateLang(lang)
	if tlang == "en" {
		name = templateShippedEN
	}
	res, err := b.wa.sendTemplate(ctx, h.WaID, name, tlang, []string{param},
		[]templateButton{{SubType: "url", Value: h.Order}})
	if err != nil {
		b.log.Warn("notification template not sent", "code", errorCode(err), "error", err)
		return HookResult{Result: "failed", Error: err.Error()}
	}
	b.rememberTemplate(res.MsgID, sentTemplate{waID: h.WaID, name: name, lang: tlang})
	return HookResult{Result: "sent_template", ID: res.MsgID}
}

// optedOut reports whether the customer's last word on notifications was a withdrawal.
func (b *Bot) optedOut(waID string) bool {
	last := -1
	cs := b.store.consentsOf(waID)
	for i, c := range cs {
		if c.Purpose == "notifications" {
			last = i
		}
	}
	return last >= 0 && !cs[last].Given && cs[last].Source == "optout"
}

func (b *Bot) hookCampaign(w http.ResponseWriter, r *http.Request) {
	var h CampaignHook
	if !decodeHook(w, r, &h) || !checkVersion(w, h.Version) {
		return
	}
	if h.Template == "" {
		h.Template = templateMarketing
	}
	now := b.at(h.Time)
	audience := b.store.audience()
	if b.violates("WA-OPTIN-01") {
		audience = b.store.allKnown()
	}
	type outcome struct {
		waID   string
		result string
	}
	results := make(chan outcome, len(audience))
	var waits []<-chan struct{}
	for _, id := range audience {
		id := id
		done, err := b.enqueue(id, func(ctx context.Context) { results <- outcome{id, b.market(ctx, id, h, now)} })
		if err != nil {
			hookError(w, http.StatusServiceUnavailable, "%v", err)
			return
		}
		waits = append(waits, done)
	}
	for _, d := range waits {
		select {
		case <-d:
		case <-r.Context().Done():
			return
		}
	}
	close(results)
	res := CampaignResult{Version: HookVersion, Result: "done", Sent: []string{}}
	for o := range results {
		switch o.result {
		case "sent":
			res.Sent = append(res.Sent, o.waID)
		case "failed":
			res.Failed++
		default:
			res.Skipped++
		}
	}
	writeJSON(w, http.StatusOK, res)
}

// market sends one campaign message: always the approved marketing template (identifiable as
// commercial, with the business's name and a BAJA quick reply), only with marketing consent.
func (b *Bot) market(ctx context.Context, waID string, h CampaignHook, now time.Time) string {
	if !b.store.mayReceive(waID, "marketing", now) && !(b.violates("WA-OPTIN-01") && b.chattedAndNotOptedOut(waID)) {
		return "skipped"
	}
	c, _ := b.store.get(waID)
	if b.violates("WA-MKT-01") && !c.LastInbound.IsZero() && now.Sub(c.LastInbound) < window {
		if _, err := b.wa.sendText(ctx, waID, text(b.lang(c)).promoText); err != nil {
			return "failed"
		}
		return "sent"
	}
	lang := h.Language
	if lang == "" {
		lang = templateLang(b.lang(c))
	}
	return b.sendMarketingTemplate(ctx, waID, h.Template, lang)
}

func (b *Bot) sendMarketingTemplate(ctx context.Context, waID, name, lang string) string {
	return b.sendMarketing(ctx, waID, name, lang, false)
}

func (b *Bot) sendMarketing(ctx context.Context, waID, name, lang string, retry bool) string {
	payloads := []string{"BAJA"}
	c, _ := b.store.get(waID)
	greeting := c.Name
	if greeting == "" {
		greeting = c.ProfileName
	}
	if greeting == "" {
		greeting = map[bool]string{true: "there", false: "cliente"}[lang == "en"]
	}
	res, err := b.wa.sendTemplate(ctx, waID, name, lang, []string{greeting, "20 %", "VERANO20"},
		[]templateButton{{SubType: "quick_reply", Value: payloads[0]}})
	if err != nil {
		b.log.Warn("campaign message not sent", "code", errorCode(err), "error", err)
		b.onSendError(waID, err)
		return "failed"
	}
	b.rememberTemplate(res.MsgID, sentTemplate{waID: waID, name: name, lang: lang, payloads: payloads, retry: retry})
	return "sent"
}

// onSendError records what a synchronous error says about the customer.
func (b *Bot) onSendError(waID string, err error) {
	switch errorCode(err) {
	case codeMarketingOff:
		if !b.violates("WA-MKT-02") {
			b.store.suppress(waID, "platform_stop", b.now())
		}
	case codePerUserLimit:
		if !b.violates("WA-MKT-02") {
			b.store.hold(waID, b.now().Add(24*time.Hour))
		}
	}
}

func (b *Bot) hookHandoffRelease(w http.ResponseWriter, r *http.Request) {
	var h HandoffReleaseHook
	if !decodeHook(w, r, &h) || !checkVersion(w, h.Version) {
		return
	}
	var released bool
	done, err := b.enqueue(h.WaID, func(ctx context.Context) {
		c, ok := b.store.get(h.WaID)
		if !ok || c.HandoffSince == nil {
			return
		}
		b.store.update(h.WaID, func(c *customer) { c.HandoffSince = nil })
		released = true
	})
	if err != nil {
		hookError(w, http.StatusServiceUnavailable, "%v", err)
		return
	}
	select {
	case <-done:
	case <-r.Context().Done():
		return
	}
	if !released {
		hookError(w, http.StatusNotFound, "no open handoff for wa_id %q", h.WaID)
		return
	}
	writeJSON(w, http.StatusOK, HookResult{Version: HookVersion, Result: "released"})
}

// hookIdle answers once every message and hook job accepted so far has been handled (AwaitIdle), and
// 503 when the caller gives up first. It is AwaitIdle over HTTP, for a harness that runs the reference
// assistant in another process (a container) and would otherwise have to wait for silence to know it is
// done. It is not part of the bot contract: parley believes it of the reference assistant it runs
// itself, never of a vendor's, whose word about itself decides nothing.
func (b *Bot) hookIdle(w http.ResponseWriter, r *http.Request) {
	if err := b.AwaitIdle(r.Context()); err != nil {
		hookError(w, http.StatusServiceUnavailable, "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, HookResult{Version: HookVersion, Result: "idle"})
}

// handlePreference acts on WhatsApp's own "stop promotions" (user_preferences webhook).
func (b *Bot) handlePreference(ctx context.Context, waID, category, value string) {
	if category != "marketing_messages" || value != "stop" || b.violates("WA-MKT-02") {
		return
	}
	b.store.suppress(waID, "platform_stop", b.now())
}

// handleStatus acts on failed deliveries: 131050 suppresses marketing for good, 131049 holds marketing
// for 24 hours, 131047 is logged (nothing free-form is retried outside the window).
// actsOnStatus says whether handleStatus does anything with s: failures only.
func actsOnStatus(s statusUpdate) bool { return s.Status == "failed" }

func (b *Bot) handleStatus(ctx context.Context, s statusUpdate) {
	if !actsOnStatus(s) {
		return
	}
	for _, e := range s.Errors {
		b.log.Info("message failed", "code", e.Code, "title", e.Title)
		switch e.Code {
		case codeReengagement:
			// A free-form order notice the platform refused as outside the window: never resend it
			// free-form; send the template instead when the customer consented to notifications.
			if t, ok := b.templateOf(s.ID); ok && t.notifyOrder != "" && !b.violates("WA-WINDOW-01") {
				c, _ := b.store.get(t.waID)
				b.notifyTemplate(ctx, NotifyHook{WaID: t.waID, Order: t.notifyOrder}, b.lang(c), b.now())
			}
		case codeMarketingOff, codePerUserLimit:
			if b.violates("WA-MKT-02") {
				if t, ok := b.templateOf(s.ID); ok && e.Code == codePerUserLimit && !t.retry {
					b.sendMarketing(ctx, t.waID, t.name, t.lang, true) // the immediate resend Meta warns about
				}
				continue
			}
			b.onSendError(s.RecipientID, &graphError{Code: e.Code})
		}
	}
}

// chattedAndNotOptedOut is the WA-OPTIN-01 switch's idea of consent: the customer wrote to the business
// and never opted out, objected, restricted or was erased.
func (b *Bot) chattedAndNotOptedOut(waID string) bool {
	c, ok := b.store.get(waID)
	if !ok || c.Restricted {
		return false
	}
	if _, suppressed := b.store.suppression(waID); suppressed {
		return false
	}
	for _, r := range b.store.consentsOf(waID) {
		if !r.Given {
			return false
		}
	}
	return true
}
