// Package testbot is the skeleton of the small assistants parley's tests write in other companies'
// styles: the webhook of the bot contract (the hub.challenge handshake, signed deliveries only, each text
// message handed to the assistant) and the Graph API calls it answers with.
package testbot

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/parley-dev/parley/mocks/whatsapp"
)

// Env reads the bot contract's environment (harness.Contract.Getenv).
type Env func(name string) string

// Webhook serves /webhook: the handshake when the verify token matches, and for each signed delivery
// every text message to onText, in the delivery's goroutine (an assistant that answers later starts its
// own). A delivery with a missing or wrong signature is refused with 403 and not read further.
func Webhook(env Env, onText func(from, text string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/webhook" {
			http.NotFound(w, r)
			return
		}
		if r.Method == http.MethodGet {
			if r.URL.Query().Get("hub.verify_token") != env("WHATSAPP_VERIFY_TOKEN") {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			io.WriteString(w, r.URL.Query().Get("hub.challenge"))
			return
		}
		body, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if !whatsapp.VerifySignature(env("WHATSAPP_APP_SECRET"), body, r.Header.Get("X-Hub-Signature-256")) {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		var hook struct {
			Entry []struct {
				Changes []struct {
					Value struct {
						Messages []struct {
							From string
							Text struct{ Body string }
						}
					}
				}
			}
		}
		_ = json.Unmarshal(body, &hook)
		for _, e := range hook.Entry {
			for _, ch := range e.Changes {
				for _, m := range ch.Value.Messages {
					onText(m.From, m.Text.Body)
				}
			}
		}
	})
}

// Graph posts body to the business phone number's path (e.g. "/messages", "/media") of the Graph API
// the environment names, and returns the answer's body (nil when the call failed).
func Graph(env Env, path, contentType string, body []byte) []byte {
	req, err := http.NewRequest(http.MethodPost, env("WHATSAPP_API_URL")+"/v23.0/"+env("WHATSAPP_PHONE_NUMBER_ID")+path, bytes.NewReader(body))
	if err != nil {
		return nil
	}
	req.Header.Set("Authorization", "Bearer "+env("WHATSAPP_TOKEN"))
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return out
}

// SendText sends a text message to a customer.
func SendText(env Env, to, text string) {
	msg, _ := json.Marshal(map[string]any{"messaging_product": "whatsapp", "to": to, "type": "text", "text": map[string]string{"body": text}})
	Graph(env, "/messages", "application/json", msg)
}
