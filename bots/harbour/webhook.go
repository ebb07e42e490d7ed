package harbour

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Handler serves GET and POST /webhook and the certification hooks under /parley/.
func (a *Assistant) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /webhook", a.handshake)
	mux.HandleFunc("POST /webhook", a.webhook)
	mux.HandleFunc("POST /parley/consent", a.consentHook)
	mux.HandleFunc("POST /parley/notify", a.notifyHook)
	mux.HandleFunc("POST /parley/campaign", a.campaignHook)
	mux.HandleFunc("POST /parley/handoff/release", a.releaseHook)
	return mux
}

func (a *Assistant) handshake(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("hub.mode") != "subscribe" || subtle.ConstantTimeCompare([]byte(q.Get("hub.verify_token")), []byte(a.settings.VerifyToken)) != 1 {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, q.Get("hub.challenge"))
}

// signed checks X-Hub-Signature-256 over the body exactly as received, in constant time.
func signed(secret string, body []byte, header string) bool {
	sig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

// delivery is the part of Meta's webhook the assistant reads.
type delivery struct {
	Object string `json:"object"`
	Entry  []struct {
		Changes []struct {
			Field string `json:"field"`
			Value struct {
				Messages []incoming `json:"messages"`
				Statuses []struct {
					RecipientID string `json:"recipient_id"`
					Status      string `json:"status"`
					Timestamp   string `json:"timestamp"`
					Errors      []struct {
						Code int `json:"code"`
					} `json:"errors"`
				} `json:"statuses"`
				UserPreferences []struct {
					WaID     string `json:"wa_id"`
					Category string `json:"category"`
					Value    string `json:"value"`
				} `json:"user_preferences"`
			} `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type incoming struct {
	ID        string `json:"id"`
	From      string `json:"from"`
	Timestamp string `json:"timestamp"`
	Type      string `json:"type"`
	Text      struct {
		Body string `json:"body"`
	} `json:"text"`
	Button struct {
		Text    string `json:"text"`
		Payload string `json:"payload"`
	} `json:"button"`
	Interactive struct {
		ButtonReply struct {
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply struct {
			Title string `json:"title"`
		} `json:"list_reply"`
	} `json:"interactive"`
}

// words is what the customer said or tapped; media and other types have none.
func (m incoming) words() string {
	switch m.Type {
	case "text":
		return m.Text.Body
	case "button":
		return m.Button.Text
	case "interactive":
		return m.Interactive.ButtonReply.Title + m.Interactive.ListReply.Title
	}
	return ""
}

func (a *Assistant) webhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<20))
	if err != nil {
		http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	header := r.Header.Get("X-Hub-Signature-256")
	if header == "" {
		http.Error(w, "unsigned", http.StatusUnauthorized)
		return
	}
	if !signed(a.settings.AppSecret, body, header) {
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	var d delivery
	if err := json.Unmarshal(body, &d); err != nil {
		http.Error(w, "malformed JSON", http.StatusBadRequest)
		return
	}
	if err := a.take(d); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// take queues what a delivery asks of the assistant; the answer to WhatsApp does not wait for it.
func (a *Assistant) take(d delivery) error {
	for _, e := range d.Entry {
		for _, ch := range e.Changes {
			v := ch.Value
			for _, m := range v.Messages {
				if m.From == "" || !a.firstTime(m.ID) {
					continue
				}
				at := unix(m.Timestamp)
				a.told(at)
				if _, err := a.queue(m.From, func(ctx context.Context) { a.converse(ctx, m, a.orNow(at)) }); err != nil {
					return err
				}
			}
			for _, s := range v.Statuses {
				a.told(unix(s.Timestamp))
				for _, e := range s.Errors {
					if e.Code == codeStopped || e.Code == codeUserLimit {
						to, code, at := s.RecipientID, e.Code, a.now()
						if _, err := a.queue(to, func(context.Context) { a.platformSaid(to, code, at) }); err != nil {
							return err
						}
					}
				}
			}
			for _, p := range v.UserPreferences {
				if strings.EqualFold(p.Category, "marketing_messages") && strings.EqualFold(p.Value, "stop") {
					to, at := p.WaID, a.now()
					if _, err := a.queue(to, func(context.Context) { a.platformSaid(to, codeStopped, at) }); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func (a *Assistant) orNow(t time.Time) time.Time {
	if t.IsZero() {
		return a.now()
	}
	return t
}

func unix(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}
