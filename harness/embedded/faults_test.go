package embedded

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/bots/reference"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/sim"
)

// The faults of the real world, each reported clearly, with every delivery attempt in the
// journal and no reply reported that the customer did not receive. Timeouts are proven with short
// configured ones (WithWebhookTimeout), never by waiting the real 20 seconds.

const (
	faultAttempts = 3
	faultTimeout  = 100 * time.Millisecond
)

// faultyAssistant stands between the WhatsApp mock and the reference assistant: it answers the
// verification handshake through the assistant and treats each webhook POST as mode says.
type faultyAssistant struct {
	srv     *httptest.Server
	release chan struct{}

	mu     sync.Mutex
	mode   string // ok, 500, close, slow, slow-once
	posts  int
	target *url.URL
}

func newFaultyAssistant(t *testing.T, mode string) *faultyAssistant {
	f := &faultyAssistant{mode: mode, release: make(chan struct{})}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	t.Cleanup(func() { close(f.release) }) // runs first: no handler outlives the test
	return f
}

func (f *faultyAssistant) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	mode, target := f.mode, f.target
	if r.Method == http.MethodPost {
		f.posts++
		if mode == "slow-once" && f.posts > 1 {
			mode = "ok"
		}
	}
	f.mu.Unlock()
	if r.Method == http.MethodPost {
		switch mode {
		case "500":
			_, _ = io.Copy(io.Discard, r.Body)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		case "close":
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		case "slow", "slow-once":
			_, _ = io.Copy(io.Discard, r.Body) // so the server notices when the mock hangs up
			select {
			case <-r.Context().Done():
			case <-f.release:
			}
			return
		}
	}
	if target == nil {
		// The mock verifies the webhook as soon as it is configured, before the test has told this
		// stand-in where the assistant is: answer as an assistant that is not up yet.
		http.Error(w, "not up yet", http.StatusServiceUnavailable)
		return
	}
	p := httputil.NewSingleHostReverseProxy(target)
	p.ErrorLog = log.New(io.Discard, "", 0) // the assistant closing at the end of a test is not news
	p.ServeHTTP(w, r)
}

// startFaulty starts an embedded environment whose WhatsApp mock delivers to a, with short timeouts.
func startFaulty(t *testing.T, webhook string, a *faultyAssistant, o Options) (*Env, context.Context) {
	t.Helper()
	o.WhatsApp = append(o.WhatsApp, whatsapp.WithWebhook(webhook), whatsapp.WithWebhookRetry(faultAttempts, 0),
		whatsapp.WithWebhookTimeout(faultTimeout))
	env, ctx := start(t, o)
	if a != nil {
		u, _ := url.Parse(env.BotURL())
		a.mu.Lock()
		a.target = u
		a.mu.Unlock()
	}
	return env, ctx
}

func closedURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + l.Addr().String() + "/webhook"
	l.Close()
	return u
}

func attemptsOf(t *testing.T, j *journal.Journal) []journal.WebhookAttemptData {
	t.Helper()
	var out []journal.WebhookAttemptData
	for _, e := range j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindWebhookAttempt }) {
		var d journal.WebhookAttemptData
		if err := e.Decode(&d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

func TestFaultsAssistant(t *testing.T) {
	for _, tc := range []struct {
		name      string
		mode      string // "" for an assistant that is not listening at all
		delivered bool
		attempts  int
		status    int    // HTTP status of each failed attempt
		errPart   string // in each failed attempt's error
	}{
		{"assistant down", "", false, faultAttempts, 0, "connection refused"},
		{"assistant answers 500", "500", false, faultAttempts, 500, ""},
		{"assistant closes the connection", "close", false, faultAttempts, 0, "EOF"},
		{"assistant answers after the timeout", "slow", false, faultAttempts, 0, "did not answer within 100ms"},
		{"assistant slow once, then answers", "slow-once", true, 2, 0, "did not answer within 100ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var a *faultyAssistant
			webhook := closedURL(t)
			if tc.mode != "" {
				a = newFaultyAssistant(t, tc.mode)
				webhook = a.srv.URL + "/webhook"
			}
			env, ctx := startFaulty(t, webhook, a, Options{})
			lucia, err := env.World().NewCustomer(sim.Persona{WaID: "34612345678", Name: "Lucía", Lang: "es"})
			if err != nil {
				t.Fatal(err)
			}
			if tc.mode == "" {
				// Down from the start: the mock cannot even verify the callback, and says so.
				res, err := lucia.Say(ctx, "Hola")
				if err == nil && res.Error == "" {
					t.Fatalf("a message to an assistant that is down was reported delivered: %+v", res)
				}
				if !strings.Contains(res.Error, "not verified") || !strings.Contains(res.Error, tc.errPart) {
					t.Fatalf("reported as %q, want the failed handshake and %q", res.Error, tc.errPart)
				}
				checkNoReply(t, ctx, env, lucia)
				return
			}
			res, err := lucia.Say(ctx, "Hola")
			if err != nil {
				t.Fatal(err)
			}
			if res.Attempts != tc.attempts {
				t.Errorf("reported %d attempts, want %d", res.Attempts, tc.attempts)
			}
			// The customer's message only: by now the assistant may have answered, and its statuses come too.
			var got []journal.WebhookAttemptData
			for _, at := range attemptsOf(t, env.Journal()) {
				if at.RefID == res.ID {
					got = append(got, at)
				}
			}
			if len(got) != tc.attempts {
				t.Fatalf("journal has %d webhook attempts, want every one of %d: %+v", len(got), tc.attempts, got)
			}
			failed := got
			if tc.delivered {
				failed = got[:len(got)-1]
				if last := got[len(got)-1]; last.Status != 200 || last.Error != "" {
					t.Errorf("last attempt %+v, want 200", last)
				}
			}
			for _, at := range failed {
				if at.Status != tc.status || !strings.Contains(at.Error, tc.errPart) {
					t.Errorf("attempt %d journalled as status %d error %q, want status %d and %q", at.Attempt, at.Status, at.Error, tc.status, tc.errPart)
				}
			}
			if !tc.delivered {
				if res.Error == "" {
					t.Fatalf("an undelivered message was reported delivered: %+v", res)
				}
				if n := len(env.Journal().Filter(func(e journal.Event) bool { return e.Kind == journal.KindInboundFailed })); n != 1 {
					t.Errorf("%d inbound.failed events, want 1", n)
				}
				checkNoReply(t, ctx, env, lucia)
				return
			}
			if res.Error != "" {
				t.Fatalf("delivered on the second attempt, but reported %q", res.Error)
			}
			if _, err := lucia.AwaitReply(ctx); err != nil {
				t.Fatalf("no reply after a late delivery: %v", err)
			}
		})
	}
}

// checkNoReply: the customer waiting for a reply is told it never came, and the audit of the run has
// nothing to call a reply.
func checkNoReply(t *testing.T, ctx context.Context, env *Env, c *sim.Customer) {
	t.Helper()
	if err := env.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if m, err := c.AwaitReply(wctx); err == nil {
		t.Fatalf("a reply was reported that was never sent: %+v", m)
	} else if !strings.Contains(err.Error(), "got none") {
		t.Fatalf("the missing reply is reported as %q, want it said plainly", err)
	}
	if n := len(env.Journal().Filter(func(e journal.Event) bool { return e.Kind == journal.KindOutboundAccepted })); n != 0 {
		t.Fatalf("%d outbound.accepted events from an assistant that never got the message", n)
	}
}

func TestFaultsDialogflow(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(ctx context.Context, df *dialogflow.Server) error
		code  string
	}{
		{"Dialogflow unavailable", func(ctx context.Context, df *dialogflow.Server) error {
			return df.InjectFault(ctx, control.Fault{Kind: "UNAVAILABLE"})
		}, "UNAVAILABLE"},
		{"Dialogflow over quota", func(ctx context.Context, df *dialogflow.Server) error {
			return df.InjectFault(ctx, control.Fault{Kind: "RESOURCE_EXHAUSTED"})
		}, "RESOURCE_EXHAUSTED"},
		{"Dialogflow slower than the assistant's deadline", func(ctx context.Context, df *dialogflow.Server) error {
			return df.InjectFault(ctx, control.Fault{Delay: control.MaxFaultDelay}) // cut short by the caller's 300ms deadline
		}, "DEADLINE_EXCEEDED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, ctx := start(t, Options{Bot: []reference.Option{reference.WithCallTimeout(300 * time.Millisecond)}})
			lucia, err := env.World().NewCustomer(sim.Persona{WaID: "34612345678", Name: "Lucía", Lang: "es"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := lucia.Say(ctx, "Hola"); err != nil {
				t.Fatal(err)
			}
			if _, err := lucia.Settle(ctx); err != nil {
				t.Fatal(err)
			}
			if err := tc.setup(ctx, env.DialogflowServer()); err != nil {
				t.Fatal(err)
			}
			before := env.Journal().Last()
			if _, err := lucia.Say(ctx, "¿Dónde está mi pedido TE-1001?"); err != nil {
				t.Fatal(err)
			}
			// The assistant tells the customer it cannot help right now, rather than nothing or a guess.
			if _, err := lucia.AwaitReplyContaining(ctx, "no puedo procesar tu consulta"); err != nil {
				t.Fatalf("%v\n%s", err, lucia.Transcript(ctx))
			}
			if err := env.Settle(ctx); err != nil {
				t.Fatal(err)
			}
			var refused []journal.DetectIntentData
			for _, e := range env.Journal().After(before) {
				switch e.Kind {
				case journal.KindDetectIntent:
					t.Fatalf("a detect_intent answered while Dialogflow was failing: %s", e.Data)
				case journal.KindDetectIntentRejected:
					var d journal.DetectIntentData
					_ = e.Decode(&d)
					refused = append(refused, d)
				}
			}
			if len(refused) == 0 {
				t.Fatal("the failing Dialogflow calls are not in the journal")
			}
			for _, d := range refused {
				if d.Code != tc.code && !(tc.code == "DEADLINE_EXCEEDED" && d.Code == "CANCELLED") {
					t.Errorf("refused call journalled as %s (%s), want %s", d.Code, d.Error, tc.code)
				}
			}
		})
	}
}

// TestFaultsStatusWebhooks: every status webhook duplicated and each message's statuses reversed. The
// journal shows each copy; the assistant keeps working; the audit breaks no rule because of them.
func TestFaultsStatusWebhooks(t *testing.T) {
	env, ctx := start(t, Options{Seed: 7})
	if err := env.WhatsApp().SetStatusDelivery(ctx, whatsapp.StatusDelivery{Duplicate: 1, OutOfOrder: 1}); err != nil {
		t.Fatal(err)
	}
	lucia, err := env.World().NewCustomer(sim.Persona{WaID: "34612345678", Name: "Lucía", Lang: "es"})
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"Hola", "¿Dónde está mi pedido TE-1001?"} {
		if _, err := lucia.Say(ctx, text); err != nil {
			t.Fatal(err)
		}
		if _, err := lucia.AwaitReply(ctx); err != nil {
			t.Fatalf("the assistant stopped answering under duplicated, reordered statuses: %v", err)
		}
		if err := env.Settle(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var dup, orig int
	for _, a := range attemptsOf(t, env.Journal()) {
		if a.Field != "messages" || a.RefID == "" || !strings.HasPrefix(a.RefID, "wamid.") {
			continue
		}
		if a.Duplicate {
			dup++
		} else {
			orig++
		}
	}
	if dup == 0 {
		t.Fatal("no duplicated webhook in the journal")
	}
	// Reordered: for some message, a later status (read or delivered) came before "sent".
	order := map[string][]string{}
	for _, e := range env.Journal().Events() {
		if strings.HasPrefix(e.Kind, "status.") {
			var d journal.StatusData
			_ = e.Decode(&d)
			order[d.ID] = append(order[d.ID], d.Status)
		}
	}
	reversed := false
	for _, seq := range order {
		if len(seq) > 1 && seq[len(seq)-1] == "sent" {
			reversed = true
		}
	}
	if !reversed {
		t.Fatalf("no message's statuses arrived out of order: %v", order)
	}
	rep := audit.Run(env.Journal().Events(), audit.Options{})
	if b := rep.Broken(); len(b) != 0 {
		t.Fatalf("duplicated and reordered statuses broke rules: %+v", b)
	}
}

// TestFaultsClockBack: the simulated clock jumps back an hour in the middle of a conversation. The
// jump is journalled with both times, the conversation goes on, the journal stays in sequence order
// although time goes backwards, and the audit runs over it without failing.
func TestFaultsClockBack(t *testing.T) {
	env, ctx := start(t, Options{})
	lucia, err := env.World().NewCustomer(sim.Persona{WaID: "34612345678", Name: "Lucía", Lang: "es"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lucia.Say(ctx, "Hola"); err != nil {
		t.Fatal(err)
	}
	if _, err := lucia.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	now := env.Journal().Clock().Now()
	if _, err := env.WhatsApp().SetClock(ctx, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := lucia.Say(ctx, "¿Dónde está mi pedido TE-1001?"); err != nil {
		t.Fatal(err)
	}
	if _, err := lucia.AwaitReply(ctx); err != nil {
		t.Fatalf("no reply after the clock went back: %v", err)
	}
	if err := env.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	evs := env.Journal().Events()
	var jumped bool
	for i, e := range evs {
		if e.Seq != uint64(i+1) {
			t.Fatalf("event %d has seq %d: the journal lost or reordered an event", i, e.Seq)
		}
		if e.Kind == journal.KindClockSet {
			var d journal.ClockData
			_ = e.Decode(&d)
			jumped = d.To.Before(d.From) && d.From.Sub(d.To) == time.Hour
		}
	}
	if !jumped {
		t.Fatal("the backward jump is not journalled with both times")
	}
	_ = audit.Run(evs, audit.Options{}) // must not panic on time going backwards
}

// TestEmbeddedCloseLeavesNoGoroutines: after a conversation, Close stops every goroutine the harness,
// the mocks and the assistant started.
func TestEmbeddedCloseLeavesNoGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(),
		// gRPC's and OpenCensus's process-wide workers start once and live with the process.
		goleak.IgnoreTopFunction("google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run"),
		goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	env, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	lucia, err := env.World().NewCustomer(sim.Persona{WaID: "34612345678", Name: "Lucía", Lang: "es"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lucia.Say(ctx, "Hola"); err != nil {
		t.Fatal(err)
	}
	if _, err := lucia.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if err := env.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		t.Fatal(err)
	}
	http.DefaultClient.CloseIdleConnections()
}
