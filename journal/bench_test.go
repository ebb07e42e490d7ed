package journal

import (
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
)

// turnEvents records the events of one conversational turn as the mocks journal them: the customer's
// message (sent and delivered, with the webhook's message object), its webhook attempt, DLP, Dialogflow,
// the reply (with the request body as received) and its two statuses.
func turnEvents(j *Journal, i int) {
	waID := fmt.Sprintf("347%09d", i%100000)
	text := fmt.Sprintf("¿Dónde está mi pedido TE-%d?", 1000+i%9000)
	msg, _ := json.Marshal(map[string]any{"from": waID, "id": "wamid.HBgLMzQ2MDAwMDAwMDEVAgASGBQzQUVCOTMz", "timestamp": "1772442000", "type": "text", "text": map[string]string{"body": text}})
	in := InboundData{ID: "wamid.HBgLMzQ2MDAwMDAwMDEVAgASGBQzQUVCOTMz", Type: "text", Text: text, Message: msg, Status: 200, Attempts: 1}
	j.Record(SourceCustomer, KindInboundSent, waID, in)
	j.Record(SourceWhatsApp, KindWebhookAttempt, "", WebhookAttemptData{URL: "https://127.0.0.1:43210/webhook", Field: "messages", RefID: in.ID, Attempt: 1, Status: 200, Signed: true})
	j.Record(SourceCustomer, KindInboundDelivered, waID, in)
	j.Record(SourceDLP, KindDeidentify, "", DLPData{Transport: "grpc", Text: text, Result: text, Parent: "projects/tienda-ejemplo/locations/europe-west1"})
	j.Record(SourceDialogflow, KindDetectIntent, "", DetectIntentData{API: "es", Transport: "grpc", Session: "projects/tienda-ejemplo/agent/sessions/3f2a9c1b7e8d4a6f9b0c2d4e6f8a0b1c", SessionID: "3f2a9c1b7e8d4a6f9b0c2d4e6f8a0b1c", Project: "tienda-ejemplo", Language: "es", Text: text, Intent: "pedido.estado", Confidence: 0.92, Reply: "Tu pedido está en camino."})
	reply := fmt.Sprintf("Tu pedido TE-%d está en camino y llegará mañana.", 1000+i%9000)
	body, _ := json.Marshal(map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": waID, "type": "text", "text": map[string]any{"preview_url": false, "body": reply}})
	j.Record(SourceWhatsApp, KindOutboundAccepted, waID, OutboundData{ID: "wamid.HBgLMzQ2MDAwMDAwMDEVAgARGBI5QTNDQTVCM0", To: waID, WaID: waID, Type: "text", Text: reply, InWindow: true, Body: body, HTTP: 200})
	j.Record(SourceWhatsApp, KindStatusSent, waID, StatusData{ID: "wamid.HBgLMzQ2MDAwMDAwMDEVAgARGBI5QTNDQTVCM0", Status: "sent", Recipient: waID})
	j.Record(SourceWhatsApp, KindStatusDelivered, waID, StatusData{ID: "wamid.HBgLMzQ2MDAwMDAwMDEVAgARGBI5QTNDQTVCM0", Status: "delivered", Recipient: waID})
}

const eventsPerTurn = 8

// BenchmarkRecordMemory records turns of realistic events and reports the live heap per event once they
// are recorded ("B/event", target < 1024) and the cost of recording one event.
//
//	go test ./journal -run '^$' -bench BenchmarkRecordMemory -benchtime 20000x
func BenchmarkRecordMemory(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	j := New(nil)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		turnEvents(j, i)
		i++
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	n := j.Len()
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(n), "B/event")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/event")
	runtime.KeepAlive(j)
	if n != i*eventsPerTurn {
		b.Fatalf("recorded %d events for %d turns", n, i)
	}
}
