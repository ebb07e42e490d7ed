package report

import (
	"fmt"

	"github.com/parley-dev/parley/journal"
)

// SummarizeES is Summarize in Spanish for the happenings a chat shows as system bubbles (consents,
// opt-outs, requests, the clock, hooks); any other event keeps Summarize's English line, which only
// evidence lists show.
func SummarizeES(e journal.Event) string {
	switch e.Kind {
	case journal.KindConsentGiven, journal.KindConsentWithdrawn, journal.KindConsentRefused:
		var d journal.ConsentData
		if e.Decode(&d) == nil {
			verb := map[string]string{journal.KindConsentGiven: "dio", journal.KindConsentWithdrawn: "retiró", journal.KindConsentRefused: "rechazó"}[e.Kind]
			return fmt.Sprintf("el cliente %s %s su consentimiento para %s (%s)", e.Customer, verb, esWord(d.Purpose), esWord(d.Channel))
		}
	case journal.KindOptoutRequested:
		var d journal.OptoutData
		if e.Decode(&d) == nil {
			return fmt.Sprintf("el cliente %s se dio de baja (%s) %q", e.Customer, esWord(d.Via), d.Phrase)
		}
	case journal.KindDataRequest:
		var d journal.DataRequestData
		if e.Decode(&d) == nil {
			return fmt.Sprintf("el cliente %s ejerció su derecho de %s: %q", e.Customer, esWord(d.Right), d.Wording)
		}
	case journal.KindHandoffRequested:
		return fmt.Sprintf("el cliente %s pidió hablar con una persona", e.Customer)
	case journal.KindHandoffReleased:
		return fmt.Sprintf("la persona devolvió a %s al asistente", e.Customer)
	case journal.KindCustomerBlocked:
		return fmt.Sprintf("el cliente %s bloqueó a la empresa", e.Customer)
	case journal.KindCustomerUnblocked:
		return fmt.Sprintf("el cliente %s desbloqueó a la empresa", e.Customer)
	case journal.KindClockAdvanced, journal.KindClockSet:
		var d journal.ClockData
		if e.Decode(&d) == nil {
			return fmt.Sprintf("pasaron %s", d.To.Sub(d.From))
		}
	case journal.KindHookCalled:
		var d journal.HookData
		if e.Decode(&d) == nil {
			return fmt.Sprintf("el gancho /parley/%s respondió %d", d.Hook, d.Status)
		}
	case journal.KindCanaryPlanted:
		var d journal.CanaryData
		if e.Decode(&d) == nil {
			return fmt.Sprintf("el cliente %s compartió %s (%s)", e.Customer, esWord(d.Type), d.Value)
		}
	case journal.KindInboundFailed:
		var d journal.InboundData
		if e.Decode(&d) == nil {
			return fmt.Sprintf("el mensaje %q del cliente %s no se entregó: %s", d.Text, e.Customer, d.Error)
		}
	case journal.KindUnmodelled:
		return "petición que los simuladores no modelan: " + Summarize(e)
	}
	return Summarize(e)
}

// esWord translates the vocabulary journal data uses (purposes, channels, rights, kinds of data); a word
// it does not know is shown as recorded.
func esWord(w string) string {
	if es, ok := map[string]string{
		"marketing": "publicidad", "notifications": "avisos", "whatsapp": "WhatsApp", "web": "web", "sms": "SMS", "app": "app",
		"atm": "cajero", "chat": "en el chat", "button": "con un botón", "whatsapp_stop": "con «detener promociones» de WhatsApp",
		"access": "acceso", "portability": "portabilidad", "rectification": "rectificación", "erasure": "supresión",
		"restriction": "limitación", "objection": "oposición", "name": "su nombre", "email": "su email", "dni": "su DNI",
		"order": "un pedido", "card": "su tarjeta", "iban": "su IBAN", "phone": "su teléfono",
	}[w]; ok {
		return es
	}
	return w
}
