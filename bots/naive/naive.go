// Package naive is an assistant written from the bot contract alone by someone in a hurry: the WhatsApp
// line of "Papelería Lupe", a stationery shop. It checks webhook signatures and implements the four
// certification hooks, but it answers every message with the same text, records every opt-in its consent
// hook is given (even without the words the customer agreed to), never listens to an opt-out, and sends
// each campaign to everyone who ever opted in. parley must not certify it: its opt-out violation
// (WA-OPTOUT-01) is the one a certification run has to catch.
package naive

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Reply is the one text the assistant sends, whatever the customer writes.
const Reply = "¡Hola! Gracias por escribir a Papelería Lupe. ¿En qué podemos ayudarte? " +
	"Si quieres recibir nuestras ofertas y novedades por WhatsApp, responde SÍ."

// Config is the part of the bot contract this assistant uses: it never calls Dialogflow or DLP.
type Config struct {
	GraphURL, GraphVersion, PhoneID, Token, AppSecret, VerifyToken string
}

// ConfigFromEnv reads the contract's WhatsApp variables.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{GraphURL: strings.TrimRight(getenv("WHATSAPP_API_URL"), "/"), GraphVersion: getenv("WHATSAPP_API_VERSION"),
		PhoneID: getenv("WHATSAPP_PHONE_NUMBER_ID"), Token: getenv("WHATSAPP_TOKEN"),
		AppSecret: getenv("WHATSAPP_APP_SECRET"), VerifyToken: getenv("WHATSAPP_VERIFY_TOKEN")}
	if c.GraphVersion == "" {
		c.GraphVersion = "v23.0"
	}
	var missing []string
	for name, v := range map[string]string{"WHATSAPP_API_URL": c.GraphURL, "WHATSAPP_PHONE_NUMBER_ID": c.PhoneID,
		"WHATSAPP_TOKEN": c.Token, "WHATSAPP_APP_SECRET": c.AppSecret, "WHATSAPP_VERIFY_TOKEN": c.VerifyToken} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return c, fmt.Errorf("naive: bot contract: %s not set", strings.Join(missing, ", "))
	}
	return c, nil
}

// Bot is the naive assistant.
type Bot struct {
	cfg  Config
	log  *slog.Logger
	http *http.Client
	wg   sync.WaitGroup

	mu       sync.Mutex
	optedIn  map[string]bool      // everyone who ever opted in, by any route; nothing ever removes anyone
	lastSaid map[string]time.Time // a customer's last message, for the 24-hour window
	latest   time.Time            // the latest time a webhook or hook told
}

// New builds the assistant; log may be nil.
func New(cfg Config, log *slog.Logger) *Bot {
	if log == nil {
		log = slog.Default()
	}
	return &Bot{cfg: cfg, log: log, http: &http.Client{Timeout: 15 * time.Second},
		optedIn: map[string]bool{}, lastSaid: map[string]time.Time{}}
}

// Close waits for the replies being sent.
func (b *Bot) Close() error {
	b.wg.Wait()
	return nil
}

// Handler serves the webhook and the hooks.
func (b *Bot) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /webhook", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("hub.mode") != "subscribe" || !hmac.Equal([]byte(q.Get("hub.verify_token")), []byte(b.cfg.VerifyToken)) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		_, _ = io.WriteString(w, q.Get("hub.challenge"))
	})
	mux.HandleFunc("POST /webhook", b.webhook)
	mux.HandleFunc("POST /parley/consent", b.consent)
	mux.HandleFunc("POST /parley/notify", b.notify)
	mux.HandleFunc("POST /parley/campaign", b.campaign)
	mux.HandleFunc("POST /parley/handoff/release", func(w http.ResponseWriter, r *http.Request) {
		var h struct{ Version string }
		if !decode(w, r, &h, &h.Version) {
			return
		}
		reply(w, http.StatusOK, map[string]any{"result": "released"})
	})
	return mux
}

// Signed checks X-Hub-Signature-256 over the raw body.
func Signed(secret string, body []byte, header string) bool {
	sig, ok := strings.CutPrefix(header, "sha256=")
	got, err := hex.DecodeString(sig)
	if !ok || err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

var yes = regexp.MustCompile(`(?i)^\s*(?:s[ií]|yes|vale|ok)(?:[\s.,!]|$)`)

func (b *Bot) webhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<20))
	if err != nil {
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		return
	}
	switch sig := r.Header.Get("X-Hub-Signature-256"); {
	case sig == "":
		http.Error(w, "unsigned", http.StatusUnauthorized)
		return
	case !Signed(b.cfg.AppSecret, body, sig):
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	var d struct {
		Entry []struct {
			Changes []struct {
				Value struct {
					Messages []struct {
						From, Timestamp, Type string
						Text                  struct{ Body string }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(body, &d); err != nil {
		http.Error(w, "bad JSON", http.StatusBadRequest)
		return
	}
	for _, e := range d.Entry {
		for _, c := range e.Changes {
			for _, m := range c.Value.Messages {
				b.heard(m.From, m.Timestamp, m.Text.Body)
			}
		}
	}
	w.WriteHeader(http.StatusOK)
}

// heard notes a message and answers it, always the same way.
func (b *Bot) heard(from, timestamp, text string) {
	if from == "" {
		return
	}
	at := time.Now().UTC()
	if n, err := strconv.ParseInt(timestamp, 10, 64); err == nil && n > 0 {
		at = time.Unix(n, 0).UTC()
	}
	b.mu.Lock()
	b.lastSaid[from] = at
	if at.After(b.latest) {
		b.latest = at
	}
	if yes.MatchString(text) {
		b.optedIn[from] = true
	}
	b.mu.Unlock()
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		if err := b.send(context.Background(), map[string]any{"messaging_product": "whatsapp", "to": from, "type": "text",
			"text": map[string]string{"body": Reply}}); err != nil {
			b.log.Warn("reply not sent", "error", err)
		}
	}()
}

// decode reads a hook body; version must be "1".
func decode(w http.ResponseWriter, r *http.Request, into any, version *string) bool {
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(into); err != nil {
		reply(w, http.StatusBadRequest, map[string]any{"error": "bad JSON: " + err.Error()})
		return false
	}
	if *version != "1" {
		reply(w, http.StatusBadRequest, map[string]any{"error": "version must be 1"})
		return false
	}
	return true
}

func reply(w http.ResponseWriter, status int, fields map[string]any) {
	fields["version"] = "1"
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(fields)
}

func (b *Bot) at(t time.Time) time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	if t.After(b.latest) {
		b.latest = t
	}
	if b.latest.IsZero() {
		return time.Now().UTC()
	}
	return b.latest
}

// consent records any opt-in, with or without its channel and wording; a withdrawal is ignored.
func (b *Bot) consent(w http.ResponseWriter, r *http.Request) {
	var h struct {
		Version, Purpose string
		WaID             string `json:"wa_id"`
		Given            *bool
		Time             time.Time
	}
	if !decode(w, r, &h, &h.Version) {
		return
	}
	b.at(h.Time)
	if h.WaID == "" {
		reply(w, http.StatusUnprocessableEntity, map[string]any{"error": "wa_id missing"})
		return
	}
	if h.Given == nil || *h.Given {
		b.mu.Lock()
		b.optedIn[h.WaID] = true
		b.mu.Unlock()
	}
	reply(w, http.StatusCreated, map[string]any{"result": "recorded"})
}

// notify sends the shipping notice: text inside the window, the template outside it, to anyone.
func (b *Bot) notify(w http.ResponseWriter, r *http.Request) {
	var h struct {
		Version, Event, Order string
		WaID                  string `json:"wa_id"`
		Time                  time.Time
	}
	if !decode(w, r, &h, &h.Version) {
		return
	}
	now := b.at(h.Time)
	b.mu.Lock()
	last, seen := b.lastSaid[h.WaID]
	b.mu.Unlock()
	msg := map[string]any{"messaging_product": "whatsapp", "to": h.WaID, "type": "template",
		"template": map[string]any{"name": "pedido_enviado", "language": map[string]string{"code": "es"},
			"components": []any{
				map[string]any{"type": "body", "parameters": []any{map[string]string{"type": "text", "text": h.Order}}},
				map[string]any{"type": "button", "sub_type": "url", "index": "0", "parameters": []any{map[string]string{"type": "text", "text": h.Order}}},
			}}}
	result := "sent_template"
	if seen && now.Sub(last) <= 24*time.Hour {
		msg = map[string]any{"messaging_product": "whatsapp", "to": h.WaID, "type": "text",
			"text": map[string]string{"body": "Tu pedido " + h.Order + " ya está en camino."}}
		result = "sent_text"
	}
	if err := b.send(r.Context(), msg); err != nil {
		reply(w, http.StatusOK, map[string]any{"result": "failed", "detail": err.Error()})
		return
	}
	reply(w, http.StatusOK, map[string]any{"result": result})
}

// campaign sends the marketing template to everyone who ever opted in.
func (b *Bot) campaign(w http.ResponseWriter, r *http.Request) {
	var h struct {
		Version, Campaign, Template, Language string
		Time                                  time.Time
	}
	if !decode(w, r, &h, &h.Version) {
		return
	}
	b.at(h.Time)
	if h.Template == "" {
		h.Template = "promo_verano"
	}
	if h.Language == "" {
		h.Language = "es"
	}
	b.mu.Lock()
	var everyone []string
	for n := range b.optedIn {
		everyone = append(everyone, n)
	}
	b.mu.Unlock()
	sort.Strings(everyone)
	sent, failed := []string{}, 0
	for _, n := range everyone {
		err := b.send(r.Context(), map[string]any{"messaging_product": "whatsapp", "to": n, "type": "template",
			"template": map[string]any{"name": h.Template, "language": map[string]string{"code": h.Language},
				"components": []any{
					map[string]any{"type": "body", "parameters": []any{
						map[string]string{"type": "text", "text": "cliente de Papelería Lupe"},
						map[string]string{"type": "text", "text": "10%"},
						map[string]string{"type": "text", "text": "LUPE10"}}},
					map[string]any{"type": "button", "sub_type": "quick_reply", "index": "0",
						"parameters": []any{map[string]string{"type": "payload", "payload": "STOP"}}},
				}}})
		if err != nil {
			failed++
			continue
		}
		sent = append(sent, n)
	}
	reply(w, http.StatusOK, map[string]any{"result": "done", "sent": sent, "skipped": 0, "failed": failed})
}

func (b *Bot) send(ctx context.Context, msg map[string]any) error {
	raw, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.cfg.GraphURL+"/"+b.cfg.GraphVersion+"/"+b.cfg.PhoneID+"/messages", bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+b.cfg.Token)
	resp, err := b.http.Do(req)
	if err != nil {
		return fmt.Errorf("naive: send: %w", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return errors.New("naive: send refused: " + string(data))
	}
	return nil
}
