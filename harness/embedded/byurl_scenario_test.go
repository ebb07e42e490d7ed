package embedded

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/stack"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/sim"
)

// lagging is an assistant that answers "slow" with a "working…" message every 20 ms until release is
// closed, and then "done"; "inline" with "done" before it answers the webhook; anything else it echoes at
// once, from a goroutine of its own.
type lagging struct {
	echo
	release chan struct{}
	wg      sync.WaitGroup
}

func (b *lagging) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		b.echo.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
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
	var text string
	if len(hook.Entry) > 0 && len(hook.Entry[0].Changes) > 0 && len(hook.Entry[0].Changes[0].Value.Messages) > 0 {
		text = hook.Entry[0].Changes[0].Value.Messages[0].Text.Body
	}
	if text == "inline" {
		b.send(hook.Entry[0].Changes[0].Value.Messages[0].From, "done")
		return
	}
	if text != "slow" {
		r.Body = io.NopCloser(bytes.NewReader(body))
		b.echo.ServeHTTP(w, r)
		return
	}
	to := hook.Entry[0].Changes[0].Value.Messages[0].From
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-b.release:
				b.send(to, "done")
				return
			case <-tick.C:
				b.send(to, "working…")
			}
		}
	}()
}

func (b *lagging) send(to, text string) {
	b.mu.Lock()
	c := b.contract
	b.mu.Unlock()
	reply, _ := json.Marshal(map[string]any{"messaging_product": "whatsapp", "to": to, "type": "text", "text": map[string]string{"body": text}})
	req, _ := http.NewRequest(http.MethodPost, c.Getenv("WHATSAPP_API_URL")+"/v23.0/"+c.Getenv("WHATSAPP_PHONE_NUMBER_ID")+"/messages", bytes.NewReader(reply))
	req.Header.Set("Authorization", "Bearer "+c.Getenv("WHATSAPP_TOKEN"))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}

// startLagging starts the lagging assistant and the mocks around it by URL, with a Quiet ten times the
// assistant's pace while it is working.
func startLagging(t *testing.T, ctx context.Context) (*ByURL, *lagging) {
	t.Helper()
	bot := &lagging{echo: echo{contract: harness.Contract{"WHATSAPP_VERIFY_TOKEN": whatsapp.DefaultVerifyToken, "WHATSAPP_APP_SECRET": whatsapp.DefaultAppSecret}},
		release: make(chan struct{})}
	srv := httptest.NewServer(bot)
	t.Cleanup(srv.Close)
	free := stack.Config{WhatsAppAddr: "127.0.0.1:0", DialogflowAddr: "127.0.0.1:0", DLPAddr: "127.0.0.1:0"}
	v, err := StartByURL(ByURLOptions{Assistant: srv.URL, Mocks: free, Quiet: 200 * time.Millisecond, ReplyWait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	t.Cleanup(bot.wg.Wait)
	bot.setContract(v.Contract())
	if err := v.Preflight(ctx); err != nil {
		t.Fatal(err)
	}
	return v, bot
}

// TestByURLScenariosSettleApart: two scenarios played at once against one assistant settle each on its
// own customers. One whose customer's traffic never stops (the assistant keeps writing to her) does not
// hold the other, which settles with its answer in; and the first does not end before its own answer
// came, however still the other scenario's customers are.
func TestByURLScenariosSettleApart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	v, bot := startLagging(t, ctx)
	slowEnv, err := v.Start(ctx, harness.Scenario{Name: "slow"})
	if err != nil {
		t.Fatal(err)
	}
	promptEnv, err := v.Start(ctx, harness.Scenario{Name: "prompt"})
	if err != nil {
		t.Fatal(err)
	}
	// The same declared number in both: the run's numbering gives each scenario its own.
	slow, err := slowEnv.World().NewCustomer(sim.Persona{WaID: "34600000001", Name: "Lucía"})
	if err != nil {
		t.Fatal(err)
	}
	prompt, err := promptEnv.World().NewCustomer(sim.Persona{WaID: "34600000001", Name: "Oliver"})
	if err != nil {
		t.Fatal(err)
	}
	if slow.WaID == prompt.WaID {
		t.Fatalf("both scenarios' customers are %s", slow.WaID)
	}
	slowDone := make(chan error, 1)
	go func() {
		_, err := slow.Say(ctx, "slow")
		slowDone <- err
	}()
	if _, err := v.wa.AwaitInbox(ctx, slow.WaID, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := prompt.Say(ctx, "hola"); err != nil {
		t.Fatalf("the prompt scenario did not settle while the other's traffic went on: %v", err)
	}
	got, err := prompt.Unread(ctx)
	if err != nil || len(got) != 1 || got[0].Text != "eco: hola" {
		t.Fatalf("the prompt scenario settled with %+v %v, want its echo in", got, err)
	}
	select {
	case err := <-slowDone:
		t.Fatalf("the slow scenario settled before its answer (%v)", err)
	default:
	}
	close(bot.release)
	if err := <-slowDone; err != nil {
		t.Fatal(err)
	}
	inbox, err := v.wa.Inbox(ctx, slow.WaID)
	if err != nil || len(inbox) == 0 || inbox[len(inbox)-1].Text != "done" {
		t.Fatalf("the slow scenario settled before its last answer: %d messages, %v", len(inbox), err)
	}

	// Each scenario's events are its own customer's, never the other's.
	for _, c := range []struct {
		env       harness.Environment
		mine, not string
	}{{slowEnv, slow.WaID, prompt.WaID}, {promptEnv, prompt.WaID, slow.WaID}} {
		events, err := c.env.Events(ctx)
		if err != nil {
			t.Fatal(err)
		}
		seen := false
		for _, e := range events {
			seen = seen || e.Customer == c.mine && e.Kind == journal.KindOutboundAccepted
			if e.Customer == c.not {
				t.Errorf("%s's events hold %s of the other scenario's customer", c.mine, e.Kind)
			}
		}
		if !seen {
			t.Errorf("%s's events hold no send to its customer", c.mine)
		}
	}
}

// TestByURLAnswerInsideTheWebhook: an assistant that answers inside its webhook handler, before the
// delivery is journalled, has answered: the scenario settles without waiting ReplyWait for it.
func TestByURLAnswerInsideTheWebhook(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bot := &lagging{echo: echo{contract: harness.Contract{"WHATSAPP_VERIFY_TOKEN": whatsapp.DefaultVerifyToken, "WHATSAPP_APP_SECRET": whatsapp.DefaultAppSecret}},
		release: make(chan struct{})}
	srv := httptest.NewServer(bot)
	defer srv.Close()
	free := stack.Config{WhatsAppAddr: "127.0.0.1:0", DialogflowAddr: "127.0.0.1:0", DLPAddr: "127.0.0.1:0"}
	v, err := StartByURL(ByURLOptions{Assistant: srv.URL, Mocks: free, Quiet: 50 * time.Millisecond, ReplyWait: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	bot.setContract(v.Contract())
	// The assistant has reached DLP once in the run, so a first answer is not doubted for ReplyWait.
	v.Journal().Record(journal.SourceDLP, journal.KindDeidentify, "", journal.DLPData{Text: "earlier"})
	env, err := v.Start(ctx, harness.Scenario{Name: "inline"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := env.World().NewCustomer(sim.Persona{WaID: "34600000001", Name: "Lucía"})
	if err != nil {
		t.Fatal(err)
	}
	short, stop := context.WithTimeout(ctx, 20*time.Second)
	defer stop()
	if _, err := c.Say(short, "inline"); err != nil {
		t.Fatalf("an answer given inside the webhook handler was not taken for one: %v", err)
	}
	if got, err := c.Unread(ctx); err != nil || len(got) != 1 || got[0].Text != "done" {
		t.Fatalf("inbox %+v %v", got, err)
	}
}
