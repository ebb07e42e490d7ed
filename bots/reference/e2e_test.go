package reference

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

func TestFirstContactDisclosureAndOptInPrompt(t *testing.T) {
	tests := []struct {
		name, waID, text string
		want             []string
		prompt           []string
		buttons          []string
	}{
		{"spanish", "34600000001", "Hola",
			[]string{"asistente virtual", "Tienda Ejemplo", PrivacyURL, "Tienda Ejemplo S.L.", "Meta", "Google", "encargados",
				"90 días", "acceso", "supresión", "oposición", "AEPD", "persona"},
			[]string{"Tienda Ejemplo", "WhatsApp", "ofertas", "BAJA"}, []string{"Sí, acepto", "No, gracias"}},
		{"english", "447700900001", "Hello, where is my order?",
			[]string{"automated virtual assistant", "Tienda Ejemplo", PrivacyURL, "Meta", "Google", "processors", "90 days",
				"access", "erasure", "object", "AEPD", "person"},
			[]string{"Tienda Ejemplo", "WhatsApp", "offers", "STOP"}, []string{"Yes, I agree", "No, thanks"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			got := e.say(tt.waID, tt.text)
			if len(got) < 2 {
				t.Fatalf("want a welcome and an opt-in prompt, got:%s", transcript(got))
			}
			for _, w := range tt.want {
				if !strings.Contains(got[0].Text, w) {
					t.Errorf("welcome lacks %q:%s", w, transcript(got[:1]))
				}
			}
			p := got[len(got)-1]
			if p.Type != "interactive" || strings.Join(p.Buttons, "|") != strings.Join(tt.buttons, "|") {
				t.Fatalf("last message is not the yes/no opt-in prompt:%s", transcript(got))
			}
			for _, w := range tt.prompt {
				if !strings.Contains(p.Text, w) {
					t.Errorf("opt-in prompt lacks %q: %q", w, p.Text)
				}
			}
			// The welcome is for the first contact only.
			again := e.say(tt.waID, "gracias")
			if anyContains(again, PrivacyURL) {
				t.Errorf("the notice was repeated on the second message:%s", transcript(again))
			}
		})
	}
}

func TestOptInIsExplicitAndRecorded(t *testing.T) {
	tests := []struct {
		name    string
		answer  func(e *env, waID string)
		consent bool
	}{
		{"button yes", func(e *env, w string) { e.tap(w, "Sí, acepto", buttonOptInYes) }, true},
		{"typed si", func(e *env, w string) { e.say(w, "Sí") }, true},
		{"button no", func(e *env, w string) { e.tap(w, "No, gracias", buttonOptInNo) }, false},
		{"ok? is not consent", func(e *env, w string) { e.say(w, "ok?") }, false},
		{"silence is not consent", func(e *env, w string) {}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			const w = "34600000001"
			e.say(w, "hola")
			tt.answer(e, w)
			recs := e.bot.store.consentsOf(w)
			if got := len(recs) == 1 && recs[0].Given; got != tt.consent {
				t.Fatalf("consent recorded = %v, want %v: %+v", got, tt.consent, recs)
			}
			if !tt.consent {
				return
			}
			r := recs[0]
			if r.Channel != "whatsapp" || r.Purpose != "marketing" || !r.Time.Equal(e.j.Clock().Now()) || !strings.Contains(r.Wording, "Tienda Ejemplo") || !strings.Contains(r.Wording, "WhatsApp") {
				t.Errorf("consent is not demonstrable: %+v", r)
			}
		})
	}
}

func TestServiceDoesNotDependOnConsent(t *testing.T) {
	e := newEnv(t)
	const w = "34600000001"
	e.say(w, "hola")
	e.tap(w, "No, gracias", buttonOptInNo)
	got := e.say(w, "¿cómo va mi pedido TE-1001?")
	if !anyContains(got, "TE-1001") || !anyContains(got, "enviado") {
		t.Fatalf("after 'no' to offers the order question was not answered:%s", transcript(got))
	}
}

func TestCampaignOnlyToConsentedCustomers(t *testing.T) {
	e := newEnv(t)
	const chat, web, none, webNoWording = "34600000001", "34600000002", "34600000003", "34600000004"
	e.optIn(chat)
	e.say(none, "hola")
	if st := e.consent(web, "marketing", "web", "Acepto recibir ofertas de Tienda Ejemplo por WhatsApp"); st != 201 {
		t.Fatalf("consent hook answered %d", st)
	}
	if st := e.consent(webNoWording, "marketing", "web", ""); st != 422 {
		t.Fatalf("consent without wording answered %d, want 422", st)
	}
	e.advance(25 * time.Hour)
	e.markJournal()
	res := e.campaign()
	sort.Strings(res.Sent)
	if strings.Join(res.Sent, ",") != chat+","+web {
		t.Fatalf("campaign sent to %v, want %s and %s", res.Sent, chat, web)
	}
	for _, w := range []string{chat, web} {
		out := e.sentTo(w)
		if len(out) != 1 || out[0].Type != "template" || out[0].Template != templateMarketing || out[0].Category != "MARKETING" {
			t.Errorf("%s: want one marketing template, got %+v", w, out)
		}
	}
	for _, w := range []string{none, webNoWording} {
		if out := e.sentTo(w); len(out) != 0 {
			t.Errorf("%s got marketing without consent: %+v", w, out)
		}
	}
	in := e.inbox(chat)
	last := in[len(in)-1]
	if strings.Join(last.Buttons, "|") != "Baja" {
		t.Errorf("the marketing template offers no opt-out button: %+v", last)
	}
}

func TestOptOutInAnyPhrasing(t *testing.T) {
	phrases := []struct{ name, text string }{
		{"BAJA", "BAJA"},
		{"STOP", "STOP"},
		{"no quiero mas mensajes", "no quiero más mensajes"},
		{"dejad de escribirme", "Dejad de escribirme, por favor"},
		{"lista robinson", "Estoy en la lista Robinson, cesen el envío"},
		{"typo", "quiero darme de vaja"},
		{"english unsubscribe", "unsubscribe"},
		{"english paraphrase", "please stop messaging me"},
	}
	for _, p := range phrases {
		t.Run(p.name, func(t *testing.T) {
			e := newEnv(t)
			const w = "34600000001"
			e.optIn(w)
			e.markJournal()
			got := e.say(w, p.text)
			if len(got) != 1 || !(strings.Contains(got[0].Text, "baja") || strings.Contains(got[0].Text, "unsubscribed")) {
				t.Fatalf("want exactly one confirmation, got:%s", transcript(got))
			}
			e.advance(31 * 24 * time.Hour)
			res := e.campaign()
			n := e.notify(w, "TE-1001")
			if len(res.Sent) != 0 || n.Result != "skipped_opted_out" {
				t.Fatalf("after opt-out: campaign sent %v, notify %q", res.Sent, n.Result)
			}
			if out := e.sentTo(w); len(out) != 1 {
				t.Errorf("want only the confirmation after the opt-out, got %d sends: %+v", len(out), out)
			}
			// The customer may still write and get service.
			if got := e.say(w, "¿dónde está mi pedido TE-1001?"); !anyContains(got, "TE-1001") {
				t.Errorf("no service after opt-out:%s", transcript(got))
			}
		})
	}
}

func TestOptOutByTemplateButton(t *testing.T) {
	e := newEnv(t)
	const w = "34600000001"
	e.optIn(w)
	e.campaign()
	before := len(e.inbox(w))
	e.send(w, whatsapp.CustomerMessage{Type: "button", Text: "Baja"})
	got := e.inbox(w)[before:]
	if len(got) != 1 || !strings.Contains(got[0].Text, "baja") {
		t.Fatalf("the quick-reply Baja was not honoured:%s", transcript(got))
	}
	if res := e.campaign(); len(res.Sent) != 0 {
		t.Errorf("campaign after Baja sent to %v", res.Sent)
	}
}

func TestNotifyWindowAndConsent(t *testing.T) {
	e := newEnv(t)
	const w = "34600000001"
	e.say(w, "hola")
	if r := e.notify(w, "TE-1001"); r.Result != "sent_text" {
		t.Fatalf("inside the window: %q, want sent_text", r.Result)
	}
	e.advance(25 * time.Hour)
	e.markJournal()
	if r := e.notify(w, "TE-1001"); r.Result != "skipped_no_consent" {
		t.Fatalf("outside the window without consent: %q", r.Result)
	}
	if out := e.sentTo(w); len(out) != 0 {
		t.Fatalf("sent outside the window without consent: %+v", out)
	}
	e.consent(w, "notifications", "app", "Quiero recibir avisos de mis pedidos de Tienda Ejemplo por WhatsApp")
	r := e.notify(w, "TE-1001")
	out := e.sentTo(w)
	if r.Result != "sent_template" || len(out) != 1 || out[0].Template != templateShipped || out[0].Category != "UTILITY" || out[0].HTTP != 200 {
		t.Fatalf("outside the window with consent: %q %+v", r.Result, out)
	}
	for _, o := range outbound(t, e.since(journal.KindOutboundAccepted)) {
		if o.Type != "template" && !o.InWindow {
			t.Errorf("free-form message outside the window: %+v", o)
		}
	}
}

func TestPlatformStopPromotions(t *testing.T) {
	e := newEnv(t)
	const w = "34600000001"
	e.optIn(w)
	if err := e.wa.StopPromotions(e.ctx, w); err != nil {
		t.Fatal(err)
	}
	e.settle()
	e.markJournal()
	if res := e.campaign(); len(res.Sent) != 0 {
		t.Fatalf("campaign after WhatsApp's stop promotions: %v", res.Sent)
	}
	if out := e.sentTo(w); len(out) != 0 {
		t.Errorf("marketing attempted after stop promotions: %+v", out)
	}
}

func TestMarketingErrorsNoRetryStorm(t *testing.T) {
	tests := []struct {
		name     string
		code     int
		count    int
		maxCalls int
		sent     bool
	}{
		{"131050 async: suppressed", 131050, 1, 1, true},
		{"131049 async: held", 131049, 1, 1, true},
		{"130429 retried, bounded", 130429, 10, 3, false},
		{"131056 retried, bounded", 131056, 10, 3, false},
		{"130429 once then sent", 130429, 1, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			const w = "34600000001"
			e.optIn(w)
			e.advance(25 * time.Hour)
			if err := e.wa.InjectFault(e.ctx, control.Fault{Kind: strconv.Itoa(tt.code), Count: tt.count}); err != nil {
				t.Fatal(err)
			}
			e.markJournal()
			res := e.campaign()
			if calls := len(e.sentTo(w)); calls > tt.maxCalls || calls == 0 {
				t.Fatalf("%d send attempts, want 1..%d", calls, tt.maxCalls)
			}
			if (len(res.Sent) == 1) != tt.sent {
				t.Errorf("campaign result %+v", res)
			}
			if err := e.wa.ClearFaults(e.ctx); err != nil {
				t.Fatal(err)
			}
			if tt.code == 131050 || tt.code == 131049 {
				e.markJournal()
				e.campaign()
				if out := e.sentTo(w); len(out) != 0 {
					t.Errorf("marketing resent after %d: %+v", tt.code, out)
				}
			}
			if tt.code == 131049 {
				e.advance(25 * time.Hour)
				e.markJournal()
				if res := e.campaign(); len(res.Sent) != 1 {
					t.Errorf("the 131049 hold did not lapse after 24 hours: %+v", res)
				}
			}
		})
	}
}

func TestDeidentifiedBeforeDialogflow(t *testing.T) {
	e := newEnv(t)
	const w = "34600000001"
	e.say(w, "hola")
	e.markJournal()
	got := e.say(w, "Soy Ana, mi DNI es 12345678Z y mi tarjeta 4111 1111 1111 1111, ¿dónde está mi pedido?")
	dis := detects(t, e.since(journal.KindDetectIntent))
	if len(dis) != 1 {
		t.Fatalf("want one detectIntent, got %d", len(dis))
	}
	if deid := e.since(journal.KindDeidentify); len(deid) != 1 || deid[0].Seq > e.since(journal.KindDetectIntent)[0].Seq {
		t.Fatalf("DLP deidentify must come before Dialogflow: %d calls", len(deid))
	}
	d := dis[0]
	for _, raw := range []string{"12345678Z", "4111 1111 1111 1111", "4111111111111111"} {
		if strings.Contains(d.Text, raw) {
			t.Errorf("raw identifier %q reached Dialogflow: %q", raw, d.Text)
		}
	}
	if strings.Contains(d.SessionID, w) || len(d.SessionID) > 36 || d.SessionID == "" {
		t.Errorf("session id %q is not pseudonymous", d.SessionID)
	}
	if !strings.Contains(d.Session, "/locations/europe-west1/") {
		t.Errorf("session %q is not in the EU location the notice promises", d.Session)
	}
	if !anyContains(got, "privacidad") {
		t.Errorf("no just-in-time privacy reminder:%s", transcript(got))
	}
	for _, m := range e.inbox(w) {
		if strings.Contains(m.Text, "12345678Z") || strings.Contains(m.Text, "4111 1111 1111 1111") {
			t.Errorf("identifier echoed back: %q", m.Text)
		}
	}
	c, _ := e.bot.store.get(w)
	for _, m := range c.Messages {
		if strings.Contains(m.Text, "4111 1111 1111 1111") {
			t.Errorf("card number stored readable: %q", m.Text)
		}
	}
}

func TestNeverAsksForSensitiveData(t *testing.T) {
	e := newEnv(t)
	const w = "34600000009" // no orders
	for _, q := range []string{"hola", "¿dónde está mi pedido?", "quiero mi ticket", "no sé el número de pedido"} {
		e.say(w, q)
	}
	for _, m := range e.inbox(w) {
		low := strings.ToLower(m.Text)
		for _, bad := range []string{"número de la tarjeta", "número completo de la tarjeta", "contraseña:", "foto de tu dni", "indícame tu iban"} {
			if strings.Contains(low, bad) {
				t.Errorf("asked for sensitive data: %q", m.Text)
			}
		}
	}
}

var dsrRef = regexp.MustCompile(`DSR-[A-Z2-7]{8}`)

func TestAccessAndPortabilityExports(t *testing.T) {
	tests := []struct {
		name, ask string
		kind      string
		art15     bool
	}{
		{"access es", "¿Qué datos tenéis de mí?", "access", true},
		{"access en", "what data do you have on me", "access", true},
		{"portability", "quiero la portabilidad de mis datos", "portability", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			const w = "34600000001"
			e.optIn(w)
			e.say(w, "mi email es canary.ana+7@example.com")
			e.say(w, "Mi pedido TE-1001 llega tarde, soy Ana Canario")
			got := e.say(w, tt.ask)
			if len(got) < 2 || !dsrRef.MatchString(got[0].Text) || got[len(got)-1].Type != "document" {
				t.Fatalf("want an acknowledgement with a reference and a document:%s", transcript(got))
			}
			x, err := e.lastExport(w)
			if err != nil {
				t.Fatal(err)
			}
			if x.mimeType != "text/plain" || !strings.HasSuffix(x.filename, ".json") || !x.parses {
				t.Errorf("export is %s %q, want JSON bytes as text/plain *.json (WhatsApp takes no application/json)", x.mimeType, x.filename)
			}
			doc, raw := x.doc, string(x.raw)
			for _, want := range []string{"canary.ana+7@example.com", "Ana Canario", "TE-1001", w} {
				if !strings.Contains(raw, want) {
					t.Errorf("export lacks %q", want)
				}
			}
			if doc.Kind != tt.kind || doc.Reference != dsrRef.FindString(got[0].Text) {
				t.Errorf("export kind %q reference %q, ack %q", doc.Kind, doc.Reference, got[0].Text)
			}
			if tt.art15 {
				if len(doc.Purposes) == 0 || doc.Retention == "" || !strings.Contains(raw, "Meta") || !strings.Contains(raw, "Google") || doc.Complaint == "" {
					t.Errorf("access export lacks the art. 15(1) information: %s", raw)
				}
				if len(doc.Subject.Consents) != 1 || doc.Subject.Consents[0].Wording == "" {
					t.Errorf("export does not show the consent record: %+v", doc.Subject.Consents)
				}
			}
			for _, ev := range e.events(journal.KindOutboundAccepted) {
				var o journal.OutboundData
				_ = ev.Decode(&o)
				if o.Type == "document" && o.WaID != w {
					t.Errorf("export sent to %s, not to the requester", o.WaID)
				}
			}
		})
	}
}

func TestExportOnlyToOwnNumber(t *testing.T) {
	e := newEnv(t)
	const a, b = "34600000001", "34600000002"
	e.say(a, "hola, mi email es secreto.a@example.com")
	e.say(b, "hola")
	e.say(b, "quiero una copia de mis datos del 34600000001")
	x, err := e.lastExport(b)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(x.raw), "secreto.a@example.com") || x.doc.Subject.WaID != b {
		t.Fatalf("B received A's data: %s", x.raw)
	}
	for _, m := range e.inbox(a) {
		if m.Type == "document" {
			t.Errorf("A received an export nobody asked for")
		}
	}
}

func TestRectification(t *testing.T) {
	e := newEnv(t)
	const w = "34600000001"
	e.say(w, "hola, mi email es viejo@example.com")
	got := e.say(w, "mi email ha cambiado, ahora es nuevo@example.com")
	if !anyContains(got, "corregido") || !dsrRef.MatchString(got[0].Text) {
		t.Fatalf("rectification not acknowledged:%s", transcript(got))
	}
	e.say(w, "quiero una copia de mis datos")
	x, err := e.lastExport(w)
	if err != nil {
		t.Fatal(err)
	}
	if x.doc.Subject.Email != "nuevo@example.com" {
		t.Errorf("export shows email %q after rectification", x.doc.Subject.Email)
	}
	if strings.Contains(string(x.raw), "viejo@example.com") {
		t.Errorf("the export still shows the old e-mail somewhere: %s", x.raw)
	}
}

func TestErasure(t *testing.T) {
	e := newEnv(t)
	const w = "34600000001"
	e.optIn(w)
	e.say(w, "soy Ana Canario, ¿dónde está mi pedido?")
	old := detects(t, e.events(journal.KindDetectIntent))
	oldSession := old[len(old)-1].SessionID
	e.markJournal()
	got := e.say(w, "borrad todos mis datos")
	if !anyContains(got, "borrado") || !dsrRef.MatchString(got[0].Text) {
		t.Fatalf("erasure not acknowledged:%s", transcript(got))
	}
	var cleared bool
	for _, ev := range e.since(journal.KindContextsDeleted) {
		var c journal.ContextsData
		_ = ev.Decode(&c)
		cleared = cleared || (c.All && c.SessionID == oldSession)
	}
	if !cleared {
		t.Fatalf("DeleteAllContexts not called on the old session %s", oldSession)
	}
	if _, ok := e.bot.store.get(w); ok {
		t.Error("the customer record survived erasure")
	}
	e.markJournal()
	e.say(w, "hola otra vez")
	for _, d := range detects(t, e.since(journal.KindDetectIntent)) {
		if d.SessionID == oldSession {
			t.Error("Dialogflow queried on the old session after erasure")
		}
	}
	e.say(w, "qué datos tenéis de mí")
	x, err := e.lastExport(w)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(x.raw), "Ana Canario") {
		t.Error("export after erasure still holds old data")
	}
	e.advance(31 * 24 * time.Hour)
	e.markJournal()
	if res := e.campaign(); len(res.Sent) != 0 {
		t.Errorf("marketing after erasure: %v", res.Sent)
	}
}

func TestRestrictionAndObjectionStopMarketing(t *testing.T) {
	for _, ask := range []string{"quiero limitar el tratamiento de mis datos", "me opongo a que uséis mis datos para publicidad", "I object to marketing"} {
		t.Run(ask, func(t *testing.T) {
			e := newEnv(t)
			const w = "34600000001"
			e.optIn(w)
			got := e.say(w, ask)
			if len(got) != 1 || !dsrRef.MatchString(got[0].Text) {
				t.Fatalf("want one acknowledgement with a reference:%s", transcript(got))
			}
			for _, bad := range []string{"seguro", "descuento", "sure", "off if"} {
				if anyContains(got, bad) {
					t.Errorf("counter-offer in the answer:%s", transcript(got))
				}
			}
			e.advance(31 * 24 * time.Hour)
			if res := e.campaign(); len(res.Sent) != 0 {
				t.Errorf("marketing after %q: %v", ask, res.Sent)
			}
		})
	}
}

func TestHandoffSilentUntilReleased(t *testing.T) {
	tests := []struct {
		name    string
		release func(e *env, w string)
	}{
		{"hook", func(e *env, w string) {
			if st, res := e.hook("handoff/release", map[string]any{"version": "1", "wa_id": w}); st != 200 {
				t.Fatalf("release answered %d %+v", st, res)
			}
		}},
		{"24 hours", func(e *env, w string) { e.advance(25 * time.Hour) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			const w = "34600000001"
			e.say(w, "hola")
			got := e.say(w, "quiero hablar con una persona")
			if !anyContains(got, "persona") || !anyContains(got, SupportPhone) {
				t.Fatalf("no handoff:%s", transcript(got))
			}
			e.markJournal()
			if got := e.say(w, "¿hola? ¿sigue ahí?"); len(got) != 0 {
				t.Fatalf("bot answered during the handoff:%s", transcript(got))
			}
			if n := len(e.since(journal.KindDetectIntent)); n != 0 {
				t.Fatalf("%d Dialogflow calls during the handoff", n)
			}
			tt.release(e, w)
			if got := e.say(w, "¿dónde está mi pedido TE-1001?"); !anyContains(got, "TE-1001") {
				t.Fatalf("no answer after release:%s", transcript(got))
			}
		})
	}
}

// An opt-out during a handoff is honoured at once, without Dialogflow.
func TestOptOutDuringHandoff(t *testing.T) {
	e := newEnv(t)
	const w = "34600000001"
	e.optIn(w)
	e.say(w, "quiero hablar con una persona")
	e.markJournal()
	got := e.say(w, "no quiero más mensajes")
	if len(got) != 1 || !strings.Contains(got[0].Text, "dado de baja") {
		t.Fatalf("opt-out during the handoff not confirmed:%s", transcript(got))
	}
	if n := len(e.since(journal.KindDetectIntent)); n != 0 {
		t.Errorf("%d Dialogflow calls during the handoff", n)
	}
	if res := e.campaign(); len(res.Sent) != 0 {
		t.Errorf("marketing after the opt-out: %v", res.Sent)
	}
	if got := e.say(w, "¿sigue ahí alguien?"); len(got) != 0 {
		t.Errorf("the bot spoke during the handoff:%s", transcript(got))
	}
}

func TestOrdersAndTickets(t *testing.T) {
	tests := []struct {
		name, waID, ask string
		want, not       []string
	}{
		{"own order", "34600000001", "¿cómo va mi pedido TE-1001?", []string{"TE-1001", "enviado", "CX123456789ES"}, nil},
		{"list own orders", "34600000001", "¿dónde está mi pedido?", []string{"TE-1001", "TE-1002"}, nil},
		{"someone else's order", "34600000002", "¿cómo va el pedido TE-1001?", []string{"No encuentro"}, []string{"Zapatillas", "CX123456789ES"}},
		{"tickets", "34600000001", "necesito el ticket de compra", []string{"T-5001", "24,90"}, []string{"T-5002"}},
		{"english order", "447700900001", "where is my order TE-1006?", []string{"TE-1006", "shipped", "DHL55512345"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.say(tt.waID, "hola")
			got := e.say(tt.waID, tt.ask)
			for _, w := range tt.want {
				if !anyContains(got, w) {
					t.Errorf("answer lacks %q:%s", w, transcript(got))
				}
			}
			for _, n := range tt.not {
				if anyContains(got, n) {
					t.Errorf("answer leaks %q:%s", n, transcript(got))
				}
			}
		})
	}
}

func TestComplaintGetsTrackingCode(t *testing.T) {
	e := newEnv(t)
	e.say("447700900001", "hello")
	got := e.say("447700900001", "I want to make a complaint")
	if !anyContains(got, "tracking code REC-") {
		t.Fatalf("no tracking code in English:%s", transcript(got))
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name  string
		msg   whatsapp.CustomerMessage
		reply string // a substring of the polite answer; "" means no answer is right
	}{
		{"huge text", whatsapp.CustomerMessage{Text: strings.Repeat("hola ", 2000)}, "muy largo"},
		{"emoji only", whatsapp.CustomerMessage{Text: "🙂🙂🔥"}, "no te he entendido"},
		{"mixed languages", whatsapp.CustomerMessage{Text: "hola, where is mi pedido TE-1001?"}, "TE-1001"},
		{"image", whatsapp.CustomerMessage{Type: "image", Text: "mi DNI"}, "no puedo abrir"},
		{"document", whatsapp.CustomerMessage{Type: "document", MimeType: "application/pdf", Filename: "x.pdf"}, "no puedo abrir"},
		{"audio", whatsapp.CustomerMessage{Type: "audio"}, "no puedo abrir"},
		{"sticker", whatsapp.CustomerMessage{Type: "sticker"}, "no puedo abrir"},
		{"location", whatsapp.CustomerMessage{Type: "location", Latitude: 40.4, Longitude: -3.7}, "ubicación"},
		{"reaction", whatsapp.CustomerMessage{Type: "reaction", Emoji: "👍"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			const w = "34600000001"
			e.say(w, "hola")
			before := len(e.inbox(w))
			e.send(w, tt.msg)
			got := e.inbox(w)[before:]
			if tt.reply == "" {
				if len(got) != 0 {
					t.Errorf("want no answer, got:%s", transcript(got))
				}
				return
			}
			if !anyContains(got, tt.reply) {
				t.Errorf("want an answer with %q, got:%s", tt.reply, transcript(got))
			}
		})
	}
}

func TestMalformedWebhooksAreRefusedNotFatal(t *testing.T) {
	e := newEnv(t)
	secret := e.wa.AppSecret()
	bodies := []string{
		`{`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"","id":"x","type":"text"}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"34600000005","id":"wamid.x","type":"text"}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"34600000005","id":"wamid.y","type":"hologram","hologram":{}}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"account_update","value":{}}]}]}`,
		`[]`,
		`null`,
	}
	for i, body := range bodies {
		req, _ := http.NewRequestWithContext(e.ctx, http.MethodPost, e.url+"/webhook", strings.NewReader(body))
		req.Header.Set("X-Hub-Signature-256", sign(secret, []byte(body)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("body %d: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 && resp.StatusCode != 400 {
			t.Errorf("body %d answered %d", i, resp.StatusCode)
		}
	}
	e.settle()
	if got := e.say("34600000001", "hola"); len(got) == 0 {
		t.Fatal("the assistant stopped answering after malformed webhooks")
	}
}

func TestHandshakeThroughTheMock(t *testing.T) {
	e := newEnv(t)
	res, err := e.wa.VerifyWebhook(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK {
		t.Fatalf("handshake failed: %+v", res)
	}
}

func TestDuplicateWebhookHandledOnce(t *testing.T) {
	e := newEnv(t)
	const w = "34600000005"
	body := `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","contacts":[{"wa_id":"34600000005","profile":{"name":"Dup"}}],"messages":[{"from":"34600000005","id":"wamid.dup1","timestamp":"1772442000","type":"text","text":{"body":"hola"}}]}}]}]}`
	post := func() int {
		e.markJournal()
		req, _ := http.NewRequestWithContext(e.ctx, http.MethodPost, e.url+"/webhook", strings.NewReader(body))
		req.Header.Set("X-Hub-Signature-256", sign(e.wa.AppSecret(), []byte(body)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("webhook answered %d", resp.StatusCode)
		}
		e.settle()
		return len(e.sentTo(w))
	}
	if first := post(); first == 0 {
		t.Fatal("the first delivery got no answer")
	}
	if again := post(); again != 0 {
		t.Errorf("the duplicate delivery was answered again (%d sends)", again)
	}
}

func TestManyCustomersInParallelKeepOrder(t *testing.T) {
	e := newEnv(t)
	const n = 40
	errs := make(chan error, n)
	for i := range n {
		go func() {
			w := fmt.Sprintf("3460010%04d", i)
			for _, text := range []string{"hola", "¿dónde está mi pedido TE-1001?", "gracias"} {
				if _, err := e.wa.SendFromCustomer(e.ctx, w, whatsapp.CustomerMessage{Text: text}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	e.settle()
	for i := range n {
		w := fmt.Sprintf("3460010%04d", i)
		in := e.inbox(w)
		if len(in) < 4 || !strings.Contains(in[0].Text, "asistente virtual") || in[1].Type != "interactive" {
			t.Fatalf("%s: replies out of order or missing:%s", w, transcript(in))
		}
		if !anyContains(in[2:], "No encuentro el pedido TE-1001") {
			t.Errorf("%s saw someone else's order or no answer:%s", w, transcript(in))
		}
	}
}

// An opt-out is answered by one message, also at first contact (the disclosure rides on it) and when it
// carries personal data (the reminder rides on it).
func TestOptOutIsOneMessage(t *testing.T) {
	tests := []struct {
		name, first, text string
		want              []string
	}{
		{"first contact", "", "BAJA", []string{"asistente virtual", PrivacyURL, "dado de baja"}},
		{"first contact english", "", "STOP", []string{"automated virtual assistant", "unsubscribed"}},
		{"with personal data", "hola", "soy 12345678Z, dadme de baja ya", []string{"dado de baja", "Aviso de privacidad"}},
		{"huge opt-out", "hola", "no quiero recibir más mensajes " + strings.Repeat("por favor ", 200), []string{"dado de baja"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			const w = "34600000001"
			if tt.first != "" {
				e.say(w, tt.first)
			}
			got := e.say(w, tt.text)
			if len(got) != 1 {
				t.Fatalf("want one message, got %d:%s", len(got), transcript(got))
			}
			for _, s := range tt.want {
				if !strings.Contains(got[0].Text, s) {
					t.Errorf("the confirmation lacks %q:%s", s, transcript(got))
				}
			}
		})
	}
}

// When DLP or Dialogflow fail, the customer gets a polite answer with the way to a person, raw text never
// goes to Dialogflow, and the opt-out and rights paths (recognised locally) keep working.
func TestNLUOutages(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(e *env)
	}{
		{"DLP unavailable", func(e *env) {
			if err := e.dlp.InjectFault(e.ctx, control.Fault{Method: "deidentify", Kind: "UNAVAILABLE"}); err != nil {
				t.Fatal(err)
			}
		}},
		{"DLP slow past the deadline", func(e *env) {
			if err := e.dlp.InjectFault(e.ctx, control.Fault{Method: "deidentify", Delay: testCallTimeout + time.Second, Count: 1}); err != nil {
				t.Fatal(err)
			}
		}},
		{"Dialogflow quota", func(e *env) {
			if err := e.df.InjectFault(e.ctx, control.Fault{Kind: "RESOURCE_EXHAUSTED"}); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			const w = "34600000001"
			e.say(w, "hola")
			tt.break_(e)
			e.markJournal()
			got := e.say(w, "mi DNI es 12345678Z, ¿qué tal?")
			if !anyContains(got, "no puedo procesar") || !anyContains(got, "AGENTE") {
				t.Fatalf("no polite answer:%s", transcript(got))
			}
			for _, d := range detects(t, e.since(journal.KindDetectIntent)) {
				if strings.Contains(d.Text, "12345678Z") {
					t.Errorf("raw text reached Dialogflow during the outage: %q", d.Text)
				}
			}
			if got := e.say(w, "BAJA"); !anyContains(got, "dado de baja") {
				t.Errorf("opt-out failed during the outage:%s", transcript(got))
			}
		})
	}
}

// A free-form order notice that WhatsApp refuses with 131047 (its window closed: clocks differ) is not
// resent free-form; the utility template goes instead, when the customer consented to notifications.
func TestNotify131047FallsBackToTemplate(t *testing.T) {
	for _, consent := range []bool{true, false} {
		t.Run(fmt.Sprint("consent=", consent), func(t *testing.T) {
			e := newEnv(t)
			const w = "34600000001"
			e.say(w, "hola")
			if consent {
				e.consent(w, "notifications", "app", "Avisos de mis pedidos de Tienda Ejemplo por WhatsApp")
			}
			if err := e.wa.InjectFault(e.ctx, control.Fault{Kind: "131047", Count: 1}); err != nil {
				t.Fatal(err)
			}
			e.markJournal()
			if r := e.notify(w, "TE-1001"); r.Result != "sent_text" {
				t.Fatalf("notify: %+v", r)
			}
			var text, tpl int
			for _, o := range e.sentTo(w) {
				switch o.Type {
				case "text":
					text++
				case "template":
					tpl++
				}
			}
			want := 0
			if consent {
				want = 1
			}
			if text != 1 || tpl != want {
				t.Errorf("%d free-form and %d template sends, want 1 and %d", text, tpl, want)
			}
		})
	}
}
