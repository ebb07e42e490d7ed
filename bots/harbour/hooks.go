package harbour

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// hookVersion is the version of the certification hooks this assistant speaks.
const hookVersion = "1"

type consentCall struct {
	Version string    `json:"version"`
	WaID    string    `json:"wa_id"`
	Purpose string    `json:"purpose"`
	Given   *bool     `json:"given"`
	Channel string    `json:"channel"`
	Wording string    `json:"wording"`
	Time    time.Time `json:"time"`
}

type notifyCall struct {
	Version string    `json:"version"`
	WaID    string    `json:"wa_id"`
	Event   string    `json:"event"`
	Order   string    `json:"order"`
	Time    time.Time `json:"time"`
}

type campaignCall struct {
	Version  string    `json:"version"`
	Campaign string    `json:"campaign"`
	Template string    `json:"template"`
	Language string    `json:"language"`
	Time     time.Time `json:"time"`
}

type releaseCall struct {
	Version string    `json:"version"`
	WaID    string    `json:"wa_id"`
	Time    time.Time `json:"time"`
}

// hookFailure is a refusal with its HTTP status.
type hookFailure struct {
	status int
	msg    string
}

func (f *hookFailure) Error() string { return f.msg }

func refuse(status int, format string, args ...any) error {
	return &hookFailure{status: status, msg: fmt.Sprintf(format, args...)}
}

// readHook decodes a hook body strictly: JSON, at most 64 KiB, no unknown fields, version "1".
func readHook(r *http.Request, into any, version func() string) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10+1))
	if err != nil {
		return refuse(http.StatusBadRequest, "unreadable body: %v", err)
	}
	if len(body) > 64<<10 {
		return refuse(http.StatusBadRequest, "body over 64 KiB")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return refuse(http.StatusBadRequest, "bad JSON: %v", err)
	}
	if v := version(); v != hookVersion {
		return refuse(http.StatusBadRequest, "version %q is not %q", v, hookVersion)
	}
	return nil
}

// answer writes {"version":"1","result":…} or, for an error, {"version":"1","error":…}.
func answerHook(w http.ResponseWriter, status int, fields map[string]any, err error) {
	if err != nil {
		var f *hookFailure
		status = http.StatusInternalServerError
		if errors.As(err, &f) {
			status = f.status
		}
		fields = map[string]any{"error": err.Error()}
	}
	fields["version"] = hookVersion
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(fields)
}

var digits = regexp.MustCompile(`^\d{6,15}$`)

var channels = []string{"web", "sms", "app", "atm", "store", "phone", "email", "paper"}

// hookTime is the caller's time for the event, which also moves the assistant's clock.
func (a *Assistant) hookTime(t time.Time) time.Time {
	if t.IsZero() || t.Year() < 2000 {
		return a.now()
	}
	a.told(t)
	return t.UTC()
}

// consentHook records an opt-in (or a withdrawal) collected outside WhatsApp. An opt-in must say where it
// was collected and the words agreed to, and those words must name Harbour Books: anything less is not a
// consent the business could demonstrate.
func (a *Assistant) consentHook(w http.ResponseWriter, r *http.Request) {
	var call consentCall
	if err := readHook(r, &call, func() string { return call.Version }); err != nil {
		answerHook(w, 0, nil, err)
		return
	}
	given := call.Given == nil || *call.Given
	if err := checkConsent(call, given); err != nil {
		answerHook(w, 0, nil, err)
		return
	}
	at := a.hookTime(call.Time)
	done, err := a.queue(call.WaID, func(context.Context) {
		c, _ := a.book.get(call.WaID)
		c.Consents = append(c.Consents, consent{Purpose: call.Purpose, Given: given, Channel: call.Channel,
			Wording: call.Wording, Time: at, Source: "hook"})
		if !given && call.Purpose == purposeMarketing {
			c.OptedOut = at
		}
		if c.Lang == "" {
			c.Lang = language(call.Wording)
		}
		a.book.put(c)
	})
	if err != nil {
		answerHook(w, 0, nil, refuse(http.StatusServiceUnavailable, "%v", err))
		return
	}
	<-done
	answerHook(w, http.StatusCreated, map[string]any{"result": "recorded"}, nil)
}

func checkConsent(call consentCall, given bool) error {
	switch {
	case !digits.MatchString(call.WaID):
		return refuse(http.StatusUnprocessableEntity, "wa_id %q is not a number in digits", call.WaID)
	case call.Purpose != purposeMarketing && call.Purpose != purposeNotifications:
		return refuse(http.StatusUnprocessableEntity, "purpose %q is not marketing or notifications", call.Purpose)
	case !given:
		return nil
	case !slices.Contains(channels, call.Channel):
		return refuse(http.StatusUnprocessableEntity, "channel %q is not one of %s", call.Channel, strings.Join(channels, ", "))
	case strings.TrimSpace(call.Wording) == "":
		return refuse(http.StatusUnprocessableEntity, "an opt-in needs the wording the customer agreed to")
	case !strings.Contains(fold(call.Wording), fold(businessName)):
		return refuse(http.StatusUnprocessableEntity, "the wording does not name %s, so it is not a consent to our messages", businessName)
	}
	return nil
}

// notifyHook tells a customer their order has shipped: in words inside the 24-hour window, with the
// approved utility template outside it and only with a notifications opt-in; never after an opt-out.
func (a *Assistant) notifyHook(w http.ResponseWriter, r *http.Request) {
	var call notifyCall
	if err := readHook(r, &call, func() string { return call.Version }); err != nil {
		answerHook(w, 0, nil, err)
		return
	}
	if !digits.MatchString(call.WaID) || call.Event != "order_shipped" || strings.TrimSpace(call.Order) == "" {
		answerHook(w, 0, nil, refuse(http.StatusUnprocessableEntity, "need a wa_id in digits, event order_shipped and an order"))
		return
	}
	at := a.hookTime(call.Time)
	var result map[string]any
	done, err := a.queue(call.WaID, func(ctx context.Context) { result = a.notify(ctx, call, at) })
	if err != nil {
		answerHook(w, 0, nil, refuse(http.StatusServiceUnavailable, "%v", err))
		return
	}
	<-done
	answerHook(w, http.StatusOK, result, nil)
}

func (a *Assistant) notify(ctx context.Context, call notifyCall, at time.Time) map[string]any {
	c, _ := a.book.get(call.WaID)
	lang := c.Lang
	if lang == "" {
		lang = "en"
	}
	if !c.OptedOut.IsZero() && !c.consentsTo(purposeNotifications) {
		return map[string]any{"result": "skipped_opted_out"}
	}
	if c.inWindow(at) {
		id, err := a.wa.text(ctx, call.WaID, fmt.Sprintf(textsIn(lang).shipped, call.Order))
		if err == nil {
			return map[string]any{"result": "sent_text", "id": id}
		}
		if codeOf(err) != codeWindowClosed {
			return map[string]any{"result": "failed", "detail": err.Error()}
		}
	}
	if !c.mayNotify() {
		return map[string]any{"result": "skipped_no_consent"}
	}
	name := "order_shipped"
	if lang == "es" {
		name = "pedido_enviado"
	}
	id, err := a.wa.template(ctx, call.WaID, name, lang, []string{call.Order}, "url", call.Order)
	if err != nil {
		return map[string]any{"result": "failed", "detail": err.Error()}
	}
	return map[string]any{"result": "sent_template", "id": id}
}

// campaignHook sends the marketing template to every customer who may receive it, and to nobody else.
func (a *Assistant) campaignHook(w http.ResponseWriter, r *http.Request) {
	var call campaignCall
	if err := readHook(r, &call, func() string { return call.Version }); err != nil {
		answerHook(w, 0, nil, err)
		return
	}
	if call.Template == "" {
		call.Template = "promo_verano"
	}
	if call.Language != "" && call.Language != "en" && call.Language != "es" {
		answerHook(w, 0, nil, refuse(http.StatusUnprocessableEntity, "language %q is not en or es", call.Language))
		return
	}
	at := a.hookTime(call.Time)
	sent, skipped, failed := a.campaign(call, at)
	answerHook(w, http.StatusOK, map[string]any{"result": "done", "sent": sent, "skipped": skipped, "failed": failed}, nil)
}

func (a *Assistant) campaign(call campaignCall, at time.Time) (sent []string, skipped, failed int) {
	sent = []string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range a.book.numbers() {
		wg.Add(1)
		_, err := a.queue(n, func(ctx context.Context) {
			defer wg.Done()
			outcome := a.offer(ctx, n, call, at)
			mu.Lock()
			defer mu.Unlock()
			switch outcome {
			case "sent":
				sent = append(sent, n)
			case "failed":
				failed++
			default:
				skipped++
			}
		})
		if err != nil {
			wg.Done()
			failed++
		}
	}
	wg.Wait()
	slices.Sort(sent)
	return sent, skipped, failed
}

// offer sends the campaign to one customer if they may receive marketing.
func (a *Assistant) offer(ctx context.Context, waID string, call campaignCall, at time.Time) string {
	c, known := a.book.get(waID)
	if !known || !c.mayMarket(at) {
		return "skipped"
	}
	lang := call.Language
	if lang == "" {
		lang = c.Lang
	}
	if lang != "es" {
		lang = "en"
	}
	// The approved template's greeting names the shop, so the message says who sends it; its footer
	// button stops the offers.
	greeting := map[string]string{"en": "reader of " + businessName, "es": "lector de " + businessName}[lang]
	_, err := a.wa.template(ctx, waID, call.Template, lang, []string{greeting, "15%", "HARBOUR15"}, "quick_reply", "HB-STOP")
	switch codeOf(err) {
	case 0:
		if err != nil {
			return "failed"
		}
		return "sent"
	case codeStopped, codeUserLimit:
		a.platformSaid(waID, codeOf(err), at)
	}
	return "failed"
}

// releaseHook ends a handoff: the assistant answers the customer again.
func (a *Assistant) releaseHook(w http.ResponseWriter, r *http.Request) {
	var call releaseCall
	if err := readHook(r, &call, func() string { return call.Version }); err != nil {
		answerHook(w, 0, nil, err)
		return
	}
	if !digits.MatchString(call.WaID) {
		answerHook(w, 0, nil, refuse(http.StatusUnprocessableEntity, "wa_id %q is not a number in digits", call.WaID))
		return
	}
	a.hookTime(call.Time)
	open := false
	done, err := a.queue(call.WaID, func(context.Context) {
		c, known := a.book.get(call.WaID)
		if known && !c.Handoff.IsZero() {
			open = true
			c.Handoff = time.Time{}
			a.book.put(c)
		}
	})
	if err != nil {
		answerHook(w, 0, nil, refuse(http.StatusServiceUnavailable, "%v", err))
		return
	}
	<-done
	if !open {
		answerHook(w, 0, nil, refuse(http.StatusNotFound, "no handoff is open for %s", call.WaID))
		return
	}
	answerHook(w, http.StatusOK, map[string]any{"result": "released"}, nil)
}
