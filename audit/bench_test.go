package audit

import (
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/cputime"
	"github.com/parley-dev/parley/journal"
)

// synthetic builds a journal of about n events over customers customers: turns of a message (with the
// webhook message object the mock journals), its webhook, DLP, Dialogflow, a reply (with its request
// body) and its statuses, with opt-ins, canaries, templates and requests mixed
// in, interleaved across customers as a load run records them.
func synthetic(n, customers int) []journal.Event {
	evs := make([]journal.Event, 0, n)
	at := journal.DefaultStart
	add := func(src journal.Source, kind, cust string, data any) {
		raw, _ := json.Marshal(data)
		evs = append(evs, journal.Event{Seq: uint64(len(evs)) + 1, At: at, Source: src, Kind: kind, Customer: cust, Data: raw})
	}
	for turn := 0; len(evs) < n; turn++ {
		at = at.Add(time.Minute)
		for c := 0; c < customers && len(evs) < n; c++ {
			id := fmt.Sprintf("346%08d", c)
			sess := fmt.Sprintf("%016x", c*2654435761)
			text := fmt.Sprintf("pregunta %d del cliente %d sobre el pedido PED-%d", turn, c, c)
			switch turn % 50 {
			case 0:
				add(journal.SourceCustomer, journal.KindConsentGiven, id, journal.ConsentData{Purpose: "marketing", Channel: "web", Wording: "Acepto ofertas de Tienda Ejemplo por WhatsApp"})
				add(journal.SourceCustomer, journal.KindCanaryPlanted, id, journal.CanaryData{Type: "order", Value: fmt.Sprintf("PED-%d", c)})
			case 25:
				add(journal.SourceWhatsApp, journal.KindOutboundAccepted, id, journal.OutboundData{To: id, WaID: id, Type: "template", Template: "promo_verano", Category: "MARKETING", Text: "Tienda Ejemplo: rebajas. Responde BAJA", Buttons: []string{"Baja"}})
			case 40:
				add(journal.SourceCustomer, journal.KindDataRequest, id, journal.DataRequestData{Right: "access", Wording: "quiero mis datos"})
			}
			add(journal.SourceWhatsApp, journal.KindWebhookAttempt, id, journal.WebhookAttemptData{URL: "http://127.0.0.1:8080/webhook", Field: "messages", Attempt: 1, Status: 200, Signed: true})
			msg, _ := json.Marshal(map[string]any{"from": id, "id": "wamid.x", "timestamp": "1772442000", "type": "text", "text": map[string]string{"body": text}})
			add(journal.SourceWhatsApp, journal.KindInboundDelivered, id, journal.InboundData{ID: "wamid.x", Type: "text", Text: text, Message: msg, Status: 200, Attempts: 1})
			add(journal.SourceDLP, journal.KindDeidentify, "", journal.DLPData{Transport: "grpc", Text: text, Result: text})
			add(journal.SourceDialogflow, journal.KindDetectIntent, "", journal.DetectIntentData{API: "es", Transport: "grpc", Session: "projects/p/locations/europe-west1/agent/sessions/" + sess, SessionID: sess, Text: text, Intent: "pedido", Confidence: 0.9, Reply: "Tu pedido llega mañana"})
			reply := "Tu pedido llega mañana. Soy el asistente virtual de Tienda Ejemplo."
			body, _ := json.Marshal(map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": id, "type": "text", "text": map[string]any{"preview_url": false, "body": reply}})
			add(journal.SourceWhatsApp, journal.KindOutboundAccepted, id, journal.OutboundData{ID: "wamid.y", To: id, WaID: id, Type: "text", Text: reply, InWindow: true, Body: body, HTTP: 200})
			add(journal.SourceWhatsApp, journal.KindStatusSent, id, journal.StatusData{ID: "wamid.y", Status: "sent", Recipient: id})
			add(journal.SourceWhatsApp, journal.KindStatusDelivered, id, journal.StatusData{ID: "wamid.y", Status: "delivered", Recipient: id})
		}
	}
	return evs
}

var (
	benchOnce sync.Once
	benchEvs  []journal.Event
)

// BenchmarkRun audits a 1,000,000-event journal of 1,000 customers.
//
//	go test ./audit -run '^$' -bench BenchmarkRun -benchmem -benchtime 1x
func BenchmarkRun(b *testing.B) {
	benchOnce.Do(func() { benchEvs = synthetic(benchN, 1000) })
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Used()
	for b.Loop() {
		rep := Run(benchEvs, Options{})
		if len(rep.Results) == 0 {
			b.Fatal("no results")
		}
	}
	b.ReportMetric((cputime.Used()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

var benchN = 1_000_000
