package dialogflow

import (
	"context"
	"testing"
	"time"

	"cloud.google.com/go/dialogflow/apiv2/dialogflowpb"
	"github.com/parley-dev/parley/journal"
	"google.golang.org/protobuf/types/known/structpb"
)

// detectDirect runs a text query in-process (same path as both transports, without a network).
func detectDirect(t testing.TB, s *Server, session, text, lang string, mutate ...func(*dialogflowpb.DetectIntentRequest)) *dialogflowpb.QueryResult {
	t.Helper()
	req := textReq(session, text, lang)
	for _, m := range mutate {
		m(req)
	}
	tr, err := s.detectES(context.Background(), "grpc", session, req)
	if err != nil {
		t.Fatalf("%q: %v", text, err)
	}
	return tr.resp.GetQueryResult()
}

func TestContextLifespans(t *testing.T) {
	clock := journal.NewClock(time.Time{})
	s := RunT(t, WithJournal(journal.New(clock)))
	sess := "projects/parley-demo/agent/sessions/life"

	qr := detectDirect(t, s, sess, "estado de mi pedido", "es")
	if got := contextNames(qr.GetOutputContexts())["awaiting_optin"]; got != 2 {
		t.Fatalf("awaiting_optin lifespan %d after order.status, want 2", got)
	}
	// One unrelated turn: the lifespan counts down, and the context still gates.
	qr = detectDirect(t, s, sess, "gracias", "es")
	if got := contextNames(qr.GetOutputContexts())["awaiting_optin"]; got != 1 {
		t.Fatalf("awaiting_optin lifespan %d after one turn, want 1", got)
	}
	// The second turn consumes it: after it the context is gone.
	qr = detectDirect(t, s, sess, "muchas gracias", "es")
	if _, ok := contextNames(qr.GetOutputContexts())["awaiting_optin"]; ok {
		t.Fatalf("awaiting_optin still active after its lifespan: %v", contextNames(qr.GetOutputContexts()))
	}
	if got := detectDirect(t, s, sess, "sí", "es").GetIntent(); !got.GetIsFallback() {
		t.Errorf("sí after the context expired → %q, want fallback", got.GetDisplayName())
	}
}

func TestContextExpiryOnSimulatedClock(t *testing.T) {
	for _, tc := range []struct {
		name    string
		advance time.Duration
		want    string
	}{
		{"19 minutes later the context still gates", 19 * time.Minute, "optin.yes"},
		{"20 minutes later the session has expired", 20 * time.Minute, "Default Fallback Intent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := journal.NewClock(time.Time{})
			s := RunT(t, WithJournal(journal.New(clock)))
			sess := "projects/parley-demo/agent/sessions/ttl"
			detectDirect(t, s, sess, "estado de mi pedido", "es")
			clock.Advance(tc.advance)
			if len(must(s.Contexts(testCtx(t), sess))) == 0 && tc.want == "optin.yes" {
				t.Error("Contexts() empty before expiry")
			}
			if got := detectDirect(t, s, sess, "sí", "es").GetIntent().GetDisplayName(); got != tc.want {
				t.Errorf("→ %q, want %q", got, tc.want)
			}
		})
	}
}

func TestQueryParamsContexts(t *testing.T) {
	s := RunT(t)
	sess := "projects/parley-demo/agent/sessions/qp"
	withCtx := func(r *dialogflowpb.DetectIntentRequest) {
		r.QueryParams = &dialogflowpb.QueryParameters{Contexts: []*dialogflowpb.Context{{
			Name: sess + "/contexts/AWAITING_OPTIN", LifespanCount: 5,
			Parameters: &structpb.Struct{Fields: map[string]*structpb.Value{"campaign": structpb.NewStringValue("spring")}},
		}}}
	}
	qr := detectDirect(t, s, sess, "no", "es", withCtx)
	if qr.GetIntent().GetDisplayName() != "optin.no" {
		t.Fatalf("context from queryParams did not gate: %q", qr.GetIntent().GetDisplayName())
	}
	// optin.no clears awaiting_optin (lifespan 0 in its output contexts).
	if _, ok := contextNames(qr.GetOutputContexts())["awaiting_optin"]; ok {
		t.Error("awaiting_optin survived optin.no")
	}

	// A context activated by the bot, then a turn that does not use it: lifespan 5 → 4.
	qr = detectDirect(t, s, sess, "gracias", "es", withCtx)
	if got := contextNames(qr.GetOutputContexts())["awaiting_optin"]; got != 4 {
		t.Errorf("lifespan %d, want 4", got)
	}
	for _, c := range qr.GetOutputContexts() {
		if c.GetName() == sess+"/contexts/awaiting_optin" && c.GetParameters().GetFields()["campaign"].GetStringValue() != "spring" {
			t.Errorf("parameters lost: %v", c.GetParameters())
		}
	}

	// resetContexts clears everything before the query.
	qr = detectDirect(t, s, sess, "sí", "es", func(r *dialogflowpb.DetectIntentRequest) {
		r.QueryParams = &dialogflowpb.QueryParameters{ResetContexts: true}
	})
	if !qr.GetIntent().GetIsFallback() {
		t.Errorf("after resetContexts sí → %q", qr.GetIntent().GetDisplayName())
	}
}

func TestIntentResetContexts(t *testing.T) {
	s := RunT(t)
	sess := "projects/parley-demo/agent/sessions/reset"
	detectDirect(t, s, sess, "estado de mi pedido", "es")
	qr := detectDirect(t, s, sess, "BAJA", "es") // optout has resetContexts
	if qr.GetIntent().GetDisplayName() != "optout" {
		t.Fatalf("BAJA → %q", qr.GetIntent().GetDisplayName())
	}
	if _, ok := contextNames(qr.GetOutputContexts())["awaiting_optin"]; ok {
		t.Error("optout did not reset contexts")
	}
}

func TestSessionsAreIsolated(t *testing.T) {
	s := RunT(t)
	detectDirect(t, s, "projects/parley-demo/agent/sessions/alice", "estado de mi pedido", "es")
	if got := detectDirect(t, s, "projects/parley-demo/agent/sessions/bob", "sí", "es").GetIntent(); !got.GetIsFallback() {
		t.Errorf("bob's sí matched %q with alice's context", got.GetDisplayName())
	}
}

// TestResendOutputContexts: clients such as Botium send the previous turn's outputContexts back as
// queryParams.contexts (botium-connector-dialogflow); the names, lower-case ids and parameters must
// round-trip, __system_counters__ included.
func TestResendOutputContexts(t *testing.T) {
	s := RunT(t)
	first := "projects/parley-demo/agent/sessions/botium-1"
	qr := detectDirect(t, s, first, "¿dónde está mi pedido 12345?", "es")
	prev := qr.GetOutputContexts()
	if len(prev) != 2 {
		t.Fatalf("output contexts %v", prev)
	}
	// Same session, state reset by the client, contexts re-sent: the follow-up is gated as before.
	qr = detectDirect(t, s, first, "sí", "es", func(r *dialogflowpb.DetectIntentRequest) {
		r.QueryParams = &dialogflowpb.QueryParameters{ResetContexts: true, Contexts: prev}
	})
	if qr.GetIntent().GetDisplayName() != "optin.yes" {
		t.Errorf("re-sent contexts did not gate: %q", qr.GetIntent().GetDisplayName())
	}
}
