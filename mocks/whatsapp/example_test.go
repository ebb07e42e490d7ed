package whatsapp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

// An assistant that answers every message, the mock playing a customer, and the journal of it all.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	j := journal.New(nil)
	var wa *whatsapp.Server
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet { // the hub.challenge handshake
			io.WriteString(w, r.URL.Query().Get("hub.challenge"))
			return
		}
		body, _ := io.ReadAll(r.Body)
		if !whatsapp.VerifySignature(wa.AppSecret(), body, r.Header.Get("X-Hub-Signature-256")) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if strings.Contains(string(body), `"type":"text"`) {
			req, _ := http.NewRequest(http.MethodPost, wa.URL()+"/v23.0/"+wa.PhoneNumberID()+"/messages",
				strings.NewReader(`{"messaging_product":"whatsapp","to":"34600111222","type":"text","text":{"body":"¡Hola! Soy un asistente virtual."}}`))
			req.Header.Set("Authorization", "Bearer "+wa.AccessToken())
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}
	}))
	defer bot.Close()

	wa, err := whatsapp.NewServer(whatsapp.WithJournal(j), whatsapp.WithWebhook(bot.URL+"/webhook"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer wa.Close()

	// The handshake runs as soon as the callback URL is configured; wait for it so the journal reads in order.
	if ok, err := wa.AwaitHandshake(ctx); !ok || err != nil {
		fmt.Println("the webhook was not verified:", err)
		return
	}
	res, _ := wa.SendFromCustomer(ctx, "34600111222", whatsapp.CustomerMessage{Text: "Hola", Name: "Lucía"})
	fmt.Println("webhook answered", res.WebhookStatus)
	inbox, _ := wa.AwaitInbox(ctx, "34600111222", 1)
	fmt.Println("the customer got:", inbox[0].Text)
	_ = wa.AwaitIdle(ctx)
	var statuses []string
	for _, e := range j.Events() {
		switch {
		case e.Kind == journal.KindWebhookAttempt:
		case strings.HasPrefix(e.Kind, "status."):
			statuses = append(statuses, e.Kind)
		default:
			fmt.Println(strings.TrimSpace(fmt.Sprint(e.Source, " ", e.Kind, " ", e.Customer)))
		}
	}
	fmt.Println(statuses)
	// Output:
	// webhook answered 200
	// the customer got: ¡Hola! Soy un asistente virtual.
	// whatsapp webhook.verify
	// customer inbound.sent 34600111222
	// whatsapp outbound.accepted 34600111222
	// customer inbound.delivered 34600111222
	// [status.sent status.delivered]
}
