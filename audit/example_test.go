package audit_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/journal"
)

// A customer chats once; 25 hours later the assistant sends a free-form text and a campaign template
// without any opt-in. The auditor reports both, with the events that prove them.
func ExampleRun() {
	t0 := journal.DefaultStart
	event := func(seq uint64, at time.Time, kind string, data any) journal.Event {
		raw, _ := json.Marshal(data)
		return journal.Event{Seq: seq, At: at, Source: journal.SourceWhatsApp, Kind: kind, Customer: "34600000001", Data: raw}
	}
	later := t0.Add(25 * time.Hour)
	events := []journal.Event{
		event(1, t0, journal.KindInboundDelivered, journal.InboundData{ID: "wamid.1", Type: "text", Text: "Hola"}),
		event(2, later, journal.KindOutboundAccepted, journal.OutboundData{To: "34600000001", Type: "text", Text: "¿Sigues ahí?"}),
		event(3, later, journal.KindOutboundAccepted, journal.OutboundData{To: "34600000001", Type: "template",
			Template: "promo_verano", Category: "MARKETING", Text: "Tienda Ejemplo: rebajas. Responde BAJA.", Buttons: []string{"Baja"}}),
	}
	rep := audit.Run(events, audit.Options{Business: "Tienda Ejemplo"})
	for _, r := range rep.Broken() {
		for _, f := range r.Findings {
			fmt.Printf("%s %s %v: %s\n", f.Rule, f.Severity, f.Seqs, f.Explanation)
		}
	}
	res, _ := rep.Result("GDPR-ERASE-01")
	fmt.Println("GDPR-ERASE-01:", res.Status)
	// Output:
	// WA-OPTIN-01 critical [3]: template "promo_verano" (MARKETING) sent outside the 24-hour window with no opt-in from the customer for it
	// WA-WINDOW-01 critical [2]: free-form text message sent 25h0m0s after the customer's last message (window: 24h)
	// GDPR-ERASE-01: not_exercised
}
