package sim

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/parley-dev/parley/mocks/whatsapp"
)

// Journey is one realistic conversation with the assistant, written against the bot contract only (no
// wording of a particular assistant is assumed beyond what the rules require). Rules lists the catalogue
// rules it exercises, so a run can say which journeys prove which rule.
type Journey struct {
	Name  string
	Rules []string
	Run   func(ctx context.Context, w *World) error
}

const day = 24 * time.Hour

// Journeys is the built-in certification suite in Go: together the journeys exercise every rule of the
// audit catalogue. Each starts from a fresh world (its customers are new to the assistant) and may run
// concurrently with others in their own worlds.
func Journeys() []Journey {
	return []Journey{
		{"first contact in Spanish", []string{"AI-DISC-01", "GDPR-NOTICE-01", "PRIV-3P-01", "WA-ESC-01"}, firstContact("34600000001", "Lucía", "es", "Hola")},
		{"first contact in English", []string{"AI-DISC-01", "GDPR-NOTICE-01", "ES-CS-01"}, firstContact("447700900001", "Oliver", "en", "Hello there")},
		{"order status", []string{"PII-NLU-02", "GDPR-PROC-01", "WA-SENS-01"}, orderStatus},
		{"opt-in in the chat, then a campaign", []string{"WA-OPTIN-01", "WA-OPTIN-02", "WA-MKT-01", "WA-TPL-01"}, optInThenCampaign},
		{"campaign while the chat is open", []string{"WA-MKT-01", "WA-TPL-01", "WA-OPTIN-01"}, campaignInWindow},
		{"opt-in on record in my data", []string{"GDPR-CONSENT-02", "GDPR-ACCESS-01"}, consentOnRecord},
		{"declined opt-in, still served", []string{"GDPR-CONSENT-01", "WA-OPTIN-01"}, declineStillServed},
		{"opt-out in many phrasings", []string{"WA-OPTOUT-01", "WA-OPTOUT-02", "WA-OPTOUT-03"}, optOutPhrasings},
		{"opt-out from the template button", []string{"WA-OPTOUT-01", "WA-MKT-01"}, optOutButton},
		{"opt-in on the web, notices outside the window", []string{"WA-OPTIN-03", "WA-WINDOW-01", "WA-TPL-01"}, optInElsewhere},
		{"opt-in on the web without its wording", []string{"WA-OPTIN-03"}, optInElsewhereNoWording},
		{"WhatsApp's stop promotions", []string{"WA-MKT-02"}, platformStop},
		{"personal data in the chat", []string{"PII-NLU-01", "WA-SENS-02", "PRIV-JIT-01", "WA-SENS-01"}, personalData},
		{"access request", []string{"GDPR-DSR-01", "GDPR-DSR-02", "GDPR-ACCESS-01"}, accessRequest},
		{"portability request", []string{"GDPR-PORT-01", "GDPR-DSR-01"}, portability},
		{"request for someone else's data", []string{"GDPR-VERIFY-01"}, someoneElses},
		{"rectification", []string{"GDPR-RECT-01"}, rectification},
		{"erasure", []string{"GDPR-ERASE-01", "GDPR-ERASE-02"}, erasure},
		{"objection to marketing", []string{"GDPR-OBJECT-01"}, objection},
		{"restriction", []string{"GDPR-RESTRICT-01"}, restriction},
		{"copy of my data after the retention period", []string{"GDPR-RET-01", "GDPR-ACCESS-01"}, pastRetention},
		{"talk to a person", []string{"WA-ESC-01", "WA-ESC-02"}, human},
		{"two customers at once", []string{"WA-XCUST-01"}, twoCustomers},
		{"complaint in English", []string{"ES-CS-01"}, complaint},
		{"forged webhooks", []string{"WA-SEC-01", "WA-SEC-02"}, forgedWebhooks},
	}
}

// greet starts a conversation and waits for the assistant's first answer to settle.
func greet(ctx context.Context, c *Customer, text string) error {
	if _, err := c.Say(ctx, text); err != nil {
		return err
	}
	if _, err := c.AwaitReply(ctx); err != nil {
		return err
	}
	_, err := c.Settle(ctx)
	return err
}

// ask sends text and returns everything the assistant answered once it settled.
func ask(ctx context.Context, c *Customer, text string) ([]whatsapp.InboxMessage, error) {
	if _, err := c.Say(ctx, text); err != nil {
		return nil, err
	}
	return c.Unread(ctx)
}

func expectReply(ctx context.Context, c *Customer, got []whatsapp.InboxMessage, what string, ok func(whatsapp.InboxMessage) bool) error {
	for _, m := range got {
		if ok(m) {
			return nil
		}
	}
	return c.failure(ctx, "%s expected %s", c.Name, what)
}

func containing(s string) func(whatsapp.InboxMessage) bool {
	return func(m whatsapp.InboxMessage) bool { return Contains(m, s) }
}

var (
	affirmative = regexp.MustCompile(`(?i)^(s[ií]|yes|acepto|i agree|ok, acepto)`)
	negative    = regexp.MustCompile(`(?i)^(no\b|no,)`)
)

// answerOptIn taps the affirmative (or negative) button of the newest message offering buttons, or
// writes "Sí"/"Yes" when no button is offered.
func answerOptIn(ctx context.Context, c *Customer, yes bool) error {
	inbox, err := c.w.WhatsApp.Inbox(ctx, c.WaID)
	if err != nil {
		return err
	}
	want := negative
	if yes {
		want = affirmative
	}
	for i := len(inbox) - 1; i >= 0; i-- {
		for _, b := range inbox[i].Buttons {
			if want.MatchString(b) {
				if yes {
					return c.OptInInChat(ctx, "marketing", b)
				}
				return c.DeclineInChat(ctx, "marketing", b)
			}
		}
	}
	word := map[bool]map[string]string{true: {"es": "Sí", "en": "Yes"}, false: {"es": "No", "en": "No"}}[yes][c.Lang]
	if yes {
		return c.OptInInChat(ctx, "marketing", word)
	}
	return c.DeclineInChat(ctx, "marketing", word)
}

func (c *Customer) clock(ctx context.Context, d time.Duration) (time.Time, error) {
	return c.w.WhatsApp.AdvanceClock(ctx, d)
}

func (w *World) campaign(ctx context.Context) error {
	if w.Hooks == nil {
		return errors.New("this journey needs the assistant's certification hooks (docs/bot-contract.md)")
	}
	now, err := w.WhatsApp.AdvanceClock(ctx, 0)
	if err != nil {
		return err
	}
	if err := w.Hooks.Campaign(ctx, "promo_verano", "", now); err != nil {
		return err
	}
	return w.AwaitQuiet(ctx)
}

func firstContact(waID, name, lang, hello string) func(context.Context, *World) error {
	return func(ctx context.Context, w *World) error {
		c, err := w.NewCustomer(Persona{WaID: waID, Name: name, Lang: lang})
		if err != nil {
			return err
		}
		return greet(ctx, c, hello)
	}
}

func orderStatus(ctx context.Context, w *World) error {
	c, err := w.NewCustomer(Persona{WaID: "34600000001", Name: "Lucía"})
	if err != nil {
		return err
	}
	if err := greet(ctx, c, "Hola"); err != nil {
		return err
	}
	// Without its number first: the assistant may list her orders or ask for the number, never for the
	// card she paid with (WA-SENS-01).
	got, err := ask(ctx, c, "¿Dónde está mi pedido?")
	if err != nil {
		return err
	}
	if len(got) == 0 {
		return c.failure(ctx, "%s asked where her order is and got no answer", c.Name)
	}
	got, err = ask(ctx, c, "¿Dónde está mi pedido TE-1001?")
	if err != nil {
		return err
	}
	return expectReply(ctx, c, got, "the status of order TE-1001", containing("TE-1001"))
}

// optedIn is a customer who greeted the assistant and accepted marketing in the chat.
func optedIn(ctx context.Context, w *World, waID, name, lang string) (*Customer, error) {
	c, err := w.NewCustomer(Persona{WaID: waID, Name: name, Lang: lang})
	if err != nil {
		return nil, err
	}
	if err := greet(ctx, c, map[string]string{"es": "Hola", "en": "Hi"}[lang]); err != nil {
		return nil, err
	}
	if err := answerOptIn(ctx, c, true); err != nil {
		return nil, err
	}
	_, err = c.Unread(ctx)
	return c, err
}

func receivedMarketing(ctx context.Context, c *Customer) (bool, error) {
	fresh, err := c.Settle(ctx)
	if err != nil {
		return false, err
	}
	for _, m := range fresh {
		if m.Template != nil && m.Template.Category == "MARKETING" {
			return true, nil
		}
	}
	return false, nil
}

func optInThenCampaign(ctx context.Context, w *World) error {
	c, err := optedIn(ctx, w, "34600000001", "Lucía", "es")
	if err != nil {
		return err
	}
	if _, err := c.clock(ctx, 25*time.Hour); err != nil {
		return err
	}
	if err := w.campaign(ctx); err != nil {
		return err
	}
	if ok, err := receivedMarketing(ctx, c); err != nil || !ok {
		return errors.Join(err, c.failure(ctx, "%s opted in but the campaign did not reach her", c.Name))
	}
	return nil
}

// campaignInWindow: a campaign goes out while an opted-in customer's chat is still open. Whatever form
// it takes (a template, or free-form text, which the window allows), it is marketing: it must name the
// business and carry a free opt-out (WA-MKT-01).
func campaignInWindow(ctx context.Context, w *World) error {
	c, err := optedIn(ctx, w, "34600000001", "Lucía", "es")
	if err != nil {
		return err
	}
	if err := w.campaign(ctx); err != nil {
		return err
	}
	got, err := c.Settle(ctx)
	if err != nil {
		return err
	}
	if len(got) == 0 {
		return c.failure(ctx, "%s opted in but the campaign did not reach her", c.Name)
	}
	return nil
}

// consentOnRecord: a customer who opted in in the chat asks for a copy of her data; the export must
// show that consent with its date, channel and the wording she was shown (GDPR-CONSENT-02).
func consentOnRecord(ctx context.Context, w *World) error {
	c, err := optedIn(ctx, w, "34600000001", "Lucía", "es")
	if err != nil {
		return err
	}
	if _, err := c.clock(ctx, 3*day); err != nil {
		return err
	}
	got, err := dataRequest(ctx, c, "access", "Quiero una copia de todos los datos que tenéis sobre mí")
	if err != nil {
		return err
	}
	return expectReply(ctx, c, got, "a document with my data", isDocument)
}

func isDocument(m whatsapp.InboxMessage) bool { return m.Type == "document" }

func declineStillServed(ctx context.Context, w *World) error {
	c, err := w.NewCustomer(Persona{WaID: "34600000001", Name: "Lucía"})
	if err != nil {
		return err
	}
	if err := greet(ctx, c, "Hola"); err != nil {
		return err
	}
	if err := answerOptIn(ctx, c, false); err != nil {
		return err
	}
	if _, err := c.Unread(ctx); err != nil {
		return err
	}
	got, err := ask(ctx, c, "¿cómo va mi pedido TE-1001?")
	if err != nil {
		return err
	}
	if err := expectReply(ctx, c, got, "service after declining offers", containing("TE-1001")); err != nil {
		return err
	}
	if _, err := c.clock(ctx, 25*time.Hour); err != nil {
		return err
	}
	return w.campaign(ctx)
}

func optOutPhrasings(ctx context.Context, w *World) error {
	phrases := []struct{ waID, lang, phrase string }{
		{"34600000011", "es", "BAJA"},
		{"34600000012", "es", "no quiero más mensajes"},
		{"34600000013", "es", "Por favor dejad de enviarme publicidad"},
		{"34600000014", "es", "quiero darme de baja de las ofertas"},
		{"447700900011", "en", "please unsubscribe me"},
	}
	var cs []*Customer
	for i, p := range phrases {
		c, err := optedIn(ctx, w, p.waID, fmt.Sprint("Cliente ", i), p.lang)
		if err != nil {
			return err
		}
		got, err := func() ([]whatsapp.InboxMessage, error) {
			if _, err := c.OptOut(ctx, p.phrase); err != nil {
				return nil, err
			}
			return c.Unread(ctx)
		}()
		if err != nil {
			return err
		}
		if len(got) == 0 {
			return c.failure(ctx, "%s asked to opt out with %q and got no confirmation", c.Name, p.phrase)
		}
		cs = append(cs, c)
	}
	if _, err := cs[0].clock(ctx, 31*day); err != nil {
		return err
	}
	if err := w.campaign(ctx); err != nil {
		return err
	}
	for _, c := range cs {
		if ok, err := receivedMarketing(ctx, c); err != nil || ok {
			return errors.Join(err, c.failure(ctx, "%s opted out but still received marketing", c.Name))
		}
	}
	return nil
}

func optOutButton(ctx context.Context, w *World) error {
	c, err := optedIn(ctx, w, "34600000001", "Lucía", "es")
	if err != nil {
		return err
	}
	if _, err := c.clock(ctx, 25*time.Hour); err != nil {
		return err
	}
	if err := w.campaign(ctx); err != nil {
		return err
	}
	inbox, err := w.WhatsApp.Inbox(ctx, c.WaID)
	if err != nil {
		return err
	}
	var stop string
	for i := len(inbox) - 1; i >= 0 && stop == ""; i-- {
		if inbox[i].Template == nil {
			continue
		}
		for _, b := range inbox[i].Buttons {
			if regexp.MustCompile(`(?i)baja|stop|unsubscribe`).MatchString(b) {
				stop = b
			}
		}
	}
	if stop == "" {
		return c.failure(ctx, "the marketing template offers no opt-out button")
	}
	if _, err := c.OptOutByButton(ctx, stop); err != nil {
		return err
	}
	if _, err := c.Unread(ctx); err != nil {
		return err
	}
	if _, err := c.clock(ctx, 31*day); err != nil {
		return err
	}
	if err := w.campaign(ctx); err != nil {
		return err
	}
	if ok, err := receivedMarketing(ctx, c); err != nil || ok {
		return errors.Join(err, c.failure(ctx, "%s pressed %q but still received marketing", c.Name, stop))
	}
	return nil
}

func optInElsewhere(ctx context.Context, w *World) error {
	c, err := w.NewCustomer(Persona{WaID: "34600000001", Name: "Lucía"})
	if err != nil {
		return err
	}
	if err := greet(ctx, c, "Hola"); err != nil {
		return err
	}
	now, err := c.clock(ctx, 25*time.Hour)
	if err != nil {
		return err
	}
	if err := c.OptInElsewhere(ctx, "notifications", "app", "Quiero recibir avisos de mis pedidos de Tienda Ejemplo por WhatsApp", now); err != nil {
		return err
	}
	if err := c.OptInElsewhere(ctx, "marketing", "web", "Acepto recibir ofertas de Tienda Ejemplo por WhatsApp", now); err != nil {
		return err
	}
	if err := w.Hooks.Notify(ctx, c.WaID, "order_shipped", "TE-1001", now); err != nil {
		return err
	}
	if err := w.AwaitQuiet(ctx); err != nil {
		return err
	}
	return w.campaign(ctx)
}

// optInElsewhereNoWording: one customer's web opt-in reaches the assistant with its wording, another's
// without it (the web form kept none). The assistant must refuse the second through its consent hook and
// send her no marketing; the first may get the campaign (WA-OPTIN-03).
func optInElsewhereNoWording(ctx context.Context, w *World) error {
	a, err := w.NewCustomer(Persona{WaID: "34600000001", Name: "Lucía"})
	if err != nil {
		return err
	}
	b, err := w.NewCustomer(Persona{WaID: "34600000002", Name: "Mario"})
	if err != nil {
		return err
	}
	for _, c := range []*Customer{a, b} {
		if err := greet(ctx, c, "Hola"); err != nil {
			return err
		}
	}
	now, err := a.clock(ctx, 25*time.Hour)
	if err != nil {
		return err
	}
	if err := a.OptInElsewhere(ctx, "marketing", "web", "Acepto recibir ofertas de Tienda Ejemplo por WhatsApp", now); err != nil {
		return err
	}
	// The assistant ought to refuse this one (a 4xx); accepting it is the violation the auditor reports,
	// so neither answer stops the journey here.
	var he *HookError
	if err := b.OptInElsewhere(ctx, "marketing", "web", "", now); err != nil && !(errors.As(err, &he) && he.Refused()) {
		return err
	}
	if err := w.AwaitQuiet(ctx); err != nil {
		return err
	}
	if err := w.campaign(ctx); err != nil {
		return err
	}
	if ok, err := receivedMarketing(ctx, b); err != nil || ok {
		return errors.Join(err, b.failure(ctx, "%s's web opt-in had no wording on record, yet she received marketing", b.Name))
	}
	return nil
}

func platformStop(ctx context.Context, w *World) error {
	c, err := optedIn(ctx, w, "34600000001", "Lucía", "es")
	if err != nil {
		return err
	}
	if err := c.StopPromotions(ctx); err != nil {
		return err
	}
	if _, err := c.clock(ctx, 25*time.Hour); err != nil {
		return err
	}
	if err := w.campaign(ctx); err != nil {
		return err
	}
	return w.campaign(ctx)
}

func personalData(ctx context.Context, w *World) error {
	c, err := w.NewCustomer(Persona{WaID: "34600000001", Name: "Lucía"})
	if err != nil {
		return err
	}
	if err := greet(ctx, c, "Hola"); err != nil {
		return err
	}
	if _, err := ask(ctx, c, "¿Dónde está mi pedido?"); err != nil {
		return err
	}
	dni, err := c.Plant(CanaryDNI)
	if err != nil {
		return err
	}
	if _, err := ask(ctx, c, "Mi DNI es "+dni+" y pagué con la tarjeta 4111 1111 1111 1111, ¿está bien mi pedido TE-1001?"); err != nil {
		return err
	}
	_, err = ask(ctx, c, "¿Dónde está mi pedido?")
	return err
}

func withCanaries(ctx context.Context, w *World, waID string) (*Customer, string, string, error) {
	c, err := w.NewCustomer(Persona{WaID: waID, Name: "Lucía"})
	if err != nil {
		return nil, "", "", err
	}
	if err := greet(ctx, c, "Hola"); err != nil {
		return nil, "", "", err
	}
	name, _ := c.Plant(CanaryName)
	email, _ := c.Plant(CanaryEmail)
	if _, err := ask(ctx, c, "Me llamo "+name+" y mi email es "+email); err != nil {
		return nil, "", "", err
	}
	return c, name, email, nil
}

func dataRequest(ctx context.Context, c *Customer, right, wording string) ([]whatsapp.InboxMessage, error) {
	if _, err := c.Request(ctx, right, wording); err != nil {
		return nil, err
	}
	return c.Unread(ctx)
}

func accessRequest(ctx context.Context, w *World) error {
	c, _, _, err := withCanaries(ctx, w, "34600000001")
	if err != nil {
		return err
	}
	got, err := dataRequest(ctx, c, "access", "Quiero una copia de todos los datos que tenéis sobre mí")
	if err != nil {
		return err
	}
	return expectReply(ctx, c, got, "a document with my data", isDocument)
}

func portability(ctx context.Context, w *World) error {
	c, _, _, err := withCanaries(ctx, w, "34600000001")
	if err != nil {
		return err
	}
	got, err := dataRequest(ctx, c, "portability", "quiero mis datos en un formato que pueda llevar a otra empresa (portabilidad)")
	if err != nil {
		return err
	}
	return expectReply(ctx, c, got, "a machine-readable export", func(m whatsapp.InboxMessage) bool { return m.Type == "document" })
}

func someoneElses(ctx context.Context, w *World) error {
	if _, _, _, err := withCanaries(ctx, w, "34600000001"); err != nil {
		return err
	}
	b, err := w.NewCustomer(Persona{WaID: "34600000002", Name: "Mario"})
	if err != nil {
		return err
	}
	if err := greet(ctx, b, "Hola"); err != nil {
		return err
	}
	_, err = dataRequest(ctx, b, "access", "quiero una copia de los datos del 34600000001")
	return err
}

func rectification(ctx context.Context, w *World) error {
	c, err := w.NewCustomer(Persona{WaID: "34600000001", Name: "Lucía"})
	if err != nil {
		return err
	}
	if err := greet(ctx, c, "Hola"); err != nil {
		return err
	}
	old, _ := c.Plant(CanaryEmail)
	if _, err := ask(ctx, c, "mi email es "+old); err != nil {
		return err
	}
	fresh, _ := c.Plant(CanaryEmail)
	if _, err := dataRequest(ctx, c, "rectification", "mi email ha cambiado, ahora es "+fresh); err != nil {
		return err
	}
	_, err = dataRequest(ctx, c, "access", "quiero una copia de mis datos")
	return err
}

func erasure(ctx context.Context, w *World) error {
	c, err := optedIn(ctx, w, "34600000001", "Lucía", "es")
	if err != nil {
		return err
	}
	name, _ := c.Plant(CanaryName)
	if _, err := ask(ctx, c, "soy "+name+", ¿dónde está mi pedido TE-1001?"); err != nil {
		return err
	}
	if _, err := dataRequest(ctx, c, "erasure", "borrad todos mis datos, por favor"); err != nil {
		return err
	}
	if _, err := ask(ctx, c, "hola otra vez"); err != nil {
		return err
	}
	if _, err := c.clock(ctx, 31*day); err != nil {
		return err
	}
	return w.campaign(ctx)
}

func objection(ctx context.Context, w *World) error {
	c, err := optedIn(ctx, w, "34600000001", "Lucía", "es")
	if err != nil {
		return err
	}
	if _, err := dataRequest(ctx, c, "objection", "me opongo a que uséis mis datos para publicidad"); err != nil {
		return err
	}
	if _, err := c.clock(ctx, 31*day); err != nil {
		return err
	}
	return w.campaign(ctx)
}

func restriction(ctx context.Context, w *World) error {
	c, err := optedIn(ctx, w, "34600000001", "Lucía", "es")
	if err != nil {
		return err
	}
	if _, err := dataRequest(ctx, c, "restriction", "quiero limitar el tratamiento de mis datos"); err != nil {
		return err
	}
	if _, err := c.clock(ctx, 25*time.Hour); err != nil {
		return err
	}
	return w.campaign(ctx)
}

// pastRetention: what a customer wrote more than the declared retention (90 days) ago is no longer in
// the copy of her data she asks for (GDPR-RET-01).
func pastRetention(ctx context.Context, w *World) error {
	c, err := w.NewCustomer(Persona{WaID: "34600000001", Name: "Lucía"})
	if err != nil {
		return err
	}
	if err := greet(ctx, c, "Hola"); err != nil {
		return err
	}
	if _, err := ask(ctx, c, "¿Tenéis las zapatillas Runner en la talla 43?"); err != nil {
		return err
	}
	if _, err := c.clock(ctx, 100*day); err != nil {
		return err
	}
	if err := greet(ctx, c, "Hola de nuevo"); err != nil {
		return err
	}
	got, err := dataRequest(ctx, c, "access", "Quiero una copia de todos los datos que tenéis sobre mí")
	if err != nil {
		return err
	}
	return expectReply(ctx, c, got, "a document with my data", isDocument)
}

// forgedWebhooks: someone who is not WhatsApp posts the assistant messages "from" a customer, unsigned,
// signed with a wrong secret, and tampered with after signing. Each must be refused (401/403) and acted
// on by no reply (WA-SEC-01). The environment's TLS probes and the webhook URL judge WA-SEC-02.
func forgedWebhooks(ctx context.Context, w *World) error {
	c, err := w.NewCustomer(Persona{WaID: "34600000001", Name: "Lucía"})
	if err != nil {
		return err
	}
	if err := greet(ctx, c, "Hola"); err != nil {
		return err
	}
	for _, how := range []whatsapp.Forgery{whatsapp.ForgeryUnsigned, whatsapp.ForgeryWrongSecret, whatsapp.ForgeryTampered} {
		res, err := c.Forge(ctx, "¿Dónde está mi pedido TE-1001?", how)
		if err != nil {
			return err
		}
		if res.WebhookStatus != 401 && res.WebhookStatus != 403 {
			return c.failure(ctx, "a %s webhook was answered HTTP %d, not 401 or 403", how, res.WebhookStatus)
		}
	}
	return c.ExpectNoMessage(ctx)
}

func human(ctx context.Context, w *World) error {
	c, err := w.NewCustomer(Persona{WaID: "34600000001", Name: "Lucía"})
	if err != nil {
		return err
	}
	if err := greet(ctx, c, "Hola"); err != nil {
		return err
	}
	if _, err := c.AskForHuman(ctx, "quiero hablar con una persona"); err != nil {
		return err
	}
	if _, err := c.Unread(ctx); err != nil {
		return err
	}
	if _, err := c.Say(ctx, "¿hola? ¿hay alguien?"); err != nil {
		return err
	}
	if err := c.ExpectNoMessage(ctx); err != nil {
		return err
	}
	if err := w.Hooks.ReleaseHandoff(ctx, c.WaID); err != nil {
		return err
	}
	got, err := ask(ctx, c, "¿Dónde está mi pedido TE-1001?")
	if err != nil {
		return err
	}
	return expectReply(ctx, c, got, "service again after the handoff ended", containing("TE-1001"))
}

func twoCustomers(ctx context.Context, w *World) error {
	a, err := w.NewCustomer(Persona{WaID: "34600000001", Name: "Lucía"})
	if err != nil {
		return err
	}
	b, err := w.NewCustomer(Persona{WaID: "34600000002", Name: "Mario"})
	if err != nil {
		return err
	}
	for _, c := range []*Customer{a, b} {
		if err := greet(ctx, c, "Hola"); err != nil {
			return err
		}
	}
	name, _ := a.Plant(CanaryName)
	if _, err := ask(ctx, a, "Soy "+name+", ¿dónde está mi pedido TE-1001?"); err != nil {
		return err
	}
	got, err := ask(ctx, b, "¿y mi pedido?")
	if err != nil {
		return err
	}
	for _, m := range got {
		if Contains(m, "TE-1001") || Contains(m, name) {
			return b.failure(ctx, "%s received %s's order or name", b.Name, a.Name)
		}
	}
	return nil
}

func complaint(ctx context.Context, w *World) error {
	c, err := w.NewCustomer(Persona{WaID: "447700900001", Name: "Oliver", Lang: "en"})
	if err != nil {
		return err
	}
	if err := greet(ctx, c, "Hello"); err != nil {
		return err
	}
	_, err = ask(ctx, c, "I want to file a complaint, my parcel arrived broken")
	return err
}
