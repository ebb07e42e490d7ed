package whatsapp

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/parley-dev/parley/journal"
)

func TestPairRate(t *testing.T) {
	s := RunT(t, fixedWall(), WithMPS(0))
	ctx := testCtx(t)
	openWindow(t, s, lucia)
	for i := range DefaultPairBurst {
		if res := send(t, s, textTo(lucia, fmt.Sprint("burst ", i))); res.Status != 200 {
			t.Fatalf("message %d of the burst refused: %s", i+1, res.Raw)
		}
	}
	res := send(t, s, textTo(lucia, "one too many"))
	if res.Status != 429 || res.code() != CodePairRateLimit {
		t.Fatalf("message 46: HTTP %d %s", res.Status, res.Raw)
	}
	if other := send(t, s, textTo("34600999888", "another person")); other.code() == CodePairRateLimit {
		t.Errorf("the pair limit is per recipient: %s", other.Raw)
	}
	if _, err := s.AdvanceClock(ctx, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if res := send(t, s, textTo(lucia, "after 5s")); res.code() != CodePairRateLimit {
		t.Errorf("5s refilled a token: %s", res.Raw)
	}
	if _, err := s.AdvanceClock(ctx, time.Second); err != nil {
		t.Fatal(err)
	}
	if res := send(t, s, textTo(lucia, "after 6s")); res.Status != 200 {
		t.Errorf("6s did not refill a token: %s", res.Raw)
	}
	if res := send(t, s, textTo(lucia, "and again")); res.code() != CodePairRateLimit {
		t.Errorf("one token per 6s, got a second: %s", res.Raw)
	}
	if _, err := s.AdvanceClock(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if res := send(t, s, textTo(lucia, "after 2 minutes")); res.Status != 200 {
			t.Fatalf("a burst of 20 after a 2-minute wait refused at %d: %s", i+1, res.Raw)
		}
	}
}

// A compliant assistant answers each customer message with a few messages (disclosure, privacy notice,
// question). The defaults must let a long conversation through without the test moving the clock much.
func TestDefaultsLetACompliantAssistantTalk(t *testing.T) {
	s := RunT(t, fixedWall())
	ctx := testCtx(t)
	for turn := range 30 {
		openWindow(t, s, lucia)
		for i := range 3 {
			if res := send(t, s, textTo(lucia, fmt.Sprintf("turn %d reply %d", turn, i))); res.Status != 200 {
				t.Fatalf("turn %d reply %d refused: %s", turn, i, res.Raw)
			}
		}
		if _, err := s.AdvanceClock(ctx, 20*time.Second); err != nil { // a person takes a while to answer
			t.Fatal(err)
		}
	}
}

func TestThroughput(t *testing.T) {
	wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pin := func(c *config) error { c.wall = func() time.Time { return wall }; return nil }
	s := RunT(t, pin, WithMPS(5), WithPairRate(0))
	ctx := testCtx(t)
	for i := range 5 {
		to := fmt.Sprintf("3460000000%d", i)
		openWindow(t, s, to)
		if res := send(t, s, textTo(to, "hola")); res.Status != 200 {
			t.Fatalf("send %d refused: %s", i, res.Raw)
		}
	}
	res := send(t, s, textTo("34600000000", "sixth"))
	if res.Status != 429 || res.code() != CodeRateLimit {
		t.Fatalf("sixth send in the same second: HTTP %d %s", res.Status, res.Raw)
	}
	if _, err := s.AdvanceClock(ctx, 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if res := send(t, s, textTo("34600000000", "after 200ms")); res.Status != 200 {
		t.Errorf("200ms at 5 mps did not refill one token: %s", res.Raw)
	}
	if res := send(t, s, textTo("34600000000", "again")); res.code() != CodeRateLimit {
		t.Errorf("got a second token: %s", res.Raw)
	}
	// Wall time refills it too: throughput is real capacity.
	s.mu.Lock()
	wall = wall.Add(time.Second)
	s.mu.Unlock()
	if res := send(t, s, textTo("34600000000", "a real second later")); res.Status != 200 {
		t.Errorf("a wall-clock second did not refill: %s", res.Raw)
	}
}

func TestStopPromotionsAndBlock(t *testing.T) {
	rcv := newReceiver(t)
	s := RunT(t, fixedWall(), WithWebhook(rcv.URL()))
	ctx := testCtx(t)
	promo := tplSend("promo_verano", "es", `[{"type":"body","parameters":[{"type":"text","text":"Lucía"},{"type":"text","text":"20 %"},{"type":"text","text":"VERANO20"}]}]`)
	shipped := tplSend("pedido_enviado", "es", `[{"type":"body","parameters":[{"type":"text","text":"PD-1"}]},{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"PD-1"}]}]`)
	if err := s.StopPromotions(ctx, lucia); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		body     string
		wantCode int // of the failed status, 0 when delivered
	}{
		{"marketing after stop", promo, CodeMarketingStopped},
		{"utility after stop", shipped, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := send(t, s, tc.body)
			if res.Status != 200 {
				t.Fatalf("HTTP %d %s (131050 is asynchronous)", res.Status, res.Raw)
			}
			if err := s.AwaitIdle(ctx); err != nil {
				t.Fatal(err)
			}
			checkFinalStatus(t, s, res.messageID(), tc.wantCode)
		})
	}
	var sawPref bool
	for _, b := range rcv.Bodies() {
		var env webhookEnvelope
		_ = json.Unmarshal(b, &env)
		if env.Entry[0].Changes[0].Field == "user_preferences" {
			sawPref = true
		}
	}
	if !sawPref {
		t.Error("no user_preferences webhook")
	}
	if e := lastEvent(t, s.Journal(), journal.KindOptoutRequested); e.Source != journal.SourceCustomer || e.Customer != lucia {
		t.Errorf("opt-out event %+v", e)
	}
	t.Run("resume", func(t *testing.T) {
		if err := s.ResumePromotions(ctx, lucia); err != nil {
			t.Fatal(err)
		}
		res := send(t, s, promo)
		_ = s.AwaitIdle(ctx)
		checkFinalStatus(t, s, res.messageID(), 0)
	})
	t.Run("blocked", func(t *testing.T) {
		if err := s.Block(ctx, lucia, true); err != nil {
			t.Fatal(err)
		}
		res := send(t, s, shipped)
		_ = s.AwaitIdle(ctx)
		checkFinalStatus(t, s, res.messageID(), CodeUndeliverable)
		if err := s.Block(ctx, lucia, false); err != nil {
			t.Fatal(err)
		}
		res = send(t, s, shipped)
		_ = s.AwaitIdle(ctx)
		checkFinalStatus(t, s, res.messageID(), 0)
	})
}

// checkFinalStatus asserts the last status journalled for message id: failed with code, or delivered.
func checkFinalStatus(t *testing.T, s *Server, id string, code int) {
	t.Helper()
	evs := s.Journal().Filter(func(e journal.Event) bool {
		var sd journal.StatusData
		return len(e.Kind) > 7 && e.Kind[:7] == "status." && e.Decode(&sd) == nil && sd.ID == id
	})
	if len(evs) == 0 {
		t.Fatalf("no status for %s", id)
	}
	var sd journal.StatusData
	_ = evs[len(evs)-1].Decode(&sd)
	if code == 0 && sd.Status != "delivered" {
		t.Errorf("status %+v, want delivered", sd)
	}
	if code != 0 && (sd.Status != "failed" || sd.Code != code) {
		t.Errorf("status %+v, want failed %d", sd, code)
	}
}
