package steps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cucumber/godog"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/harness/embedded"
	"github.com/parley-dev/parley/internal/testbot"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/profile"
)

// quay is a small assistant in another company's style, for the outcome steps: an English bookshop
// that greets in three messages, answers by a numbered menu, has its own reference format, and sends a
// copy of the customer's data as CSV under a text/plain type. Nothing it says is the reference
// assistant's wording.
type quay struct {
	mu       sync.Mutex
	contract harness.Contract
	known    map[string]bool // customers who have written before
	pending  sync.WaitGroup
	// delay holds every answer back, as an assistant queueing its work or retrying a refused send does:
	// the environment cannot see it working and settles before the answer comes.
	delay time.Duration
}

func newQuay(c harness.Contract) (http.Handler, error) {
	return &quay{contract: c, known: map[string]bool{}}, nil
}

func (b *quay) Close() error {
	b.pending.Wait()
	return nil
}

// quayProfile is quay's profile: its business, notice and test order.
func quayProfile() profile.Profile {
	p := profile.Reference()
	p.Business = profile.Business{Name: "Quay Books", Controller: "Quay Books Ltd"}
	p.Privacy.NoticeURL = "https://quay.example/privacy"
	p.TestData.Orders = []profile.Order{{Code: "QB-5521", Customer: "+44 7700 900001"}}
	p.Hooks = nil
	return p
}

// quayReply is one message quay sends: a text, or a document with a name, a type and content.
type quayReply struct {
	text, filename, mime string
	content              []byte
}

func (b *quay) answer(from, text string) []quayReply {
	b.mu.Lock()
	first := !b.known[from]
	b.known[from] = true
	b.mu.Unlock()
	if first {
		return []quayReply{
			{text: "Hello from Quay Books! Heads up: I'm a bot, so the answers here are automated."},
			{text: "Your privacy: Quay Books Ltd is the controller. Meta (WhatsApp) and Google (Dialogflow) process these messages for us. " +
				"You can ask for access to your data, to erase it or to correct it.\n" +
				"You can object to marketing at any time by writing STOP.\nFull notice: https://quay.example/privacy"},
			{text: "What can I do for you?\n1. Track an order\n2. Offers and news\n3. Your data\n4. Talk to a person"},
		}
	}
	t := strings.ToLower(strings.TrimSpace(text))
	switch {
	case t == "1" || strings.Contains(t, "order"):
		return []quayReply{{text: "Order QB-5521 is on its way with the courier and will arrive on Friday."}}
	case t == "2":
		return []quayReply{{text: "Shall we send you Quay Books offers and news on WhatsApp? Reply YES or NO."}}
	case t == "stop":
		return []quayReply{{text: "Done: no more offers from Quay Books. You can still message us any time."}}
	case t == "3" || strings.Contains(t, "data"):
		csv := fmt.Sprintf("field,value\nwhatsapp number,%s\npurposes,answering your questions and orders\n"+
			"recipients,Meta and Google\nretention,we keep chats for 90 days\nrights,access erasure rectification objection\n", from)
		return []quayReply{
			{text: "We have received your request: case QB-7K2M. Here is a copy of everything we hold about you."},
			{filename: "quay-data.csv", mime: "text/plain", content: []byte(csv)},
		}
	case t == "4" || strings.Contains(t, "person"):
		return []quayReply{{text: "I'm handing you over to a colleague; they will reply in this chat."}}
	}
	return []quayReply{{text: "Sorry, I didn't get that. Reply with a number from the menu."}}
}

func (b *quay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	testbot.Webhook(b.contract.Getenv, func(from, text string) {
		b.pending.Add(1)
		go func() {
			defer b.pending.Done()
			time.Sleep(b.delay)
			for _, rep := range b.answer(from, text) {
				b.send(from, rep)
			}
		}()
	}).ServeHTTP(w, r)
}

func (b *quay) send(to string, rep quayReply) {
	msg := map[string]any{"messaging_product": "whatsapp", "to": to, "type": "text", "text": map[string]string{"body": rep.text}}
	if rep.filename != "" {
		id := b.upload(rep)
		msg = map[string]any{"messaging_product": "whatsapp", "to": to, "type": "document",
			"document": map[string]string{"id": id, "filename": rep.filename}}
	}
	body, _ := json.Marshal(msg)
	b.graph("/messages", "application/json", body)
}

func (b *quay) upload(rep quayReply) string {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("messaging_product", "whatsapp")
	mw.WriteField("type", rep.mime)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, rep.filename))
	h.Set("Content-Type", rep.mime)
	part, _ := mw.CreatePart(h)
	part.Write(rep.content)
	mw.Close()
	var got struct{ ID string }
	_ = json.Unmarshal(b.graph("/media", mw.FormDataContentType(), buf.Bytes()), &got)
	return got.ID
}

func (b *quay) graph(path, contentType string, body []byte) []byte {
	return testbot.Graph(b.contract.Getenv, path, contentType, body)
}

// playWith runs one feature against envs with the profile, and returns godog's status and output.
func playWith(t *testing.T, envs harness.Factory, p profile.Profile, feature string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	st := godog.TestSuite{
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			Register(sc, envs, WithReplyWait(2e9), WithProfile(p))
		},
		Options: &godog.Options{Format: "pretty", NoColors: true, Output: &out,
			FeatureContents: []godog.Feature{{Name: "t.feature", Contents: []byte(feature)}}},
	}.Run()
	return st, out.String()
}

// TestOutcomesWithAnotherAssistant: the outcome steps hold for an assistant whose every word, menu,
// reference format and export format differ from the reference assistant's.
func TestOutcomesWithAnotherAssistant(t *testing.T) {
	p := quayProfile()
	envs := embedded.Factory{Seed: 1, Assistant: embedded.Handler(newQuay),
		Audit: audit.Options{Business: p.Business.Name, PrivacyURL: p.Privacy.NoticeURL}}
	st, out := playWith(t, envs, p, `Feature: another bookshop
  Scenario: every outcome, in other words
    Given a customer "Oliver" with phone "+44 7700 900001" who speaks English
    When "Oliver" says "hi"
    Then "Oliver" is told he is talking to an automated assistant
    And "Oliver" receives the privacy notice
    And "Oliver" is offered a person
    When "Oliver" says "2"
    Then "Oliver" is asked whether he wants offers
    When "Oliver" says "where is my order?"
    Then "Oliver" receives his order's status
    When "Oliver" makes an access request: "send me a copy of my data"
    Then "Oliver" receives a reference for his request
    And "Oliver" receives an acknowledgement of his request
    And "Oliver" receives a copy of his data
    When "Oliver" says "STOP"
    Then "Oliver" receives an opt-out confirmation
    When "Oliver" asks for a person: "can I talk to a person?"
    Then "Oliver" is handed over to a person
`)
	if st != 0 || !strings.Contains(out, "1 scenarios (1 passed)") {
		t.Fatalf("status %d:\n%s", st, out)
	}
}

// TestOutcomeWaitsForALateAnswer: an answer that comes after the environment has settled (the assistant
// works out of its sight) still counts, as it does for "receives a reply containing".
func TestOutcomeWaitsForALateAnswer(t *testing.T) {
	p := quayProfile()
	late := func(c harness.Contract) (http.Handler, error) {
		return &quay{contract: c, known: map[string]bool{}, delay: 300 * time.Millisecond}, nil
	}
	envs := embedded.Factory{Seed: 1, Assistant: embedded.Handler(late),
		Audit: audit.Options{Business: p.Business.Name, PrivacyURL: p.Privacy.NoticeURL}}
	st, out := playWith(t, envs, p, `Feature: a late answer
  Scenario: the disclosure comes late
    Given a customer "Oliver" with phone "+44 7700 900001" who speaks English
    When "Oliver" says "hi"
    Then "Oliver" is told he is talking to an automated assistant
`)
	if st != 0 || !strings.Contains(out, "1 scenarios (1 passed)") {
		t.Fatalf("status %d:\n%s", st, out)
	}
}

// TestOutcomesWithTheReference: the same outcomes, in Spanish steps, hold for the reference assistant.
func TestOutcomesWithTheReference(t *testing.T) {
	st, out := playWith(t, embedded.Factory{Seed: 1}, profile.Reference(), `# language: es
Característica: el asistente de referencia
  Escenario: cada resultado
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Cuando "Lucía" dice "Hola"
    Entonces "Lucía" sabe que le atiende un asistente automático
    Y "Lucía" recibe la información de privacidad
    Y "Lucía" recibe la opción de hablar con una persona
    Y a "Lucía" le preguntan si quiere recibir ofertas
    Cuando "Lucía" dice "¿Dónde está mi pedido TE-1001?"
    Entonces "Lucía" recibe el estado de su pedido
    Cuando pasan 25 horas
    Y "Lucía" aceptó recibir "notificaciones" por la "app"
    Y el negocio avisa a "Lucía" de que su pedido ha salido
    Entonces "Lucía" recibe una respuesta que contiene "pedido_enviado"
    Cuando "Lucía" comparte su email
    Y "Lucía" ejerce su derecho de acceso: "quiero una copia de mis datos"
    Entonces "Lucía" recibe una referencia de su solicitud
    Y "Lucía" recibe la confirmación de su solicitud
    Y "Lucía" recibe una copia de sus datos
    Cuando "Lucía" pide la baja: "no quiero más ofertas"
    Entonces "Lucía" recibe la confirmación de la baja
    Cuando "Lucía" pide hablar con una persona: "quiero hablar con una persona"
    Entonces "Lucía" pasa a hablar con una persona
    Cuando el agente devuelve a "Lucía" al asistente
`)
	if st != 0 || !strings.Contains(out, "1 scenarios (1 passed)") {
		t.Fatalf("status %d:\n%s", st, out)
	}
}

// TestOutcomeMissed: an outcome that did not come fails the step, saying how many replies came, what
// was expected and what the last one said, with the transcript.
func TestOutcomeMissed(t *testing.T) {
	tests := []struct {
		name, then string
		want       []string
	}{
		{name: "no opt-out confirmation", then: `"Lucía" receives an opt-out confirmation`,
			want: []string{"Lucía got 1 reply since their last message and it was not an opt-out confirmation: «", "Lucía (+34600000001, es) said:"}},
		{name: "no copy of the data", then: `"Lucía" receives a copy of her data`,
			want: []string{"Lucía got 1 reply since their last message and it was not a document with their data"}},
		{name: "no handoff", then: `"Lucía" is handed over to a person`,
			want: []string{"it was not a handoff to a person"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, out := run(t, `Feature: missed
  Scenario: missed
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    When "Lucía" says "¿Dónde está mi pedido TE-1001?"
    Then `+tt.then+"\n")
			if st == 0 {
				t.Fatalf("the step passed:\n%s", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestMissedWording(t *testing.T) {
	tests := []struct {
		lang, what string
		texts      []string
		want       string
	}{
		{"en", "an opt-out confirmation", nil, "Lucía got no reply since their last message; expected an opt-out confirmation"},
		{"en", "an opt-out confirmation", []string{"hola"}, "Lucía got 1 reply since their last message and it was not an opt-out confirmation: «hola»"},
		{"en", "an opt-out confirmation", []string{"hola", "¿qué tal?\nbien"}, "Lucía got 2 replies since their last message, none was an opt-out confirmation; the last was: «¿qué tal? bien»"},
		{"es", "una confirmación de la baja", nil, "Lucía no recibió ninguna respuesta desde su último mensaje; se esperaba una confirmación de la baja"},
		{"es", "una confirmación de la baja", []string{"hola"}, "Lucía recibió 1 respuesta desde su último mensaje y no era una confirmación de la baja: «hola»"},
		{"es", "una confirmación de la baja", []string{"hola", "¿qué tal?\nbien"}, "Lucía recibió 2 respuestas desde su último mensaje, ninguna era una confirmación de la baja; la última fue: «¿qué tal? bien»"},
	}
	for _, tt := range tests {
		if got := missed(tt.lang, "Lucía", tt.what, tt.texts); got != tt.want {
			t.Errorf("missed(%s, %q) = %q, want %q", tt.lang, tt.texts, got, tt.want)
		}
	}
	long := strings.Repeat("á", 300)
	if got := excerpt(long); !strings.HasSuffix(got, "…") || len([]rune(got)) != 241 {
		t.Errorf("excerpt of 300 letters = %d letters", len([]rune(got)))
	}
}

// TestOutcomeTogether: the privacy notice may take several messages; other outcomes need one message.
func TestOutcomeTogether(t *testing.T) {
	s := &scenarioState{profile: profile.Reference()}
	texts := []string{"Privacy: Meta and Google process your messages.", "Full notice: https://tiendaejemplo.es/privacidad"}
	notice := meaningOutcome("the privacy notice", "la información de privacidad", audit.MeansPrivacyNotice)
	if i := notice.find(s, texts); i != -1 {
		t.Errorf("without together the notice was found in message %d", i)
	}
	notice.together = true
	if i := notice.find(s, texts); i != 1 {
		t.Errorf("read together the notice is in message %d, want 1", i)
	}
}

// TestJudgeDataCopy: a copy of the data is a document in JSON, CSV or XML (by type, or by name under
// text/plain) that parses and carries the customer's number or a value they shared.
func TestJudgeDataCopy(t *testing.T) {
	mine := []string{"34600000001", "lucia.x7@example.com"}
	doc := func(id, filename string) whatsapp.InboxMessage {
		raw, _ := json.Marshal(map[string]any{"document": map[string]string{"id": id, "filename": filename}})
		return whatsapp.InboxMessage{Type: "document", Message: raw}
	}
	tests := []struct {
		name   string
		upload journal.MediaData
		format string // the format required, if any
		want   string // "" for a copy of the data, else part of the problem
	}{
		{"json", journal.MediaData{MimeType: "application/json", Content: []byte(`{"wa_id":"34600000001"}`)}, "", ""},
		{"csv under text/plain", journal.MediaData{MimeType: "text/plain", Filename: "data.csv", Content: []byte("email\nlucia.x7@example.com\n")}, "", ""},
		{"xml", journal.MediaData{MimeType: "application/xml", Content: []byte(`<me><phone>+34600000001</phone></me>`)}, "", ""},
		{"pdf", journal.MediaData{MimeType: "application/pdf", Content: []byte("%PDF-1.4 34600000001")}, "", "not a machine-readable format"},
		{"broken json", journal.MediaData{MimeType: "application/json", Content: []byte(`{"wa_id":`)}, "", "does not parse as application/json"},
		{"someone else's", journal.MediaData{MimeType: "application/json", Content: []byte(`{"wa_id":"34600000002"}`)}, "", "carries neither Lucía's number nor anything they shared"},
		{"truncated", journal.MediaData{MimeType: "application/json", Content: []byte(`{"wa_id":"34600000001"}`), Truncated: true}, "", "does not parse"},
		{"json required, json under text/plain", journal.MediaData{MimeType: "text/plain", Filename: "me.json", Content: []byte(`{"wa_id":"34600000001"}`)}, "application/json", ""},
		{"json required, csv given", journal.MediaData{MimeType: "text/csv", Content: []byte("phone\n34600000001\n")}, "application/json", "is text/csv, not application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := tt.upload
			up.ID = "m1"
			name := up.Filename
			if name == "" {
				name = "data"
			}
			got := judgeDataCopy("en", doc("m1", name), map[string]journal.MediaData{"m1": up}, mine, "Lucía", tt.format)
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("judgeDataCopy = %q, want %q", got, tt.want)
			}
		})
	}
	if got := judgeDataCopy("en", doc("nope", "x.json"), nil, mine, "Lucía", ""); !strings.Contains(got, "was not uploaded to WhatsApp first") {
		t.Errorf("a document never uploaded: %q", got)
	}
}
