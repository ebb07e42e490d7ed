package reference

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/journal"
)

// misbehaviour is one violation's scenario: it drives the assistant through the mocks and reports whether
// the rule's misbehaviour happened on the wire (in what the mocks received or the hooks answered).
type misbehaviour func(t *testing.T, e *env) bool

const (
	alice  = "34600000001" // has orders TE-1001, TE-1002 and ticket T-5001
	bob    = "34600000002"
	nobody = "34600000009"  // no orders
	emma   = "447700900001" // English
)

// marketingTo reports whether a marketing template was sent (or attempted) to waID after the mark.
func (e *env) marketingTo(waID string) bool {
	for _, o := range e.sentTo(waID) {
		if o.Type == "template" && o.Template == templateMarketing {
			return true
		}
	}
	return false
}

var violationScenarios = map[string]misbehaviour{
	"WA-OPTIN-01": func(t *testing.T, e *env) bool {
		e.say(alice, "hola")
		e.advance(25 * time.Hour)
		e.markJournal()
		e.campaign()
		return e.marketingTo(alice)
	},
	"WA-OPTIN-02": func(t *testing.T, e *env) bool {
		got := e.say(alice, "hola")
		p := got[len(got)-1]
		vague := !strings.Contains(p.Text, "Tienda Ejemplo") || !strings.Contains(p.Text, "WhatsApp")
		e.say(alice, "ok?")
		e.advance(25 * time.Hour)
		e.markJournal()
		e.campaign()
		return vague || e.marketingTo(alice)
	},
	"WA-OPTIN-03": func(t *testing.T, e *env) bool {
		st := e.consent(bob, "marketing", "", "")
		e.markJournal()
		e.campaign()
		return st < 300 && e.marketingTo(bob)
	},
	"WA-WINDOW-01": func(t *testing.T, e *env) bool {
		e.say(alice, "hola")
		e.advance(25 * time.Hour)
		e.markJournal()
		e.notify(alice, "TE-1001")
		for _, o := range e.sentTo(alice) {
			if o.Type != "template" && !o.InWindow {
				return true
			}
		}
		return false
	},
	"WA-TPL-01": func(t *testing.T, e *env) bool {
		e.say(alice, "hola")
		e.consent(alice, "notifications", "web", "Avisos de mis pedidos de Tienda Ejemplo por WhatsApp")
		e.advance(25 * time.Hour)
		e.markJournal()
		e.notify(alice, "TE-1001")
		for _, o := range e.sentTo(alice) {
			if o.Category == "UTILITY" && strings.Contains(o.Text, "descuento") {
				return true
			}
		}
		return false
	},
	"WA-OPTOUT-01": func(t *testing.T, e *env) bool {
		e.optIn(alice)
		e.say(alice, "BAJA")
		e.advance(31 * 24 * time.Hour)
		e.markJournal()
		e.campaign()
		return e.marketingTo(alice)
	},
	"WA-OPTOUT-02": func(t *testing.T, e *env) bool {
		e.optIn(alice)
		got := e.say(alice, "no quiero recibir más mensajes vuestros")
		e.markJournal()
		e.campaign()
		return anyContains(got, "no te he entendido") || e.marketingTo(alice)
	},
	"WA-OPTOUT-03": func(t *testing.T, e *env) bool {
		e.optIn(alice)
		got := e.say(alice, "BAJA")
		return anyContains(got, "seguro") || anyContains(got, "confirmar") || anyContains(got, "descuento")
	},
	"WA-MKT-01": func(t *testing.T, e *env) bool {
		e.optIn(alice)
		e.markJournal()
		e.campaign()
		for _, o := range e.sentTo(alice) {
			if o.Type == "text" && strings.Contains(o.Text, "VERANO20") && !strings.Contains(o.Text, "Tienda Ejemplo") {
				return true
			}
		}
		return false
	},
	"WA-MKT-02": func(t *testing.T, e *env) bool {
		e.optIn(alice)
		if err := e.wa.StopPromotions(e.ctx, alice); err != nil {
			t.Fatal(err)
		}
		e.settle()
		e.markJournal()
		e.campaign()
		return e.marketingTo(alice)
	},
	"WA-ESC-01": func(t *testing.T, e *env) bool {
		e.say(alice, "hola")
		got := e.say(alice, "quiero hablar con una persona")
		return !anyContains(got, SupportPhone)
	},
	"WA-ESC-02": func(t *testing.T, e *env) bool {
		e.say(alice, "hola")
		e.say(alice, "quiero hablar con una persona")
		e.markJournal()
		got := e.say(alice, "¿dónde está mi pedido TE-1001?")
		return len(got) > 0 || len(e.since(journal.KindDetectIntent)) > 0
	},
	"WA-SENS-01": func(t *testing.T, e *env) bool {
		e.say(nobody, "hola")
		got := e.say(nobody, "¿dónde está mi pedido?")
		return anyContains(got, "número completo de la tarjeta")
	},
	"WA-SENS-02": func(t *testing.T, e *env) bool {
		e.say(alice, "hola")
		e.say(alice, "pagué con la tarjeta 4111 1111 1111 1111, ¿dónde está mi pedido?")
		for _, m := range e.inbox(alice) {
			if strings.Contains(m.Text, "4111 1111 1111 1111") {
				return true
			}
		}
		return false
	},
	"WA-SEC-01": func(t *testing.T, e *env) bool {
		body := `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"contacts":[{"wa_id":"34600000001","profile":{"name":"x"}}],"messages":[{"from":"34600000001","id":"wamid.forged","timestamp":"1772442000","type":"text","text":{"body":"hola"}}]}}]}]}`
		req, _ := http.NewRequestWithContext(e.ctx, http.MethodPost, e.url+"/webhook", strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		e.settle()
		return resp.StatusCode < 300 || len(e.events(journal.KindDetectIntent)) > 0 || len(e.sentTo(alice)) > 0
	},
	"WA-SEC-02": func(t *testing.T, e *env) bool {
		srv := httptest.NewUnstartedServer(e.bot.Handler())
		srv.TLS = e.bot.TLSConfig()
		srv.StartTLS()
		defer srv.Close()
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
			InsecureSkipVerify: true, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11,
		}}}
		resp, err := client.Get(srv.URL + "/healthz")
		if err != nil {
			return false // the handshake below TLS 1.2 was refused
		}
		resp.Body.Close()
		return true
	},
	"WA-XCUST-01": func(t *testing.T, e *env) bool {
		e.say(alice, "hola")
		e.say(alice, "Soy Ana Canario, ¿cómo va mi pedido TE-1001?")
		e.say(bob, "hola")
		got := e.say(bob, "¿y mi pedido?")
		return anyContains(got, "TE-1001") || anyContains(got, "Ana Canario")
	},
	"AI-DISC-01": func(t *testing.T, e *env) bool {
		got := e.say(alice, "hola")
		return !anyContains(got, "asistente virtual") && !anyContains(got, "automático")
	},
	"GDPR-NOTICE-01": func(t *testing.T, e *env) bool {
		got := e.say(alice, "hola")
		return !anyContains(got, PrivacyURL) || !anyContains(got, "AEPD")
	},
	"PRIV-3P-01": func(t *testing.T, e *env) bool {
		got := e.say(alice, "hola")
		return !anyContains(got, "Meta") || !anyContains(got, "Google")
	},
	"PRIV-JIT-01": func(t *testing.T, e *env) bool {
		e.say(alice, "hola")
		got := e.say(alice, "mi DNI es 12345678Z, ¿dónde está mi pedido?")
		return !anyContains(got, "privacidad")
	},
	"GDPR-CONSENT-01": func(t *testing.T, e *env) bool {
		e.say(alice, "hola")
		e.tap(alice, "No, gracias", buttonOptInNo)
		got := e.say(alice, "¿cómo va mi pedido TE-1001?")
		return !anyContains(got, "TE-1001")
	},
	"GDPR-CONSENT-02": func(t *testing.T, e *env) bool {
		e.optIn(alice)
		e.say(alice, "quiero una copia de mis datos")
		x, err := e.lastExport(alice)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range x.doc.Subject.Consents {
			if c.Wording == "" || c.Channel == "" || c.Time.IsZero() {
				return true
			}
		}
		return len(x.doc.Subject.Consents) == 0
	},
	"GDPR-DSR-01": func(t *testing.T, e *env) bool {
		e.say(alice, "hola")
		got := e.say(alice, "borrad mis datos")
		return !dsrRef.MatchString(transcript(got))
	},
	"GDPR-DSR-02": func(t *testing.T, e *env) bool {
		e.say(alice, "hola")
		got := e.say(alice, "quiero una copia de mis datos")
		return anyContains(got, "€") || anyContains(got, "tres meses")
	},
	"GDPR-VERIFY-01": func(t *testing.T, e *env) bool {
		e.say(alice, "hola, mi email es secreto.a@example.com")
		e.say(bob, "hola")
		e.say(bob, "quiero una copia de mis datos del 34600000001")
		x, err := e.lastExport(bob)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Contains(string(x.raw), "secreto.a@example.com")
	},
	"GDPR-ACCESS-01": func(t *testing.T, e *env) bool {
		e.say(alice, "hola, soy Ana Canario")
		e.say(alice, "quiero una copia de mis datos")
		x, err := e.lastExport(alice)
		if err != nil {
			t.Fatal(err)
		}
		raw := string(x.raw)
		return len(x.doc.Purposes) == 0 || x.doc.Retention == "" || !strings.Contains(raw, "Google") || !strings.Contains(raw, "Ana Canario")
	},
	"GDPR-PORT-01": func(t *testing.T, e *env) bool {
		e.say(alice, "hola")
		e.say(alice, "quiero la portabilidad de mis datos")
		x, err := e.lastExport(alice)
		if err != nil {
			t.Fatal(err)
		}
		return !x.parses || x.mimeType == "application/pdf"
	},
	"GDPR-ERASE-01": func(t *testing.T, e *env) bool {
		e.say(alice, "hola")
		e.say(alice, "¿dónde está mi pedido?")
		ds := detects(t, e.events(journal.KindDetectIntent))
		old := ds[len(ds)-1].SessionID
		e.markJournal()
		e.say(alice, "borrad mis datos")
		cleared := false
		for _, ev := range e.since(journal.KindContextsDeleted) {
			var c journal.ContextsData
			_ = ev.Decode(&c)
			cleared = cleared || c.SessionID == old
		}
		e.markJournal()
		e.say(alice, "hola de nuevo")
		for _, d := range detects(t, e.since(journal.KindDetectIntent)) {
			if d.SessionID == old {
				return true
			}
		}
		return !cleared
	},
	"GDPR-ERASE-02": func(t *testing.T, e *env) bool {
		e.optIn(alice)
		e.say(alice, "borrad mis datos")
		e.advance(31 * 24 * time.Hour)
		e.markJournal()
		e.campaign()
		return e.marketingTo(alice)
	},
	"GDPR-RECT-01": func(t *testing.T, e *env) bool {
		e.say(alice, "hola, mi email es viejo@example.com")
		e.say(alice, "mi email ha cambiado, ahora es nuevo@example.com")
		e.say(alice, "quiero una copia de mis datos")
		x, err := e.lastExport(alice)
		if err != nil {
			t.Fatal(err)
		}
		return x.doc.Subject.Email != "nuevo@example.com" || strings.Contains(string(x.raw), "viejo@example.com")
	},
	"GDPR-RESTRICT-01": func(t *testing.T, e *env) bool {
		e.optIn(alice)
		e.say(alice, "quiero limitar el tratamiento de mis datos")
		e.advance(25 * time.Hour)
		e.markJournal()
		e.campaign()
		return e.marketingTo(alice)
	},
	"GDPR-OBJECT-01": func(t *testing.T, e *env) bool {
		e.optIn(alice)
		got := e.say(alice, "me opongo a que uséis mis datos para publicidad")
		e.advance(25 * time.Hour)
		e.markJournal()
		e.campaign()
		return anyContains(got, "seguro") || e.marketingTo(alice)
	},
	"PII-NLU-01": func(t *testing.T, e *env) bool {
		e.say(alice, "hola")
		e.markJournal()
		e.say(alice, "mi DNI es 12345678Z, ¿dónde está mi pedido?")
		for _, d := range detects(t, e.since(journal.KindDetectIntent)) {
			if strings.Contains(d.Text, "12345678Z") {
				return true
			}
		}
		return false
	},
	"PII-NLU-02": func(t *testing.T, e *env) bool {
		e.say(alice, "hola")
		for _, d := range detects(t, e.events(journal.KindDetectIntent)) {
			if strings.Contains(d.SessionID, alice) {
				return true
			}
		}
		return false
	},
	"GDPR-PROC-01": func(t *testing.T, e *env) bool {
		e.say(alice, "hola")
		for _, d := range detects(t, e.events(journal.KindDetectIntent)) {
			if !strings.Contains(d.Session, "/locations/europe-west1/") {
				return true
			}
		}
		return false
	},
	"GDPR-RET-01": func(t *testing.T, e *env) bool {
		e.say(alice, "hola, soy Ana Canario")
		e.advance((RetentionDays + 1) * 24 * time.Hour)
		e.say(alice, "quiero una copia de mis datos")
		x, err := e.lastExport(alice)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Contains(string(x.raw), "Ana Canario")
	},
	"ES-CS-01": func(t *testing.T, e *env) bool {
		e.say(emma, "hello")
		got := e.say(emma, "I want to make a complaint")
		return !anyContains(got, "REC-") || !anyContains(got, "complaint")
	},
}

// TestViolationSwitches runs every switch's scenario twice: without the switch the misbehaviour must not
// happen, with it it must, on the wire. A switch without a scenario fails the test.
func TestViolationSwitches(t *testing.T) {
	for _, v := range Violations() {
		t.Run(v.Rule, func(t *testing.T) {
			scenario, ok := violationScenarios[v.Rule]
			if !ok {
				t.Fatalf("no scenario shows what %s breaks", v.Rule)
			}
			if scenario(t, newEnv(t)) {
				t.Errorf("the compliant assistant shows the %s misbehaviour", v.Rule)
			}
			if !scenario(t, newEnv(t, v.Rule)) {
				t.Errorf("with --violate %s the misbehaviour (%s) did not happen", v.Rule, v.Description)
			}
		})
	}
	for id := range violationScenarios {
		if _, err := parseViolations([]string{id}); err != nil {
			t.Errorf("scenario for unknown switch %s", id)
		}
	}
}
