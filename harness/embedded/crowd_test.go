package embedded

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/bots/reference"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/sim"
)

// crowdSize is the crowd the embedded environment must take: 1,000 concurrent simulated customers against
// the embedded reference assistant.
const crowdSize = 1000

// TestThousandCustomers: a thousand customers greet the reference assistant and ask where their order is,
// all at once, in one embedded environment; run under -race it shows that environment free of races. Every
// customer must be answered (from the journal: a send to them after each of their messages, the second
// one about their order) and the audit of the whole run must find nothing.
//
// The throughput limits are off here, on both sides: the mock's 80 messages per second (130429) and the
// assistant's own pacer under it. The mock refills that bucket on wall time while the simulated clock
// stands still (mocks/whatsapp/doc.go), so with it on this test would mostly wait (about 4,000 sends at
// 80/s is some 50 seconds of pacing) and its outcome would depend on how fast the machine runs -race;
// pacing also serialises the sends, which is the opposite of the concurrency under test. The limit and
// the pacer are tested where they live (mocks/whatsapp policy tests, bots/reference pacer tests).
// For the same reason the assistant's deadlines on DLP and Dialogflow calls (5s and 10s, wall time) are
// lifted: a thousand concurrent turns under -race on a small shared machine can queue longer than that,
// and the assistant would then answer "I cannot process your message now", which measures the machine,
// not the code. So is the mock's 20-second webhook timeout: the assistant acknowledges a webhook as soon
// as the message is queued, but with a thousand turns in flight under -race on two shared cores (load
// averages of 15 were seen) the acknowledgement can wait longer than that for the CPU, and the
// retries then multiply the load.
func TestThousandCustomers(t *testing.T) {
	if testing.Short() {
		t.Skip("a thousand customers at once; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// Errors the mocks or the assistant log (a send that failed, a call that timed out) explain a customer
	// left unanswered; nothing else is logged.
	logs := &lockedBuffer{}
	env, err := Start(ctx, Options{Seed: 1, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelError})),
		WhatsApp: []whatsapp.Option{whatsapp.WithMPS(0), whatsapp.WithWebhookTimeout(3 * time.Minute)},
		Bot:      []reference.Option{reference.WithSendRate(0), reference.WithCallTimeout(2 * time.Minute)},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	defer func() {
		if t.Failed() {
			t.Logf("error logs:\n%.20000s", logs.String())
		}
	}()

	// The webhook is verified once before the crowd arrives, as Meta does when the callback URL is
	// configured; left to the first message, a thousand first messages would each start a handshake.
	if res, err := env.WhatsApp().VerifyWebhook(ctx); err != nil || !res.OK {
		t.Fatalf("the webhook verification failed: %v %s", err, res.Error)
	}

	const question = "¿Dónde está mi pedido?"
	ids := make([]string, crowdSize)
	errs := make([]error, crowdSize)
	var wg sync.WaitGroup
	for i := range crowdSize {
		ids[i] = fmt.Sprintf("3461%07d", i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each awaits their own replies: the world as a whole settles only at the end.
			c, err := env.World().NewCustomer(sim.Persona{WaID: ids[i], Name: fmt.Sprintf("Cliente %d", i)}, sim.NoWait())
			if err != nil {
				errs[i] = err
				return
			}
			// Each greets in words of their own, as people do: the auditor ties a pseudonymous Dialogflow
			// session to its customer through a text only that customer wrote.
			res, err := c.Say(ctx, fmt.Sprintf("Hola, buenas, soy %s", c.Name))
			if err == nil && res.Error != "" {
				err = fmt.Errorf("the greeting's webhook failed after %d attempts (last HTTP %d): %s", res.Attempts, res.WebhookStatus, res.Error)
			}
			if err != nil {
				errs[i] = err
				return
			}
			if _, err := c.AwaitReply(ctx); err != nil {
				errs[i] = err
				return
			}
			_, errs[i] = c.Say(ctx, question)
		}()
	}
	wg.Wait()
	failed := 0
	for i, err := range errs {
		if err != nil {
			if failed++; failed <= 5 {
				t.Errorf("customer %s: %v", ids[i], err)
			}
		}
	}
	if failed > 0 {
		for i, err := range errs {
			if err != nil {
				for _, e := range env.Journal().Filter(func(e journal.Event) bool { return e.Customer == ids[i] || strings.Contains(string(e.Data), ids[i]) }) {
					t.Logf("%s: #%d %s %s %.300s", ids[i], e.Seq, e.Source, e.Kind, e.Data)
				}
				break
			}
		}
		t.Fatalf("%d of %d customers could not play their part", failed, crowdSize)
	}
	if err := env.Settle(ctx); err != nil {
		t.Fatalf("the run did not settle: %v", err)
	}

	events := env.Journal().Events()
	type seen struct {
		greeted, asked          uint64 // seq of the customer's messages
		greetAnswer, askAnswers int    // sends to them after each
		aboutOrder              bool   // a send after the question that talks about orders
		after                   []string
	}
	by := map[string]*seen{}
	for _, id := range ids {
		by[id] = &seen{}
	}
	for _, e := range events {
		s := by[e.Customer]
		if s == nil {
			continue
		}
		switch e.Kind {
		case journal.KindInboundSent:
			var d journal.InboundData
			if err := e.Decode(&d); err != nil {
				t.Fatal(err)
			}
			if d.Text == question {
				s.asked = e.Seq
			} else {
				s.greeted = e.Seq
			}
		case journal.KindOutboundAccepted:
			var d journal.OutboundData
			if err := e.Decode(&d); err != nil {
				t.Fatal(err)
			}
			switch {
			case s.asked != 0:
				s.askAnswers++
				s.after = append(s.after, d.Text)
				s.aboutOrder = s.aboutOrder || strings.Contains(strings.ToLower(d.Text), "pedido")
			case s.greeted != 0:
				s.greetAnswer++
			}
		}
	}
	unanswered := 0
	for _, id := range ids {
		s := by[id]
		if s.greeted == 0 || s.asked == 0 || s.greetAnswer == 0 || s.askAnswers == 0 || !s.aboutOrder {
			if unanswered++; unanswered <= 5 {
				t.Errorf("customer %s: greeted at #%d (%d answers), asked at #%d (%d answers, about the order: %v): %q",
					id, s.greeted, s.greetAnswer, s.asked, s.askAnswers, s.aboutOrder, s.after)
			}
		}
	}
	if unanswered > 0 {
		t.Errorf("%d of %d customers were not answered both times", unanswered, crowdSize)
	}

	rep := audit.Run(events, strict)
	for _, b := range rep.Broken() {
		for i, f := range b.Findings {
			if i < 3 {
				t.Errorf("%s broken for %s: %s (events %v)", b.Rule, f.Customer, f.Explanation, f.Seqs)
			}
		}
		t.Errorf("%s: %d findings in all", b.Rule, len(b.Findings))
	}
	for _, u := range rep.Unjudged {
		t.Errorf("the auditor could not judge: %v", u)
	}
	t.Logf("%d customers, %d journal events, %d rules judged", crowdSize, len(events), len(rep.Results))
}

// lockedBuffer is a bytes.Buffer that many goroutines may write to.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
