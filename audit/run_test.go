package audit

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/journal"
)

func unjudged(rep Report, part string) bool {
	return slices.ContainsFunc(rep.Unjudged, func(s string) bool { return strings.Contains(s, part) })
}

// TestBadInput audits a merged, damaged journal: what can be judged is, and the report says what not.
func TestBadInput(t *testing.T) {
	b := newJ()
	b.in(ana, "hola")
	late := b.wait(25*time.Hour).out(ana, "¿sigues ahí?")
	b.add(journal.SourceWhatsApp, "outbound.teleported", ana, map[string]string{"x": "y"})
	b.evs = append(b.evs, journal.Event{Seq: 4, Kind: journal.KindOutboundAccepted, Customer: ana, Data: json.RawMessage(`{"to":`)})
	b.evs = append(b.evs, journal.Event{Seq: 5, Kind: journal.KindConsentGiven, Customer: ana})
	b.evs = append(b.evs, b.evs[1])                                       // repeated
	b.evs = append(b.evs, journal.Event{Seq: 9, Kind: journal.KindReset}) // gap 6–8
	slices.Reverse(b.evs)                                                 // out of order

	rep := Run(b.evs, Options{})
	for _, want := range []string{"out of sequence order", "repeated a sequence number", "gaps (missing seq 6–8)",
		`"outbound.teleported" events have a kind`, `"outbound.accepted" events have a payload that does not decode`,
		`"consent.given" events have no payload`} {
		if !unjudged(rep, want) {
			t.Errorf("Unjudged lacks %q: %q", want, rep.Unjudged)
		}
	}
	res, _ := rep.Result("WA-WINDOW-01")
	if res.Status != Broken || !slices.Equal(res.Findings[0].Seqs, []uint64{late}) {
		t.Errorf("WA-WINDOW-01 over the damaged journal: %+v", res)
	}
}

func TestEmptyJournalExercisesNothing(t *testing.T) {
	rep := Run(nil, Options{})
	if len(rep.Results) != len(Catalogue()) {
		t.Fatalf("%d results, want %d", len(rep.Results), len(Catalogue()))
	}
	for _, r := range rep.Results {
		if r.Status != NotExercised {
			t.Errorf("%s: %s on an empty journal, want not_exercised", r.Rule, r.Status)
		}
	}
}

func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Catalogue() {
		if seen[r.ID] {
			t.Errorf("duplicate rule %s", r.ID)
		}
		seen[r.ID] = true
		if r.Title == "" || r.TitleES == "" || len(r.Sources) == 0 || r.Checks == "" || r.ExercisedBy == "" || r.check == nil {
			t.Errorf("%s is incomplete", r.ID)
		}
		switch r.Severity {
		case SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow:
		default:
			t.Errorf("%s: severity %q", r.ID, r.Severity)
		}
	}
	for _, id := range []string{"PRIV-JIT-01", "PRIV-3P-01", "WA-OPTIN-03", "WA-SEC-02"} {
		if !seen[id] {
			t.Errorf("catalogue lacks %s", id)
		}
	}
	if len(seen) != 38 {
		t.Errorf("%d rules, want 38: the first 34 and PRIV-JIT-01, PRIV-3P-01, WA-OPTIN-03, WA-SEC-02", len(seen))
	}
}

func TestSessionLinking(t *testing.T) {
	tests := []struct {
		name   string
		build  func(b *jb)
		tied   map[string]string
		report string
	}{
		{name: "verbatim text ties the session", build: func(b *jb) {
			b.say(ana, "s1", "¿dónde está mi pedido PED-1?")
		}, tied: map[string]string{"s1": ana}},
		{name: "de-identified text ties through DLP", build: func(b *jb) {
			b.in(ana, "mi DNI es "+dni)
			b.deid("mi DNI es "+dni, "mi DNI es [DNI]")
			b.df("s1", "mi DNI es [DNI]", nil, false)
		}, tied: map[string]string{"s1": ana}},
		{name: "a de-identified text two customers' messages gave ties nothing", build: func(b *jb) {
			b.say(ben, "s2", "soy Ben") // a query tied verbatim in the same journal
			b.in(ana, "mi DNI es "+dni)
			b.deid("mi DNI es "+dni, "mi DNI es [DNI]")
			b.in(ben, "mi DNI es 00000000T")
			b.deid("mi DNI es 00000000T", "mi DNI es [DNI]")
			b.df("s1", "mi DNI es [DNI]", nil, false)
		}, tied: map[string]string{"s2": ben}, report: "could not be tied"},
		{name: "a text two customers sent ties nothing", build: func(b *jb) {
			b.in(ana, "hola")
			b.in(ben, "hola")
			b.df("s1", "hola", nil, false)
		}, tied: map[string]string{}, report: "could not be tied"},
		{name: "one session, two customers' texts", build: func(b *jb) {
			b.say(ana, "shared", "soy Ana")
			b.say(ben, "shared", "soy Ben")
		}, tied: map[string]string{}, report: "more than one customer"},
		{name: "later queries of a tied session are tied too", build: func(b *jb) {
			b.say(ana, "s1", "soy Ana")
			b.in(ben, "hola")
			b.in(ana, "hola")
			b.df("s1", "hola", nil, false)
		}, tied: map[string]string{"s1": ana}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newJ()
			tc.build(b)
			v := NewView(b.evs, Options{})
			if fmt.Sprint(v.sessions) != fmt.Sprint(tc.tied) {
				t.Errorf("sessions %v, want %v", v.sessions, tc.tied)
			}
			for _, e := range v.evs {
				if d := e.di(); d != nil && e.cust != tc.tied[d.SessionID] {
					t.Errorf("query %d tied to %q, want %q", e.Seq, e.cust, tc.tied[d.SessionID])
				}
			}
			if tc.report != "" && !slices.ContainsFunc(v.problems, func(s string) bool { return strings.Contains(s, tc.report) }) {
				t.Errorf("problems %q lack %q", v.problems, tc.report)
			}
		})
	}
}

// randomJournal builds a journal from fuzz bytes: kinds known and unknown, payloads valid, empty or
// garbage, sequence numbers repeated, skipped and reversed, time jumping both ways.
func randomJournal(data []byte) []journal.Event {
	kinds := []string{journal.KindInboundDelivered, journal.KindOutboundAccepted, journal.KindOutboundRejected,
		journal.KindDetectIntent, journal.KindContextsDeleted, journal.KindDeidentify, journal.KindConsentGiven,
		journal.KindConsentWithdrawn, journal.KindOptoutRequested, journal.KindDataRequest, journal.KindCanaryPlanted,
		journal.KindHandoffRequested, journal.KindHandoffReleased, journal.KindStatusFailed, journal.KindWebhookAttempt,
		journal.KindMediaUploaded, journal.KindTLSProbe, journal.KindHookCalled, journal.KindConsentRefused, "mystery"}
	texts := []string{"hola", "BAJA", "borrad mis datos", dni, card, iban, "PED-1", "", "https://x.example", "AGENTE"}
	custs := []string{ana, ben, ""}
	var out []journal.Event
	at := journal.DefaultStart
	for i := 0; i+4 <= len(data); i += 4 {
		k, x, y, z := int(data[i]), int(data[i+1]), int(data[i+2]), int(data[i+3])
		kind := kinds[k%len(kinds)]
		text := texts[x%len(texts)] + " " + texts[y%len(texts)]
		cust := custs[z%len(custs)]
		at = at.Add(time.Duration(int(int8(data[i+1]))) * time.Hour)
		var payload any
		switch kind {
		case journal.KindInboundDelivered:
			payload = journal.InboundData{Text: text}
		case journal.KindOutboundAccepted, journal.KindOutboundRejected:
			types := []string{"text", "template", "document", "interactive"}
			cats := []string{"MARKETING", "UTILITY", ""}
			payload = journal.OutboundData{Type: types[y%4], Text: text, Category: cats[z%3], Template: "t", MediaID: "m", Code: []int{0, 131047, 131049, 131050, 132001}[x%5], Buttons: []string{text}}
		case journal.KindDetectIntent:
			payload = journal.DetectIntentData{Session: "projects/p/agent/sessions/s" + fmt.Sprint(z%3), SessionID: "s" + fmt.Sprint(z%3), Text: text, Parameters: map[string]any{"p": text, "n": []any{1.0, map[string]any{"q": text}}}, Fallback: x%2 == 0}
		case journal.KindContextsDeleted:
			payload = journal.ContextsData{SessionID: "s" + fmt.Sprint(z%3)}
		case journal.KindDeidentify:
			payload = journal.DLPData{Text: text, Result: "[X]"}
		case journal.KindConsentGiven, journal.KindConsentWithdrawn, journal.KindConsentRefused:
			payload = journal.ConsentData{Purpose: []string{"marketing", "notifications", ""}[x%3], Channel: []string{"whatsapp", "web", ""}[y%3], Wording: text}
		case journal.KindOptoutRequested:
			payload = journal.OptoutData{Via: []string{"chat", "whatsapp_stop"}[x%2], Phrase: text}
		case journal.KindDataRequest:
			payload = journal.DataRequestData{Right: []string{"access", "portability", "erasure", "rectification", "restriction", "objection"}[x%6], Wording: text, Old: texts[y%len(texts)]}
		case journal.KindCanaryPlanted:
			payload = journal.CanaryData{Type: "order", Value: texts[x%len(texts)]}
		case journal.KindStatusFailed:
			payload = journal.StatusData{ID: "w", Code: 131049 + x%2}
		case journal.KindWebhookAttempt:
			payload = journal.WebhookAttemptData{URL: texts[x%len(texts)], Status: 200, Signed: y%2 == 0}
		case journal.KindMediaUploaded:
			payload = journal.MediaData{ID: "m", MimeType: []string{"application/json", "text/csv", "application/xml", "application/pdf"}[x%4], Content: data[i:min(len(data), i+y%32)]}
		case journal.KindTLSProbe:
			payload = journal.TLSProbeData{Version: "1.0", Accepted: true}
		}
		raw, _ := json.Marshal(payload)
		switch z % 7 {
		case 0:
			raw = nil
		case 1:
			raw = data[i : i+4]
		}
		seq := uint64(i/4 + 1)
		if y%11 == 0 {
			seq = uint64(x)
		}
		out = append(out, journal.Event{Seq: seq, At: at, Kind: kind, Customer: cust, Data: raw})
	}
	return out
}

func FuzzRun(f *testing.F) {
	f.Add([]byte("\x00\x01\x02\x03\x01\x05\x06\x07\x03\x00\x00\x00\x09\x09\x09\x09"))
	f.Add([]byte(strings.Repeat("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c", 20)))
	r := rand.New(rand.NewPCG(1, 2))
	seed := make([]byte, 512)
	for i := range seed {
		seed[i] = byte(r.IntN(256))
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		rep := Run(randomJournal(data), Options{})
		if len(rep.Results) != len(Catalogue()) {
			t.Fatalf("%d results", len(rep.Results))
		}
		for _, res := range rep.Results {
			if res.Status == Broken && len(res.Findings) == 0 {
				t.Fatalf("%s broken without findings", res.Rule)
			}
		}
	})
}

// TestAllCasesInOneJournal audits every table case's journal merged into one, each case with its own
// customers, with all rules at once (concurrently): under -race this covers every rule's path over a
// shared view, and no rule may call a case broken that its own table calls passed… unless another
// rule's case shares its customers, which renaming prevents.
func TestAllCasesInOneJournal(t *testing.T) {
	var all []journal.Event
	type span struct {
		tc       ruleCase
		from, to uint64
	}
	var spans []span
	for k, tc := range ruleCases {
		if !reflect.DeepEqual(tc.opts, Options{}) {
			continue // cases that need their own options
		}
		b := newJ()
		tc.build(b)
		from := uint64(len(all)) + 1
		for _, e := range b.evs {
			for _, c := range []string{ana, ben} {
				nc := fmt.Sprintf("35%03d%s", k, c[5:])
				e.Data = json.RawMessage(strings.ReplaceAll(string(e.Data), c, nc))
				if e.Customer == c {
					e.Customer = nc
				}
			}
			e.Seq = uint64(len(all)) + 1
			all = append(all, e)
		}
		spans = append(spans, span{tc, from, uint64(len(all))})
	}
	rep := Run(all, Options{})
	for _, s := range spans {
		if s.tc.want != Passed {
			continue
		}
		res, _ := rep.Result(s.tc.rule)
		for _, f := range res.Findings {
			if f.Severity != SeverityInfo && f.Seqs[0] >= s.from && f.Seqs[len(f.Seqs)-1] <= s.to {
				t.Errorf("%s/%s passes alone but is flagged in the merged journal: %+v", s.tc.rule, s.tc.name, f)
			}
		}
	}
}

// TestInboundSent: with inbound.sent in the journal, a message's delivered event is its outcome, not a
// second message; journals without it (or merged with one) keep their delivered events as the messages.
func TestInboundSent(t *testing.T) {
	b := newJ()
	b.add(journal.SourceWhatsApp, journal.KindInboundSent, ana, journal.InboundData{ID: "wamid.A", Text: "hola"})
	b.out(ana, "¡Hola!")
	b.add(journal.SourceWhatsApp, journal.KindInboundDelivered, ana, journal.InboundData{ID: "wamid.A", Text: "hola", Status: 200})
	b.add(journal.SourceWhatsApp, journal.KindInboundDelivered, ben, journal.InboundData{ID: "wamid.B", Text: "hello", Status: 200})
	v := NewView(b.evs, Options{})
	count := func(c string) (n int) {
		for _, e := range v.custs[c].evs {
			if e.isInbound() {
				n++
			}
		}
		return n
	}
	if count(ana) != 1 || count(ben) != 1 {
		t.Errorf("messages: ana %d, ben %d; want 1 each", count(ana), count(ben))
	}
	if r := v.custs[ana].replies(0); len(r) != 1 {
		t.Errorf("replies to ana's message: %d, want 1", len(r))
	}
}

// TestRawCopiesSkipped: the webhook message and request body the mock journals are skipped, the rest of
// the payload decodes.
func TestRawCopiesSkipped(t *testing.T) {
	evs := []journal.Event{
		{Seq: 1, Kind: journal.KindInboundDelivered, Customer: ana, Data: json.RawMessage(`{"id":"w1","type":"text","text":"hola","message":{"from":"34600000001","text":{"body":"hola"}},"webhook_status":200}`)},
		{Seq: 2, Kind: journal.KindOutboundAccepted, Customer: ana, Data: json.RawMessage(`{"to":"34600000001","type":"template","template":"promo_verano","category":"MARKETING","text":"Tienda Ejemplo: rebajas","body":{"messaging_product":"whatsapp","template":{"name":"promo_verano"}},"buttons":["Baja"],"http_status":200}`)},
	}
	v := NewView(evs, Options{})
	if len(v.problems) > 0 {
		t.Fatalf("problems: %v", v.problems)
	}
	in, out := v.evs[0].in(), v.evs[1].out()
	if in == nil || in.Text != "hola" || in.Message != nil || out == nil || out.Template != "promo_verano" || out.Category != "MARKETING" || len(out.Buttons) != 1 || out.Body != nil {
		t.Errorf("decoded %+v / %+v", in, out)
	}
}

// TestInOrderNotesWhatReorderNotes: a journal in sequence order is checked chunk by chunk on every core
// (View.inOrder); it notes the same gaps (the first five, across chunks) and backward steps of time as
// the general path (View.reorder), and refuses a journal that is not strictly increasing.
func TestInOrderNotesWhatReorderNotes(t *testing.T) {
	var evs []journal.Event
	at := journal.DefaultStart
	seq := uint64(0)
	for i := range 100_000 {
		seq++
		if i%9000 == 8999 { // gaps in several chunks
			seq += uint64(i%3) + 1
		}
		at = at.Add(time.Second)
		kind := journal.KindStatusSent
		switch i % 25000 {
		case 24999:
			at = at.Add(-time.Hour) // backwards
		case 12000:
			at, kind = at.Add(-time.Hour), journal.KindClockSet // backwards with a clock.set: not noted
		}
		evs = append(evs, journal.Event{Seq: seq, At: at, Kind: kind})
	}
	fast, general := &View{}, &View{}
	if !fast.inOrder(evs) {
		t.Fatal("inOrder refused a journal in sequence order")
	}
	general.evs = make([]*ev, len(evs))
	for i := range evs {
		general.evs[i] = &ev{Event: &evs[i]}
	}
	general.reorder()
	if !reflect.DeepEqual(fast.problems, general.problems) || !fast.last.Equal(general.last) || len(fast.problems) != 2 {
		t.Errorf("inOrder noted %q (last %v), reorder %q (last %v)", fast.problems, fast.last, general.problems, general.last)
	}
	for _, k := range []int{1, 50_000, 99_999} {
		bad := slices.Clone(evs)
		bad[k].Seq = bad[k-1].Seq // a repeated sequence number
		if v := (&View{}); v.inOrder(bad) || len(v.problems) > 0 {
			t.Errorf("inOrder took a journal with a repeat at %d (noted %q)", k, v.problems)
		}
	}
}
