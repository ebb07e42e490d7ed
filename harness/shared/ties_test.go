package shared

import (
	"testing"

	"github.com/parley-dev/parley/journal"
)

// TestTies: Dialogflow and DLP calls are tied to customers as the journal grows, words that several
// customers sent going to the first of them still waiting for such a call; a session that two customers'
// texts point at belongs to neither; a status webhook belongs to its message's customer.
func TestTies(t *testing.T) {
	const a, b, c = "34600000001", "34600000002", "34600000003"
	j := journal.New(nil)
	rec := func(kind, customer string, data any) journal.Event {
		src := journal.SourceCustomer
		switch kind {
		case journal.KindDeidentify:
			src = journal.SourceDLP
		case journal.KindDetectIntent:
			src = journal.SourceDialogflow
		case journal.KindOutboundAccepted, journal.KindWebhookAttempt:
			src = journal.SourceWhatsApp
		}
		return j.Record(src, kind, customer, data)
	}
	rec(journal.KindInboundSent, a, journal.InboundData{ID: "wamid.a1", Text: "Hola"})
	rec(journal.KindInboundSent, b, journal.InboundData{ID: "wamid.b1", Text: "Hola"})
	dlpA := rec(journal.KindDeidentify, "", journal.DLPData{Text: "Hola", Result: "Hola"})
	dlpB := rec(journal.KindDeidentify, "", journal.DLPData{Text: "Hola", Result: "Hola"})
	dfA := rec(journal.KindDetectIntent, "s-a", journal.DetectIntentData{SessionID: "s-a", Text: "Hola"})
	dfB := rec(journal.KindDetectIntent, "s-b", journal.DetectIntentData{SessionID: "s-b", Text: "Hola"})
	sent := rec(journal.KindOutboundAccepted, b, journal.OutboundData{ID: "wamid.out", WaID: b, Type: "text"})
	status := rec(journal.KindWebhookAttempt, "", journal.WebhookAttemptData{Field: "statuses", RefID: "wamid.out"})
	// c's unique text lands in a's session: the session now points at two customers.
	rec(journal.KindInboundSent, c, journal.InboundData{ID: "wamid.c1", Text: "quiero una persona"})
	mixed := rec(journal.KindDetectIntent, "s-a", journal.DetectIntentData{SessionID: "s-a", Text: "quiero una persona"})
	unknown := rec(journal.KindDetectIntent, "s-x", journal.DetectIntentData{SessionID: "s-x", Text: "nadie lo dijo"})

	ties := newTies()
	ties.scan(j.Events())
	for _, c := range []struct {
		name string
		ev   journal.Event
		want string
	}{
		{"the first DLP call of a shared text", dlpA, a},
		{"the second", dlpB, b},
		{"b's session", dfB, b},
		{"a session two customers' texts point at", dfA, ""},
		{"its later query", mixed, ""},
		{"a query no customer's text explains", unknown, ""},
		{"a send", sent, b},
		{"a status webhook of b's message", status, b},
	} {
		if got := ties.owner(c.ev); got != c.want {
			t.Errorf("%s: owner %q, want %q", c.name, got, c.want)
		}
	}
	if !ties.nluSeen {
		t.Error("the calls to Dialogflow and DLP were not seen")
	}
}

// TestTiesAssistantTookSharedWordsOutOfOrder: two customers say the same words and the assistant, which
// answers customers concurrently, takes the second one's first; the guess ties each session to the other
// customer. A text only one customer sent then ties each session to its own customer, whose words the
// guessed call could as well have been: the session is theirs, not one that belongs to neither.
func TestTiesAssistantTookSharedWordsOutOfOrder(t *testing.T) {
	const a, b = "34600000001", "34600000002"
	j := journal.New(nil)
	rec := func(kind, customer string, data any) journal.Event {
		src := journal.SourceCustomer
		switch kind {
		case journal.KindDeidentify:
			src = journal.SourceDLP
		case journal.KindDetectIntent:
			src = journal.SourceDialogflow
		}
		return j.Record(src, kind, customer, data)
	}
	rec(journal.KindInboundSent, a, journal.InboundData{ID: "wamid.a1", Text: "Hola"})
	rec(journal.KindInboundSent, b, journal.InboundData{ID: "wamid.b1", Text: "Hola"})
	// b's "Hola" first, then a's.
	rec(journal.KindDeidentify, "", journal.DLPData{Text: "Hola", Result: "Hola"})
	helloB := rec(journal.KindDetectIntent, "s-b", journal.DetectIntentData{SessionID: "s-b", Text: "Hola"})
	rec(journal.KindDeidentify, "", journal.DLPData{Text: "Hola", Result: "Hola"})
	helloA := rec(journal.KindDetectIntent, "s-a", journal.DetectIntentData{SessionID: "s-a", Text: "Hola"})
	// Then words of each customer's own, one masked by DLP into a text another customer's could become.
	rec(journal.KindInboundSent, a, journal.InboundData{ID: "wamid.a2", Text: "Mi DNI es 12345678Z"})
	rec(journal.KindDeidentify, "", journal.DLPData{Text: "Mi DNI es 12345678Z", Result: "Mi DNI es [SPAIN_DNI_NUMBER]"})
	dniA := rec(journal.KindDetectIntent, "s-a", journal.DetectIntentData{SessionID: "s-a", Text: "Mi DNI es [SPAIN_DNI_NUMBER]"})
	rec(journal.KindInboundSent, b, journal.InboundData{ID: "wamid.b2", Text: "¿Dónde está mi pedido 4711?"})
	rec(journal.KindDeidentify, "", journal.DLPData{Text: "¿Dónde está mi pedido 4711?", Result: "¿Dónde está mi pedido 4711?"})
	orderB := rec(journal.KindDetectIntent, "s-b", journal.DetectIntentData{SessionID: "s-b", Text: "¿Dónde está mi pedido 4711?"})

	ties := newTies()
	ties.scan(j.Events())
	for _, c := range []struct {
		name string
		ev   journal.Event
		want string
	}{
		{"a's greeting", helloA, a},
		{"a's own words", dniA, a},
		{"b's greeting", helloB, b},
		{"b's own words", orderB, b},
	} {
		if got := ties.owner(c.ev); got != c.want {
			t.Errorf("%s: owner %q, want %q", c.name, got, c.want)
		}
	}
}
