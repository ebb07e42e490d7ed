package audit

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"testing"
	"time"
	"unicode"

	"github.com/parley-dev/parley/journal"
)

// TestFindCodesIsTheRegexp: the hand scanner finds exactly what the regular expression it replaces finds,
// on the codes businesses print and on random strings over the characters that matter at its edges.
func TestFindCodesIsTheRegexp(t *testing.T) {
	re := regexp.MustCompile(`\b[A-Z]{2,5}-\d{3,}\b`)
	cases := []string{
		"", "TE-1001", "Tu pedido TE-1001 llega mañana", "PED-771234, TE-1002 y XX-12",
		"ABCDEF-1234", "xTE-1001", "TE-1001a", "TE-1001-CD-456", "ÑTE-1001", "TE-1001ñ", "_TE-100",
		"A-1000", "AB-12", "AB--123", "-123", "AB-", "referencia: RC-2026-000123", "(TE-1001)",
	}
	r := rand.New(rand.NewPCG(1, 2))
	rs := []rune("ABZaz09-_ .ñ") // the characters that matter at the pattern's edges
	for range 200000 {
		b := make([]rune, r.IntN(16))
		for i := range b {
			b[i] = rs[r.IntN(len(rs))]
		}
		cases = append(cases, string(b))
	}
	for _, c := range cases {
		want, got := re.FindAllString(c, -1), findCodes(c)
		if !slices.Equal(want, got) {
			t.Fatalf("findCodes(%q) = %q, the regexp finds %q", c, got, want)
		}
	}
}

// TestSharedTextFactsAreTheSendsOwn: the facts a send gets from the first send of its text are the ones
// it would compute itself, refused sends included, and so is whether it carries a canary.
func TestSharedTextFactsAreTheSendsOwn(t *testing.T) {
	evs := synthetic(20000, 50)
	// Sends whose texts fold alike but give different tracking codes (the code's pattern is case-sensitive),
	// and a send asking for a card number, twice, then once more refused.
	// Another customer's canary, sent twice.
	for i, text := range []string{"Tu solicitud: AB-1234", "tu solicitud: ab-1234", "Tu solicitud: AB-1234", "Sin codigo",
		"Envíanos el número completo de tu tarjeta", "Envíanos el número completo de tu tarjeta", "Envíanos el número completo de tu tarjeta",
		"Tu pedido PED-3 ha salido", "Tu pedido PED-3 ha salido"} {
		last := evs[len(evs)-1]
		kind, o := journal.KindOutboundAccepted, journal.OutboundData{To: "34600000001", Type: "text", Text: text}
		if i == 6 {
			kind, o.HTTP, o.Code = journal.KindOutboundRejected, 400, 130429
		}
		body, _ := json.Marshal(o)
		evs = append(evs, journal.Event{Seq: last.Seq + 1, At: last.At, Source: journal.SourceWhatsApp, Kind: kind,
			Customer: "34600000001", Data: body})
	}
	v := NewView(evs, Options{})
	shared, tickets, sensitive, canaries := 0, 0, 0, 0
	for _, e := range v.evs {
		if !e.isOutbound() {
			continue
		}
		own := &ev{Event: e.Event, p: e.p, ft: e.ft}
		ownTicket := textFacts(own)
		if got, want := e.lexHas&textBits, own.lexHas&textBits; got != want || e.lexOK&textBits != textBits {
			t.Fatalf("send %d: shared facts %b (known %b), its own %b", e.Seq, got, e.lexOK&textBits, want)
		}
		if got := v.ticketRef(e); got != ownTicket {
			t.Fatalf("send %d: shared tracking code %q, its own %q", e.Seq, got, ownTicket)
		}
		if es, en := langWords(e.ft); v.texts[e.text].es != es || v.texts[e.text].en != en {
			t.Fatalf("send %d: shared word counts %d/%d, its own %d/%d", e.Seq, v.texts[e.text].es, v.texts[e.text].en, es, en)
		}
		if e.lexOK&(1<<bitCanary) == 0 {
			t.Fatalf("send %d: whether it carries a canary was not computed before the rules", e.Seq)
		}
		if got, want := v.sendCarriesCanary(e), v.carriesCanary(v.readExport(e).text); got != want {
			t.Fatalf("send %d: carries a canary %v, its own text says %v", e.Seq, got, want)
		}
		if e.lexHas&textBits != 0 {
			shared++
		}
		if ownTicket != "" {
			tickets++
		}
		if e.asksSensitive() {
			sensitive++
		}
		if v.sendCarriesCanary(e) {
			canaries++
		}
	}
	if shared == 0 || tickets == 0 || sensitive != 3 || canaries != 2 {
		t.Fatalf("%d sends with a fact, %d with a tracking code, %d asking for a card (want 3), %d carrying a canary (want 2): the comparison proves too little",
			shared, tickets, sensitive, canaries)
	}
}

// TestDecodePayloadCopiesTheRecordedValue: an event recorded in this process is read from its value, not
// its JSON (here deliberately different), and the copy is the view's own.
func TestDecodePayloadCopiesTheRecordedValue(t *testing.T) {
	in := journal.InboundData{ID: "wamid.1", Type: "text", Text: "hola"}
	e := journal.Event{Kind: journal.KindInboundDelivered, Data: []byte(`{"id":"wamid.json","text":"from JSON"}`), Value: in}
	p, err := decodePayload(e, payloadKinds[e.Kind])
	if err != nil {
		t.Fatal(err)
	}
	got, ok := p.(*journal.InboundData)
	if !ok || got.Text != "hola" {
		t.Fatalf("payload %#v, want the recorded value", p)
	}
	got.Text = "changed"
	if e.Value.(journal.InboundData).Text != "hola" {
		t.Error("the view's payload aliases the journal's value")
	}
	e.Value = nil
	if p, err := decodePayload(e, payloadKinds[e.Kind]); err != nil || p.(*journal.InboundData).Text != "from JSON" {
		t.Errorf("without a value: %#v, %v; want the JSON decoded", p, err)
	}
}

// TestKindCodes: every kind code stands for exactly one journal kind, and the kinds it does not name are
// kOther, so a rule comparing codes sees what comparing the journal's kinds would.
func TestKindCodes(t *testing.T) {
	named := map[kind]string{}
	for k := range payloadKinds {
		c := kindCode(k)
		if c == kOther {
			continue
		}
		if prev, ok := named[c]; ok {
			t.Fatalf("%q and %q share the code %d", prev, k, c)
		}
		named[c] = k
	}
	for c := kOther + 1; c <= kDetectIntent; c++ {
		if named[c] == "" {
			t.Errorf("code %d names no journal kind", c)
		}
	}
	if kindCode(journal.KindConsentGiven) != kConsentGiven || kindCode(journal.KindHandoffReleased) != kHandoffReleased ||
		kindCode(journal.KindStatusSent) != kOther || kindCode("no.such.kind") != kOther {
		t.Error("kindCode does not name the kinds it should")
	}
}

// TestHandlingIsComputedOnce: the fulfilment and thread prepare keeps for each request are the ones the
// rules would find themselves, for requests fulfilled, answered with a reference, repeated and unanswered.
func TestHandlingIsComputedOnce(t *testing.T) {
	b := newJ()
	b.canary(ana, "order", "PED-1")
	b.in(ana, "quiero mis datos")
	b.dsr(ana, "access", "quiero mis datos")
	b.out(ana, "Recibida tu solicitud DSR-ABC123. Te responderemos en un mes.")
	b.wait(time.Hour).out(ana, "Otra cosa: hoy abrimos a las 9")
	b.wait(time.Hour).out(ana, "Sobre DSR-ABC123: tus datos son PED-1")
	b.in(ana, "borra mis datos")
	b.dsr(ana, "erasure", "borra mis datos")
	b.out(ana, "Hemos eliminado tus datos")
	b.in(ben, "quiero mis datos")
	b.dsr(ben, "access", "quiero mis datos")
	b.dsr(ben, "access", "quiero mis datos") // the same request twice
	b.dsr(ben, "objection", "no uséis mis datos")
	v := NewView(b.evs, Options{})
	n, fulfilled, threads := 0, 0, 0
	v.each(func(c *customer) {
		for _, i := range c.reqs {
			d := c.evs[i].dsr()
			a := c.anchor(i, d.Wording)
			if _, ok := c.handled[handlingKey{a, d.Right}]; !ok {
				t.Fatalf("%s request %d: no handling prepared", d.Right, c.evs[i].Seq)
			}
			f, th := v.findFulfilment(c, d, a), v.findThread(c, a, v.findFulfilment(c, d, a))
			if got := v.fulfilment(c, d, a); got != f {
				t.Errorf("%s request %d: fulfilment %v, found %v", d.Right, c.evs[i].Seq, got, f)
			}
			if got := v.thread(c, d, a); !slices.Equal(got, th) {
				t.Errorf("%s request %d: thread %v, found %v", d.Right, c.evs[i].Seq, seqs(got...), seqs(th...))
			}
			n++
			if f != nil {
				fulfilled++
			}
			if len(th) > 1 {
				threads++
			}
		}
	})
	if n != 5 || fulfilled != 2 || threads == 0 {
		t.Fatalf("%d requests, %d fulfilled, %d with a thread: the comparison proves too little", n, fulfilled, threads)
	}
}

// TestMayHoldIdentifierByRunes: the byte scan of mayHoldIdentifier decides as counting digit runes does.
func TestMayHoldIdentifierByRunes(t *testing.T) {
	byRunes := func(text string) bool {
		digits := 0
		for _, r := range text {
			if r == '@' {
				return true
			} else if unicode.IsDigit(r) {
				digits++
			}
			if digits >= 3 {
				return true
			}
		}
		return false
	}
	r := rand.New(rand.NewPCG(5, 6))
	rs := []rune("a1@ ٣٤۵ñ9\xff")
	for range 50000 {
		b := make([]rune, r.IntN(8))
		for i := range b {
			b[i] = rs[r.IntN(len(rs))]
		}
		if s := string(b); mayHoldIdentifier(s) != byRunes(s) {
			t.Fatalf("mayHoldIdentifier(%q) = %v, counting runes says %v", s, mayHoldIdentifier(s), byRunes(s))
		}
	}
}

// TestMessageFactsArePrepared: every message's complaint and language are known before the rules run
// (they run concurrently and only read), and are what its text says.
func TestMessageFactsArePrepared(t *testing.T) {
	evs := synthetic(5000, 20)
	b := newJ()
	b.in(ana, "Quiero poner una queja: mi pedido no ha llegado")
	b.in(ana, "I want to complain, my order has not arrived")
	b.in(ana, "ok")
	for _, e := range b.evs {
		e.Seq += uint64(len(evs))
		evs = append(evs, e)
	}
	v := NewView(evs, Options{})
	n, complaints := map[string]int{}, 0
	v.each(func(c *customer) {
		for _, e := range c.inbound() {
			if known := uint32(1<<bitComplaint | 1<<bitLanguage); e.lexOK&known != known {
				t.Fatalf("message %d: facts not computed before the rules", e.Seq)
			}
			if e.complaint() != has(e.ft, complaint...) || e.language() != language(e.ft, 1) {
				t.Fatalf("message %d: complaint %v, language %q; its text says %v, %q", e.Seq, e.complaint(), e.language(),
					has(e.ft, complaint...), language(e.ft, 1))
			}
			n[e.language()]++
			if e.complaint() {
				complaints++
			}
		}
	})
	if n["es"] == 0 || n["en"] == 0 || n[""] == 0 || complaints != 2 {
		t.Fatalf("languages %v, %d complaints: the comparison proves too little", n, complaints)
	}
}

// TestAnchorsAndDocumentsArePrepared: the anchors of opt-outs, requests and handoffs and the exports of
// documents are kept before the rules run, and are what the rules would find themselves.
func TestAnchorsAndDocumentsArePrepared(t *testing.T) {
	b := newJ()
	b.in(ana, "baja")
	b.optout(ana, "baja")
	b.in(ana, "quiero mis datos")
	b.dsr(ana, "access", "quiero mis datos")
	b.doc(ana, "m1", "application/json", "datos.json", `{"pedido":"PED-1"}`)
	b.ground(ana, journal.KindHandoffRequested, journal.HandoffData{Phrase: "un agente"})
	b.in(ana, "un agente")
	v := NewView(b.evs, Options{})
	anchors, docs := 0, 0
	v.each(func(c *customer) {
		for i, e := range c.evs {
			if e.optout() != nil || e.dsr() != nil || e.kc == kHandoffRequested {
				phrase := ""
				switch {
				case e.optout() != nil:
					phrase = e.optout().Phrase
				case e.dsr() != nil:
					phrase = e.dsr().Wording
				default:
					phrase = e.handoff().Phrase
				}
				if a, ok := c.anchors[i]; !ok || a != c.findAnchor(i, phrase) || a == i {
					t.Fatalf("event %d: anchor %d (kept %v), found %d", e.Seq, a, ok, c.findAnchor(i, phrase))
				}
				anchors++
			}
			if e.isOutbound() && e.out().Type == "document" {
				x, ok := c.docs[e]
				if !ok || !reflect.DeepEqual(x, v.readExport(e)) || !x.readable || v.exportOf(e) != x {
					t.Fatalf("document %d: export %+v (kept %v)", e.Seq, x, ok)
				}
				docs++
			}
		}
	})
	if anchors != 3 || docs != 1 {
		t.Fatalf("%d anchors, %d documents: the comparison proves too little", anchors, docs)
	}
}

// TestMatchOnceIsMatchString: a remembered answer is the regexp's, asked again or not.
func TestMatchOnceIsMatchString(t *testing.T) {
	m := matchOnce(ticketRe)
	for _, text := range []string{"Tu solicitud DSR-7K2M9QXA", "sin referencia", "referencia:\nAB12C3", "Tu solicitud DSR-7K2M9QXA", "sin referencia", ""} {
		if got, want := m(text), ticketRe.MatchString(text); got != want {
			t.Errorf("matchOnce(%q) = %v, MatchString %v", text, got, want)
		}
	}
}

// TestStoresAreReused: a view's memory given back after an audit is cleared, and audits that reuse it
// report what they reported with fresh memory.
func TestStoresAreReused(t *testing.T) {
	a, b := synthetic(3000, 10), recorded(synthetic(4000, 12))
	ra, rb := Run(a, Options{}), Run(b, Options{})
	for range 3 {
		if got := Run(a, Options{}); !reflect.DeepEqual(got, ra) {
			t.Fatalf("journal a audited again: %+v, first %+v", got.Broken(), ra.Broken())
		}
		if got := Run(b, Options{}); !reflect.DeepEqual(got, rb) {
			t.Fatalf("journal b audited again: %+v, first %+v", got.Broken(), rb.Broken())
		}
	}
	v := NewView(b, Options{})
	s := v.store
	v.release()
	if v.store != nil || v.evs != nil {
		t.Error("a released view keeps its store")
	}
	for i, e := range s.evs[:cap(s.evs)] {
		if e != (ev{}) || s.ptrs[:cap(s.ptrs)][i] != nil {
			t.Fatalf("event %d of a released store is not cleared", i)
		}
	}
	if s := getStore(len(b)); len(s.evs) != len(b) || len(s.ptrs) != len(b) {
		t.Errorf("getStore(%d) gave %d events", len(b), len(s.evs))
	}
}

// TestReleasedBlocksAreCleared: the values of blocks given back are zero when handed out again, so a
// payload decoded from JSON into one has no field left from an earlier journal's.
func TestReleasedBlocksAreCleared(t *testing.T) {
	k := kindOf[journal.OutboundData]()
	b := k.block()
	for range 300 {
		p := b.fresh().(*journal.OutboundData)
		p.Template, p.Category, p.Buttons = "promo", "MARKETING", []string{"Baja"}
	}
	b.release()
	b = k.block()
	for i := range 300 {
		if p := b.fresh().(*journal.OutboundData); !reflect.DeepEqual(*p, journal.OutboundData{}) {
			t.Fatalf("value %d handed out again holds %+v", i, *p)
		}
	}
}

// TestActsAreWhatRulesFollow: a customer's acts (the events rules following consents, opt-outs, requests,
// handoffs and sends walk instead of the whole timeline) are exactly the events of those kinds.
func TestActsAreWhatRulesFollow(t *testing.T) {
	b := newJ()
	acts := map[uint64]bool{}
	act := func(seq uint64) { acts[seq] = true }
	b.in(ana, "hola")
	b.add(journal.SourceWhatsApp, journal.KindWebhookAttempt, ana, journal.WebhookAttemptData{Attempt: 1, Status: 200, Signed: true})
	b.say(ana, "s1", "mi pedido")
	act(b.out(ana, "hola, soy un asistente virtual"))
	act(b.refusedText(ana, "otra vez", 131047))
	act(b.consent(ana, "marketing", "whatsapp", "Acepto ofertas de Tienda Ejemplo por WhatsApp"))
	act(b.ground(ana, journal.KindConsentWithdrawn, journal.ConsentData{Purpose: "marketing"}))
	act(b.ground(ana, journal.KindConsentRefused, journal.ConsentData{Purpose: "marketing"}))
	act(b.optout(ana, "baja"))
	act(b.dsr(ana, "access", "quiero mis datos"))
	act(b.ground(ana, journal.KindHandoffRequested, journal.HandoffData{Phrase: "un agente"}))
	act(b.ground(ana, journal.KindHandoffReleased, nil))
	act(b.cleared("s1"))
	act(b.add(journal.SourceWhatsApp, journal.KindStatusFailed, ana, journal.StatusData{Status: "failed", Recipient: ana, Code: 131050}))
	b.add(journal.SourceWhatsApp, journal.KindStatusDelivered, ana, journal.StatusData{Status: "delivered", Recipient: ana})
	act(b.add(journal.SourceHarness, journal.KindHookCalled, ana, journal.HookData{Hook: "consent", Status: 200}))
	v := NewView(b.evs, Options{})
	c := v.custs[ana]
	var got []uint64
	for _, e := range c.at(c.acts) {
		got = append(got, e.Seq)
	}
	var want []uint64
	for _, e := range c.evs {
		if acts[e.Seq] {
			want = append(want, e.Seq)
		}
	}
	if !slices.Equal(got, want) || len(want) != len(acts) {
		t.Errorf("acts %v, want %v (of %d marked)", got, want, len(acts))
	}
}

// TestMergedIsTimelineOrder: merging two index lists yields their events once each, in timeline order.
func TestMergedIsTimelineOrder(t *testing.T) {
	v := NewView(synthetic(3000, 7), Options{})
	n := 0
	v.each(func(c *customer) {
		var got, want []int
		for i := range c.merged(c.ins, c.outs) {
			got = append(got, i)
		}
		for i, e := range c.evs {
			if e.isInbound() || e.isOutbound() {
				want = append(want, i)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("customer %s: merged %v, timeline %v", c.id, got, want)
		}
		if got := slices.Collect(func(yield func(int) bool) {
			for i := range c.merged(c.ins, c.ins) {
				if !yield(i) {
					return
				}
			}
		}); !slices.Equal(got, c.ins) {
			t.Fatalf("customer %s: a list merged with itself gives %v", c.id, got)
		}
		n += len(want)
	})
	if n == 0 {
		t.Fatal("no messages or sends to merge")
	}
}
