package report

import (
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/journal"
)

// TestTranscriptShowsRefusedSends: a send WhatsApp refused is a turn of the assistant's, marked refused
// with its code and the platform's reason, and so is a send WhatsApp accepted and then failed; a finding
// about a refused send is drawn on it. A refused send is something the assistant did: the rules judge it,
// so the reader must see it in the conversation, not only in the assistant's own log.
func TestTranscriptShowsRefusedSends(t *testing.T) {
	const lucia = "34600000001"
	j := journal.New(journal.NewClock(t0))
	j.Record(journal.SourceWhatsApp, journal.KindInboundSent, lucia, journal.InboundData{ID: "wamid.1", Type: "text", Text: "BAJA"})
	optout := j.Record(journal.SourceCustomer, journal.KindOptoutRequested, lucia, journal.OptoutData{Via: "chat", Phrase: "BAJA"})
	j.Record(journal.SourceWhatsApp, journal.KindOutboundAccepted, lucia, journal.OutboundData{ID: "wamid.2", To: lucia, WaID: lucia, Type: "text",
		Text: "Te hemos dado de baja.", InWindow: true, HTTP: 200})
	j.Record(journal.SourceWhatsApp, journal.KindStatusDelivered, lucia, journal.StatusData{ID: "wamid.2", Status: "delivered", Recipient: lucia})
	j.Clock().Advance(31 * 24 * time.Hour)
	refused := j.Record(journal.SourceWhatsApp, journal.KindOutboundRejected, lucia, journal.OutboundData{To: lucia, WaID: lucia, Type: "template",
		Template: "promo_verano", Language: "es", Category: "MARKETING", Text: "Hola Lucía, este verano tienes un {{2}} de descuento.",
		HTTP: 400, Code: 132000, Error: "(#132000) Number of parameters does not match the expected number of params"})
	j.Record(journal.SourceWhatsApp, journal.KindOutboundRejected, lucia, journal.OutboundData{To: lucia, WaID: lucia, Type: "template",
		Template: "no_existe", Language: "es", HTTP: 400, Code: 132001, Error: "(#132001) Template name does not exist in the translation"})
	j.Record(journal.SourceWhatsApp, journal.KindOutboundAccepted, lucia, journal.OutboundData{ID: "wamid.3", To: lucia, WaID: lucia, Type: "template",
		Template: "pedido_enviado", Category: "UTILITY", Text: "Tu pedido TE-1001 ha salido.", HTTP: 200})
	failed := j.Record(journal.SourceWhatsApp, journal.KindStatusFailed, lucia, journal.StatusData{ID: "wamid.3", Status: "failed", Recipient: lucia,
		Code: 131026, Error: "Message undeliverable"})
	events := j.Events()

	tr := Transcript(events, []Finding{{Rule: "WA-OPTOUT-01", Seqs: []uint64{optout.Seq, refused.Seq}}})
	type shown struct{ from, kind, text, refused string }
	var got []shown
	for _, tu := range tr {
		got = append(got, shown{tu.From, tu.Kind, tu.Text, tu.Refused})
	}
	want := []shown{
		{FromCustomer, journal.KindInboundSent, "BAJA", ""},
		{FromSystem, journal.KindOptoutRequested, `customer 34600000001 opted out (chat) "BAJA"`, ""},
		{FromAssistant, journal.KindOutboundAccepted, "Te hemos dado de baja.", ""},
		{FromAssistant, journal.KindOutboundRejected, "Hola Lucía, este verano tienes un {{2}} de descuento.",
			"132000 Number of parameters does not match the expected number of params"},
		{FromAssistant, journal.KindOutboundRejected, "[template no_existe]", "132001 Template name does not exist in the translation"},
		{FromAssistant, journal.KindOutboundAccepted, "Tu pedido TE-1001 ha salido.", "131026 Message undeliverable"},
	}
	if len(got) != len(want) {
		t.Fatalf("turns %+v\nwant  %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("turn %d = %+v\n   want %+v", i, got[i], want[i])
		}
	}
	if r := tr[3]; r.Customer != lucia || r.Template != "promo_verano" || len(r.Findings) != 1 || r.Findings[0] != "WA-OPTOUT-01" {
		t.Errorf("refused send's turn %+v: want Lucía's promo_verano, flagged WA-OPTOUT-01", r)
	}
	// The failure is shown on the send it is about, so a finding citing it is drawn there.
	if tr := Transcript(events, []Finding{{Rule: "WA-MKT-02", Seqs: []uint64{failed.Seq}}}); len(tr[5].Findings) != 1 {
		t.Errorf("a finding citing the failed status is not drawn on its send: %+v", tr[5])
	}

	for _, tc := range []struct {
		seq  uint64
		want string
	}{
		{refused.Seq, `assistant tried to send template to 34600000001: "template promo_verano (MARKETING)", refused by WhatsApp: 132000 Number of parameters`},
		{failed.Seq, "WhatsApp failed the send wamid.3 to 34600000001: 131026 Message undeliverable"},
	} {
		if s := Summarize(events[tc.seq-1]); !strings.Contains(s, tc.want) {
			t.Errorf("Summarize(#%d) = %q, want it to contain %q", tc.seq, s, tc.want)
		}
	}
}

// TestRefusedTemplateNamed: a send WhatsApp refused before reading its template (unauthorised, say)
// still names the template the assistant asked for, not template "".
func TestRefusedTemplateNamed(t *testing.T) {
	j := journal.New(journal.NewClock(t0))
	j.Record(journal.SourceWhatsApp, journal.KindOutboundRejected, "34600000001", journal.OutboundData{To: "34600000001", WaID: "34600000001", Type: "template", HTTP: 401, Code: 190, Error: "Invalid OAuth access token",
		Body: []byte(`{"messaging_product":"whatsapp","to":"34600000001","type":"template","template":{"name":"promo_verano","language":{"code":"es"}}}`)})
	e := j.Events()[0]
	tr := Transcript(j.Events(), nil)
	if len(tr) != 1 || tr[0].Text != "[template promo_verano]" || tr[0].Template != "promo_verano" {
		t.Errorf("transcript = %+v", tr)
	}
	if s := Summarize(e); !strings.Contains(s, `"template promo_verano"`) {
		t.Errorf("summary = %q", s)
	}
}
