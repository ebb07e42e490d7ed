package dialogflow

import (
	"testing"
	"testing/fstest"
)

// slotAgent is a small export with a required parameter and its prompt.
func slotAgent() fstest.MapFS {
	return fstest.MapFS{
		"agent.json": {Data: []byte(`{"displayName":"Reservas","language":"es","defaultTimezone":"Europe/Madrid"}`)},
		"intents/book.json": {Data: []byte(`{"name":"book","responses":[{"action":"book",
			"affectedContexts":[{"name":"booked","lifespan":2}],
			"parameters":[{"name":"date","required":true,"dataType":"@sys.date","value":"$date",
				"prompts":[{"lang":"es","value":"¿Para qué día?"}]}],
			"messages":[{"type":"0","lang":"es","speech":["Reservado para el $date.original."]}]}]}`)},
		"intents/book_usersays_es.json": {Data: []byte(`[{"data":[{"text":"quiero reservar"}]},
			{"data":[{"text":"quiero reservar para el "},{"text":"3 de marzo","alias":"date","meta":"@sys.date"}]}]`)},
		"intents/hello.json":             {Data: []byte(`{"name":"hello","responses":[{"messages":[{"type":"0","lang":"es","speech":["Hola"]}]}]}`)},
		"intents/hello_usersays_es.json": {Data: []byte(`[{"data":[{"text":"hola"}]}]`)},
		"intents/Default Fallback Intent.json": {Data: []byte(`{"name":"Default Fallback Intent","fallbackIntent":true,
			"responses":[{"action":"input.unknown","messages":[{"type":"0","lang":"es","speech":["¿Cómo?"]}]}]}`)},
	}
}

func TestSlotFilling(t *testing.T) {
	s := RunT(t, WithAgentFS(slotAgent()))
	sess := "projects/parley-demo/agent/sessions/slots"

	qr := detectDirect(t, s, sess, "quiero reservar", "es")
	ctxs := contextNames(qr.GetOutputContexts())
	if qr.GetIntent().GetDisplayName() != "book" || qr.GetAllRequiredParamsPresent() || qr.GetFulfillmentText() != "¿Para qué día?" {
		t.Fatalf("prompt turn: %q all=%v %q", qr.GetIntent().GetDisplayName(), qr.GetAllRequiredParamsPresent(), qr.GetFulfillmentText())
	}
	if ctxs["book_dialog_context"] != 2 || ctxs["book_dialog_params_date"] != 1 || ctxs["booked"] != 0 {
		t.Errorf("prompt contexts %v", ctxs)
	}

	qr = detectDirect(t, s, sess, "pues no lo sé", "es")
	if qr.GetIntent().GetDisplayName() != "book" || qr.GetAllRequiredParamsPresent() || qr.GetFulfillmentText() != "¿Para qué día?" {
		t.Errorf("no answer should prompt again: %q %q", qr.GetIntent().GetDisplayName(), qr.GetFulfillmentText())
	}

	qr = detectDirect(t, s, sess, "el 5 de marzo", "es")
	ctxs = contextNames(qr.GetOutputContexts())
	if qr.GetIntent().GetDisplayName() != "book" || !qr.GetAllRequiredParamsPresent() || qr.GetFulfillmentText() != "Reservado para el 5 de marzo." {
		t.Errorf("filled: %q all=%v %q", qr.GetIntent().GetDisplayName(), qr.GetAllRequiredParamsPresent(), qr.GetFulfillmentText())
	}
	if got := qr.GetParameters().GetFields()["date"].GetStringValue(); got != "2026-03-05T12:00:00+01:00" {
		t.Errorf("date = %q", got)
	}
	if ctxs["booked"] != 2 || ctxs["book_dialog_context"] != 0 {
		t.Errorf("contexts after filling %v", ctxs)
	}

	// All at once: no prompt.
	qr = detectDirect(t, s, "projects/parley-demo/agent/sessions/slots2", "quiero reservar para el 7 de marzo", "es")
	if !qr.GetAllRequiredParamsPresent() || qr.GetFulfillmentText() != "Reservado para el 7 de marzo." {
		t.Errorf("one shot: %v %q", qr.GetAllRequiredParamsPresent(), qr.GetFulfillmentText())
	}
}

func TestSlotFillingCancelAndSwitch(t *testing.T) {
	s := RunT(t, WithAgentFS(slotAgent()))
	sess := "projects/parley-demo/agent/sessions/cancel"
	detectDirect(t, s, sess, "quiero reservar", "es")
	qr := detectDirect(t, s, sess, "cancelar", "es")
	if !qr.GetCancelsSlotFilling() || qr.GetAllRequiredParamsPresent() {
		t.Errorf("cancel: %v", qr)
	}
	// Text that only a prompt would take is a fallback again.
	if qr := detectDirect(t, s, sess, "pues no lo sé", "es"); !qr.GetIntent().GetIsFallback() {
		t.Errorf("slot filling went on after cancel: %q", qr.GetIntent().GetDisplayName())
	}

	sess = "projects/parley-demo/agent/sessions/switch"
	detectDirect(t, s, sess, "quiero reservar", "es")
	if qr := detectDirect(t, s, sess, "hola", "es"); qr.GetIntent().GetDisplayName() != "hello" {
		t.Errorf("another intent's phrase → %q", qr.GetIntent().GetDisplayName())
	}
	if qr := detectDirect(t, s, sess, "pues no lo sé", "es"); !qr.GetIntent().GetIsFallback() {
		t.Errorf("slot filling resumed after the conversation moved on: %q", qr.GetIntent().GetDisplayName())
	}
}
