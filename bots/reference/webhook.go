package reference

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parley-dev/parley/pii"
)

// maxWebhookBody is Meta's documented payload ceiling (3 MB) plus headroom for escaping.
const maxWebhookBody = 4 << 20

// Handler serves the WhatsApp webhook at /webhook and the certification hooks under /parley/
// (docs/bot-contract.md), and GET /parley/idle, the reference assistant's own idle signal (hookIdle).
func (b *Bot) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /webhook", b.verifyHandshake)
	mux.HandleFunc("POST /webhook", b.receiveWebhook)
	mux.HandleFunc("POST /parley/consent", b.hookConsent)
	mux.HandleFunc("GET /parley/consent", b.hookConsentRecords)
	mux.HandleFunc("POST /parley/notify", b.hookNotify)
	mux.HandleFunc("POST /parley/campaign", b.hookCampaign)
	mux.HandleFunc("POST /parley/handoff/release", b.hookHandoffRelease)
	mux.HandleFunc("GET /parley/idle", b.hookIdle)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	return mux
}

// verifyHandshake answers Meta's subscription check: echo hub.challenge when hub.verify_token matches.
func (b *Bot) verifyHandshake(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	token := q.Get("hub.verify_token")
	if q.Get("hub.mode") != "subscribe" || subtle.ConstantTimeCompare([]byte(token), []byte(b.cfg.VerifyToken)) != 1 {
		b.log.Warn("webhook verification refused", "mode", q.Get("hub.mode"))
		http.Error(w, "verification failed", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, q.Get("hub.challenge"))
}

// validSignature checks X-Hub-Signature-256 over the raw body, in constant time (hmac.Equal). The body
// must not be re-serialised first: Meta signs its own escaped bytes.
func validSignature(secret string, body []byte, header string) bool {
	return signedBy(hmac.New(sha256.New, []byte(secret)), body, header)
}

// signedBy is validSignature with m, a keyed HMAC-SHA256 in its initial state.
func signedBy(m hash.Hash, body []byte, header string) bool {
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok || len(hexSig) != 2*sha256.Size {
		return false
	}
	var got, want [sha256.Size]byte
	if _, err := hex.Decode(got[:], []byte(hexSig)); err != nil {
		return false
	}
	m.Write(body)
	return hmac.Equal(got[:], m.Sum(want[:0]))
}

// validWebhookSignature is validSignature under the app secret, with a keyed HMAC from the pool (keying
// one costs two SHA-256 blocks and a kilobyte of garbage per webhook).
func (b *Bot) validWebhookSignature(body []byte, header string) bool {
	return b.webhookMACs.signed(body, header)
}

// readAll is io.ReadAll, starting with room for size bytes and the read that finds the end when size (a
// Content-Length) is known and at most limit: io.ReadAll starts at 512 bytes and grows, copying, through
// every webhook.
func readAll(r io.Reader, size, limit int64) ([]byte, error) {
	if size <= 0 || size > limit {
		return io.ReadAll(r)
	}
	b := make([]byte, 0, size+1)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// The webhook envelope, as far as the assistant reads it (Meta's webhook reference for WhatsApp Business
// Accounts: messages and statuses).
type webhookEnvelope struct {
	Object string `json:"object"`
	Entry  []struct {
		Changes []struct {
			Field string      `json:"field"`
			Value changeValue `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type changeValue struct {
	Contacts []struct {
		WaID    string `json:"wa_id"`
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
	} `json:"contacts"`
	Messages        []inboundMessage `json:"messages"`
	Statuses        []statusUpdate   `json:"statuses"`
	UserPreferences []struct {
		WaID     string `json:"wa_id"`
		Category string `json:"category"`
		Value    string `json:"value"`
	} `json:"user_preferences"`
	Errors []struct {
		Code  int    `json:"code"`
		Title string `json:"title"`
	} `json:"errors"`
}

type inboundMessage struct {
	From      string `json:"from"`
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Type      string `json:"type"`
	Text      *struct {
		Body string `json:"body"`
	} `json:"text"`
	Button *struct {
		Payload string `json:"payload"`
		Text    string `json:"text"`
	} `json:"button"`
	Interactive *struct {
		Type        string `json:"type"`
		ButtonReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"list_reply"`
	} `json:"interactive"`
	Image    *mediaObject `json:"image"`
	Document *mediaObject `json:"document"`
	Video    *mediaObject `json:"video"`
	Audio    *mediaObject `json:"audio"`
	Sticker  *mediaObject `json:"sticker"`
	Location *struct {
		Latitude any `json:"latitude"`
	} `json:"location"`
	Reaction *struct {
		Emoji string `json:"emoji"`
	} `json:"reaction"`
}

type mediaObject struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	Caption  string `json:"caption"`
}

type statusUpdate struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	Timestamp   string `json:"timestamp"`
	RecipientID string `json:"recipient_id"`
	Errors      []struct {
		Code  int    `json:"code"`
		Title string `json:"title"`
	} `json:"errors"`
}

// inbound is one customer message, reduced to what the conversation needs.
type inbound struct {
	ID          string
	From        string
	ProfileName string
	Time        time.Time
	Type        string // text, button, interactive, media, location, reaction, unsupported
	Text        string
	ReplyID     string    // id of a tapped reply button or list row
	First       bool      // the customer's first contact (set when handled)
	memo        *textMemo // what the turn works out about the text it handles, once
}

// textMemo is what recognise and pii.Find answer for one text (the message as handled), each worked
// out at the first question. It is used only on the customer's lane.
type textMemo struct {
	text string

	recognised bool
	intent     intent

	found   bool
	matches []pii.Match // shared: callers must not change it (pii.Only and mask copy)
}

// recognise is recognise(txt), without recognising the message's own text more than once.
func (in inbound) recognise(txt string) intent {
	m := in.memo
	if m == nil || m.text != txt {
		return recognise(txt)
	}
	if !m.recognised {
		m.intent, m.recognised = recognise(txt), true
	}
	return m.intent
}

// find is pii.Find(txt), without scanning the message's own text more than once.
func (in inbound) find(txt string) []pii.Match {
	m := in.memo
	if m == nil || m.text != txt {
		return pii.Find(txt)
	}
	if !m.found {
		m.matches, m.found = pii.Find(txt), true
	}
	return m.matches
}

func (b *Bot) receiveWebhook(w http.ResponseWriter, r *http.Request) {
	body, err := readAll(http.MaxBytesReader(w, r.Body, maxWebhookBody), r.ContentLength, maxWebhookBody)
	if err != nil {
		b.log.Warn("webhook body refused", "error", err)
		http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	sig := r.Header.Get("X-Hub-Signature-256")
	if !b.violates("WA-SEC-01") {
		if sig == "" {
			b.log.Warn("unsigned webhook refused")
			http.Error(w, "missing X-Hub-Signature-256", http.StatusUnauthorized)
			return
		}
		if !b.validWebhookSignature(body, sig) {
			b.log.Warn("webhook with a bad signature refused")
			http.Error(w, "invalid X-Hub-Signature-256", http.StatusForbidden)
			return
		}
	}
	var env webhookEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		b.log.Warn("malformed webhook refused", "error", err)
		http.Error(w, "malformed JSON", http.StatusBadRequest)
		return
	}
	if env.Object != "whatsapp_business_account" {
		b.log.Warn("webhook for an object this assistant does not handle; acknowledged and ignored", "object", env.Object)
		w.WriteHeader(http.StatusOK)
		return
	}
	for _, e := range env.Entry {
		for _, ch := range e.Changes {
			if err := b.dispatch(ch.Field, ch.Value); err != nil {
				// Closing: answer 503 so Meta redelivers later rather than the message being lost.
				http.Error(w, err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
	}
	w.WriteHeader(http.StatusOK)
}

func (b *Bot) dispatch(field string, v changeValue) error {
	switch field {
	case "messages":
	case "user_preferences":
		for _, p := range v.UserPreferences {
			p := p
			if _, err := b.enqueue(p.WaID, func(ctx context.Context) { b.handlePreference(ctx, p.WaID, p.Category, p.Value) }); err != nil {
				return err
			}
		}
		return nil
	default:
		b.log.Info("webhook field not handled; acknowledged", "field", field)
		return nil
	}
	names := map[string]string{}
	for _, c := range v.Contacts {
		names[c.WaID] = c.Profile.Name
	}
	for _, m := range v.Messages {
		b.observe(parseUnix(m.Timestamp, time.Time{}))
		in := toInbound(m, b.now())
		in.ProfileName = names[m.From]
		if in.From == "" {
			b.log.Warn("inbound message without a sender; ignored", "id", m.ID)
			continue
		}
		if _, err := b.enqueue(in.From, func(ctx context.Context) { b.handleInbound(ctx, in) }); err != nil {
			return err
		}
	}
	for _, s := range v.Statuses {
		s := s
		b.observe(parseUnix(s.Timestamp, time.Time{}))
		if s.RecipientID == "" {
			continue
		}
		if !actsOnStatus(s) {
			// Nothing to run on the customer's lane (most statuses: sent, delivered, read), so no job that
			// would hold the lane, and the customer's next message, for nothing; a closing assistant still
			// answers 503 as enqueue would.
			if err := b.accepting(); err != nil {
				return err
			}
			continue
		}
		if _, err := b.enqueue(s.RecipientID, func(ctx context.Context) { b.handleStatus(ctx, s) }); err != nil {
			return err
		}
	}
	for _, e := range v.Errors {
		b.log.Warn("WhatsApp reported an error for the business", "code", e.Code, "title", e.Title)
	}
	return nil
}

func parseUnix(s string, fallback time.Time) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return fallback
	}
	return time.Unix(n, 0).UTC()
}

func toInbound(m inboundMessage, now time.Time) inbound {
	in := inbound{ID: m.ID, From: m.From, Time: parseUnix(m.Timestamp, now), Type: m.Type}
	switch {
	case m.Type == "text" && m.Text != nil:
		in.Text = m.Text.Body
	case m.Type == "button" && m.Button != nil:
		in.Text, in.ReplyID = m.Button.Text, m.Button.Payload
	case m.Type == "interactive" && m.Interactive != nil && m.Interactive.ButtonReply != nil:
		in.Text, in.ReplyID = m.Interactive.ButtonReply.Title, m.Interactive.ButtonReply.ID
	case m.Type == "interactive" && m.Interactive != nil && m.Interactive.ListReply != nil:
		in.Text, in.ReplyID = m.Interactive.ListReply.Title, m.Interactive.ListReply.ID
	case m.Type == "image" || m.Type == "document" || m.Type == "video" || m.Type == "audio" || m.Type == "sticker":
		in.Type = "media"
	case m.Type == "location":
	case m.Type == "reaction":
	default:
		in.Type = "unsupported"
	}
	return in
}
