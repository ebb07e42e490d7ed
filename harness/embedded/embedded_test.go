package embedded

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/sim"
)

func start(t *testing.T, o Options) (*Env, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	env, err := Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := env.Close(); err != nil {
			t.Errorf("closing the environment: %v", err)
		}
	})
	return env, ctx
}

func TestEmbeddedFirstContact(t *testing.T) {
	env, ctx := start(t, Options{})
	lucia, err := env.World().NewCustomer(sim.Persona{WaID: "+34 612 345 678", Name: "Lucía", Lang: "es"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lucia.Say(ctx, "Hola"); err != nil {
		t.Fatal(err)
	}
	if _, err := lucia.AwaitReplyContaining(ctx, "asistente virtual"); err != nil {
		t.Fatal(err)
	}
	if _, err := lucia.Say(ctx, "¿Dónde está mi pedido TE-1001?"); err != nil {
		t.Fatal(err)
	}
	if _, err := lucia.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	// The assistant reached Dialogflow through DLP, under a pseudonymous session.
	di := env.Journal().Filter(func(e journal.Event) bool { return e.Kind == journal.KindDetectIntent })
	if len(di) == 0 {
		t.Fatalf("no detect_intent reached the Dialogflow mock\n%s", lucia.Transcript(ctx))
	}
	var d journal.DetectIntentData
	di[len(di)-1].Decode(&d)
	if strings.Contains(d.Session, lucia.WaID) {
		t.Errorf("session %q carries the phone number", d.Session)
	}
	if n := len(env.Journal().Filter(func(e journal.Event) bool { return e.Kind == journal.KindDeidentify })); n == 0 {
		t.Error("nothing went through DLP")
	}
	rep := audit.Run(env.Journal().Events(), audit.Options{})
	for _, r := range rep.Broken() {
		t.Errorf("rule broken on a compliant first contact: %s %+v", r.Rule, r.Findings)
	}
	if r, _ := rep.Result("AI-DISC-01"); r.Status != audit.Passed {
		t.Errorf("AI-DISC-01 is %s after a first contact, want passed", r.Status)
	}
}

func TestHooksRecordedAndRefusalsReported(t *testing.T) {
	env, ctx := start(t, Options{})
	err := env.Hooks().Consent(ctx, sim.ConsentHook{WaID: "34612345678", Purpose: "marketing", Channel: "web",
		Wording: "Acepto recibir ofertas de Tienda Ejemplo por WhatsApp", Given: true, Time: env.Journal().Clock().Now()})
	if err != nil {
		t.Fatal(err)
	}
	err = env.Hooks().Consent(ctx, sim.ConsentHook{WaID: "x", Purpose: "marketing", Channel: "web", Given: true})
	if err == nil || !strings.Contains(err.Error(), "422") {
		t.Errorf("a bad hook body was not refused: %v", err)
	}
	calls := env.Journal().Filter(func(e journal.Event) bool { return e.Kind == journal.KindHookCalled })
	if len(calls) != 2 {
		t.Fatalf("%d hook.called events, want 2", len(calls))
	}
	var h journal.HookData
	calls[1].Decode(&h)
	if h.Status != 422 || h.Error == "" {
		t.Errorf("refused hook journalled as %+v", h)
	}
	bad := &harness.Hooks{BaseURL: "http://127.0.0.1:1", Journal: env.Journal()}
	if err := bad.Campaign(ctx, "promo", "", time.Now()); err == nil || !strings.Contains(err.Error(), "bot-contract") {
		t.Errorf("unreachable assistant: %v", err)
	}
}

func TestTLSProbe(t *testing.T) {
	for _, tc := range []struct {
		name       string
		violations []string
		want       map[string]bool
	}{
		{"compliant", nil, map[string]bool{"1.0": false, "1.1": false, "1.2": true, "1.3": true}},
		{"WA-SEC-02", []string{"WA-SEC-02"}, map[string]bool{"1.0": true, "1.1": true, "1.2": true, "1.3": true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, _ := start(t, Options{Violations: tc.violations})
			got := map[string]bool{}
			for _, e := range env.Journal().Filter(func(e journal.Event) bool { return e.Kind == journal.KindTLSProbe }) {
				var p journal.TLSProbeData
				e.Decode(&p)
				got[p.Version] = p.Accepted
			}
			if len(got) != len(tc.want) {
				t.Fatalf("probes %v, want %v", got, tc.want)
			}
			for v, ok := range tc.want {
				if got[v] != ok {
					t.Errorf("TLS %s accepted = %v, want %v", v, got[v], ok)
				}
			}
		})
	}
}
