package harbour

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeBrain stands in for DLP and Dialogflow: it records what reached Dialogflow and which sessions
// were forgotten.
type fakeBrain struct {
	mu        sync.Mutex
	dlpDown   bool
	queries   []string // session + " " + text
	forgotten []string
}

func (f *fakeBrain) scrub(_ context.Context, text string) (string, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dlpDown {
		return "", 0, fmt.Errorf("DLP: unavailable")
	}
	clean, n := maskLeftovers(text)
	return clean, n, nil
}

func (f *fakeBrain) intent(_ context.Context, session, text, _ string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, session+" "+text)
	return "", nil
}

func (f *fakeBrain) forget(_ context.Context, session string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forgotten = append(f.forgotten, session)
	return nil
}

func (f *fakeBrain) close() error { return nil }

// sent is one message the assistant sent through the fake Graph API.
type sent struct {
	To, Type, Text, Template, Filename string
	Params                             []string
	Document                           []byte
}

// fakeGraph is a Graph API that accepts every message and keeps it.
type fakeGraph struct {
	mu    sync.Mutex
	msgs  []sent
	media map[string][]byte
}

func (g *fakeGraph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if strings.HasSuffix(r.URL.Path, "/media") {
		f, _, err := r.FormFile("file")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		data, _ := io.ReadAll(f)
		id := fmt.Sprintf("media-%d", len(g.media)+1)
		g.media[id] = data
		fmt.Fprintf(w, `{"id":%q}`, id)
		return
	}
	var m struct {
		To       string
		Type     string
		Text     struct{ Body string }
		Template struct {
			Name       string
			Components []struct {
				Type       string
				Parameters []struct{ Text string }
			}
		}
		Document struct{ ID, Filename string }
	}
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s := sent{To: m.To, Type: m.Type, Text: m.Text.Body, Template: m.Template.Name, Filename: m.Document.Filename,
		Document: g.media[m.Document.ID]}
	for _, c := range m.Template.Components {
		if c.Type == "body" {
			for _, p := range c.Parameters {
				s.Params = append(s.Params, p.Text)
			}
		}
	}
	g.msgs = append(g.msgs, s)
	fmt.Fprintf(w, `{"messaging_product":"whatsapp","messages":[{"id":"wamid.%d"}]}`, len(g.msgs))
}

func (g *fakeGraph) to(waID string) []sent {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []sent
	for _, m := range g.msgs {
		if m.To == waID {
			out = append(out, m)
		}
	}
	return out
}

var referenceIn = regexp.MustCompile(`HB-\d{4}-[A-Z2-7]{6}`)

const testSecret = "harbour-test-secret"

type rig struct {
	t     testing.TB
	a     *Assistant
	brain *fakeBrain
	graph *fakeGraph
	srv   *httptest.Server
	clock time.Time
	n     int
}

func newRig(t testing.TB) *rig {
	t.Helper()
	g := &fakeGraph{media: map[string][]byte{}}
	gs := httptest.NewServer(g)
	t.Cleanup(gs.Close)
	s := Settings{GraphURL: gs.URL, PhoneID: "106540352242922", Token: "t", AppSecret: testSecret, VerifyToken: "v",
		Dialogflow: "127.0.0.1:1", Project: "p", DLP: "127.0.0.1:1"}
	if err := s.check(); err != nil {
		t.Fatal(err)
	}
	b := &fakeBrain{}
	ctx, cancel := context.WithCancel(context.Background())
	a := build(ctx, cancel, s, b, WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() { srv.Close(); a.Close() })
	return &rig{t: t, a: a, brain: b, graph: g, srv: srv, clock: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

// says delivers a signed text message from waID and waits until the assistant has handled it.
func (r *rig) says(waID, text string) []sent {
	r.t.Helper()
	before := len(r.graph.to(waID))
	r.n++
	body := fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","messages":[{"from":%q,"id":"wamid.in%d","timestamp":"%d","type":"text","text":{"body":%q}}]}}]}]}`,
		waID, r.n, r.clock.Unix(), text)
	if code := r.post("/webhook", body, sign(body)); code != http.StatusOK {
		r.t.Fatalf("webhook answered %d", code)
	}
	r.settle()
	return r.graph.to(waID)[before:]
}

func (r *rig) settle() {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.a.Settle(ctx); err != nil {
		r.t.Fatal(err)
	}
}

func sign(body string) string {
	m := hmac.New(sha256.New, []byte(testSecret))
	m.Write([]byte(body))
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func (r *rig) post(path, body, signature string) int {
	r.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.srv.URL+path, bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("X-Hub-Signature-256", signature)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// hook calls a certification hook and decodes its answer.
func (r *rig) hook(path, body string) (int, map[string]any) {
	r.t.Helper()
	resp, err := http.Post(r.srv.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	r.settle()
	return resp.StatusCode, out
}

func texts(ms []sent) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.Text + "\n")
	}
	return b.String()
}

func TestWebhookSignatures(t *testing.T) {
	r := newRig(t)
	body := `{"object":"whatsapp_business_account","entry":[]}`
	tests := []struct {
		name, body, signature string
		want                  int
	}{
		{"unsigned", body, "", http.StatusUnauthorized},
		{"signed with another key", body, "sha256=" + strings.Repeat("ab", 32), http.StatusForbidden},
		{"not hex", body, "sha256=zz", http.StatusForbidden},
		{"no sha256= prefix", body, strings.TrimPrefix(sign(body), "sha256="), http.StatusForbidden},
		{"signed over other bytes", body + " ", sign(body), http.StatusForbidden},
		{"signed", body, sign(body), http.StatusOK},
		{"signed but malformed", `{"object":`, sign(`{"object":`), http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := r.post("/webhook", tc.body, tc.signature); got != tc.want {
				t.Errorf("answered %d, want %d", got, tc.want)
			}
		})
	}
	forged := `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"447700900001","id":"wamid.f","timestamp":"1772442000","type":"text","text":{"body":"hello"}}]}}]}]}`
	r.post("/webhook", forged, "sha256="+strings.Repeat("00", 32))
	r.settle()
	if got := r.graph.to("447700900001"); len(got) != 0 {
		t.Errorf("a forged delivery was acted on: %+v", got)
	}
}

func TestHandshake(t *testing.T) {
	r := newRig(t)
	for _, tc := range []struct {
		token string
		want  int
	}{{"v", http.StatusOK}, {"wrong", http.StatusForbidden}} {
		resp, err := http.Get(r.srv.URL + "/webhook?hub.mode=subscribe&hub.verify_token=" + tc.token + "&hub.challenge=42")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want || tc.want == http.StatusOK && string(b) != "42" {
			t.Errorf("token %q: %d %q", tc.token, resp.StatusCode, b)
		}
	}
}

func TestFirstContactIsThreeMessages(t *testing.T) {
	r := newRig(t)
	got := r.says("447700900001", "Hello there")
	if len(got) != 3 {
		t.Fatalf("first contact sent %d messages, want 3:\n%s", len(got), texts(got))
	}
	if !strings.Contains(got[0].Text, "automated assistant") || !strings.Contains(got[0].Text, "person") {
		t.Errorf("the greeting does not disclose the assistant or the way to a person: %q", got[0].Text)
	}
	for _, want := range []string{controller, "Meta", "Google", "right of access", "object", privacyPage} {
		if !strings.Contains(got[1].Text, want) {
			t.Errorf("the notice lacks %q: %q", want, got[1].Text)
		}
	}
	if !strings.Contains(got[2].Text, "1. Track an order") || !strings.Contains(got[2].Text, "4. Talk to a person") {
		t.Errorf("no numbered menu: %q", got[2].Text)
	}
	es := r.says("34600000001", "Hola")
	if len(es) != 3 || !strings.Contains(es[0].Text, "asistente automático") {
		t.Errorf("a Spanish first contact is not in Spanish:\n%s", texts(es))
	}
	again := r.says("447700900001", "hello again")
	if len(again) != 1 {
		t.Errorf("a later greeting sent %d messages, want the menu alone:\n%s", len(again), texts(again))
	}
}

func TestAnswersInTheCustomersLanguage(t *testing.T) {
	r := newRig(t)
	r.says("34600000001", "Hola")
	got := r.says("34600000001", "Where is my order?")
	if len(got) != 1 || !strings.Contains(got[0].Text, "order code") {
		t.Errorf("an English message got %q", texts(got))
	}
	got = r.says("34600000001", "¿Dónde está mi pedido?")
	if len(got) != 1 || !strings.Contains(got[0].Text, "pedido") {
		t.Errorf("a Spanish message got %q", texts(got))
	}
}

func TestOptInOptOutAndCampaign(t *testing.T) {
	r := newRig(t)
	const lucy = "447700900001"
	r.says(lucy, "Hello")
	q := r.says(lucy, "2")
	if len(q) != 1 || !strings.Contains(q[0].Text, "Would you like to receive offers") ||
		!strings.Contains(q[0].Text, businessName) || !strings.Contains(q[0].Text, "WhatsApp") || !strings.Contains(q[0].Text, "Reply 1 for yes") {
		t.Fatalf("menu 2 did not ask the opt-in question: %q", texts(q))
	}
	r.says(lucy, "1")
	r.clock = r.clock.Add(30 * time.Hour)
	code, res := r.hook("/parley/campaign", fmt.Sprintf(`{"version":"1","campaign":"c","time":%q}`, r.clock.Format(time.RFC3339)))
	if code != http.StatusOK || fmt.Sprint(res["sent"]) != "["+lucy+"]" {
		t.Fatalf("campaign after an opt-in: %d %v", code, res)
	}
	promo := r.graph.to(lucy)
	last := promo[len(promo)-1]
	if last.Type != "template" || last.Template != "promo_verano" || !strings.Contains(strings.Join(last.Params, " "), businessName) {
		t.Errorf("the campaign sent %+v, want promo_verano naming %s", last, businessName)
	}

	out := r.says(lucy, "please unsubscribe me")
	if len(out) != 1 || !strings.Contains(out[0].Text, "unsubscribed") {
		t.Fatalf("opt-out answered %q", texts(out))
	}
	r.clock = r.clock.Add(31 * 24 * time.Hour)
	_, res = r.hook("/parley/campaign", fmt.Sprintf(`{"version":"1","campaign":"c","time":%q}`, r.clock.Format(time.RFC3339)))
	if fmt.Sprint(res["sent"]) != "[]" {
		t.Errorf("a campaign after the opt-out reached %v", res["sent"])
	}
	if got := r.says(lucy, "Where is my order HB-50017?"); len(got) != 1 || !strings.Contains(got[0].Text, "HB-50017") {
		t.Errorf("a customer who opted out is not served: %q", texts(got))
	}
}

func TestDecliningKeepsTheService(t *testing.T) {
	r := newRig(t)
	const lucy = "447700900001"
	r.says(lucy, "Hello")
	r.says(lucy, "2")
	if got := r.says(lucy, "no thanks"); len(got) != 1 || !strings.Contains(got[0].Text, "won't send you offers") {
		t.Errorf("declining answered %q", texts(got))
	}
	_, res := r.hook("/parley/campaign", `{"version":"1","campaign":"c"}`)
	if fmt.Sprint(res["sent"]) != "[]" {
		t.Errorf("a campaign reached a customer who declined: %v", res["sent"])
	}
}

func TestAccessExportIsJSON(t *testing.T) {
	r := newRig(t)
	const lucy = "34600000001"
	r.says(lucy, "Hola")
	r.says(lucy, "Mi email es kazu.ri@correo-1.test")
	got := r.says(lucy, "Quiero una copia de todos los datos que tenéis sobre mí")
	if len(got) != 2 || !referenceIn.MatchString(got[0].Text) || got[1].Type != "document" {
		t.Fatalf("access answered:\n%+v", got)
	}
	if !strings.HasSuffix(got[1].Filename, ".json") {
		t.Errorf("the export is named %q, want .json", got[1].Filename)
	}
	var e map[string]any
	if err := json.Unmarshal(got[1].Document, &e); err != nil {
		t.Fatalf("the export is not JSON: %v\n%s", err, got[1].Document)
	}
	doc := string(got[1].Document)
	for _, want := range []string{"kazu.ri@correo-1.test", "purposes", "Meta", "Google", "retention", "rights"} {
		if !strings.Contains(doc, want) {
			t.Errorf("the export lacks %q", want)
		}
	}
}

func TestOnlyTheRequestersData(t *testing.T) {
	r := newRig(t)
	r.says("34600000001", "Hola")
	r.says("34600000001", "Me llamo Kazu Rimo")
	r.says("34600000002", "Hola")
	got := r.says("34600000002", "quiero una copia de los datos del 34600000001")
	for _, m := range got {
		if strings.Contains(string(m.Document), "Kazu") {
			t.Errorf("another customer's data went to the requester: %s", m.Document)
		}
	}
}

func TestErasureReachesDialogflow(t *testing.T) {
	r := newRig(t)
	const lucy = "34600000001"
	r.says(lucy, "Hola")
	r.says(lucy, "Me llamo Kazu Rimo")
	session := r.a.book.sessionID(lucy, 0)
	got := r.says(lucy, "borrad todos mis datos, por favor")
	if len(got) != 1 || !strings.Contains(got[0].Text, "eliminado") || !referenceIn.MatchString(got[0].Text) {
		t.Fatalf("erasure answered %q", texts(got))
	}
	if len(r.brain.forgotten) != 1 || r.brain.forgotten[0] != session {
		t.Errorf("Dialogflow sessions forgotten: %v, want %s", r.brain.forgotten, session)
	}
	if got := r.says(lucy, "hola otra vez"); len(got) != 3 {
		t.Errorf("an erased customer who writes again is not greeted as new: %q", texts(got))
	}
	r.says(lucy, "¿Dónde está mi pedido?")
	r.brain.mu.Lock()
	lastQuery := r.brain.queries[len(r.brain.queries)-1]
	r.brain.mu.Unlock()
	if strings.HasPrefix(lastQuery, session) {
		t.Errorf("after erasure Dialogflow is asked on the old session: %s", lastQuery)
	}
	export := r.says(lucy, "quiero una copia de mis datos")
	for _, m := range export {
		if strings.Contains(string(m.Document), "Kazu") {
			t.Errorf("an erased value is in a later export: %s", m.Document)
		}
	}
}

func TestRestrictionStopsProfiling(t *testing.T) {
	r := newRig(t)
	const lucy = "34600000001"
	r.says(lucy, "Hola")
	r.says(lucy, "quiero limitar el tratamiento de mis datos")
	r.brain.mu.Lock()
	before := len(r.brain.queries)
	r.brain.mu.Unlock()
	r.says(lucy, "¿Dónde está mi pedido?")
	r.brain.mu.Lock()
	after := len(r.brain.queries)
	r.brain.mu.Unlock()
	if after != before {
		t.Errorf("a restricted customer's message reached Dialogflow")
	}
}

func TestHandoffSilenceAndRelease(t *testing.T) {
	r := newRig(t)
	const lucy = "447700900001"
	r.says(lucy, "Hello")
	if got := r.says(lucy, "4"); len(got) != 1 || !strings.Contains(got[0].Text, "handing you over") {
		t.Fatalf("menu 4 answered %q", texts(got))
	}
	r.brain.mu.Lock()
	before := len(r.brain.queries)
	r.brain.mu.Unlock()
	if got := r.says(lucy, "are you there?"); len(got) != 0 {
		t.Errorf("the assistant spoke while a person had the chat: %q", texts(got))
	}
	r.brain.mu.Lock()
	if len(r.brain.queries) != before {
		t.Error("a message during the handoff reached Dialogflow")
	}
	r.brain.mu.Unlock()
	if code, res := r.hook("/parley/handoff/release", `{"version":"1","wa_id":"447700900001"}`); code != http.StatusOK || res["result"] != "released" {
		t.Fatalf("release: %d %v", code, res)
	}
	if code, _ := r.hook("/parley/handoff/release", `{"version":"1","wa_id":"447700900001"}`); code != http.StatusNotFound {
		t.Errorf("a second release answered %d, want 404", code)
	}
	if got := r.says(lucy, "hello"); len(got) != 1 {
		t.Errorf("after the release the assistant answered %q", texts(got))
	}
}

func TestConsentHook(t *testing.T) {
	r := newRig(t)
	tests := []struct {
		name, body string
		want       int
	}{
		{"a complete opt-in", `{"version":"1","wa_id":"34600000009","purpose":"marketing","channel":"web","wording":"Acepto recibir ofertas de Harbour Books por WhatsApp"}`, http.StatusCreated},
		{"without wording", `{"version":"1","wa_id":"34600000010","purpose":"marketing","channel":"web"}`, http.StatusUnprocessableEntity},
		{"without channel", `{"version":"1","wa_id":"34600000011","purpose":"marketing","wording":"Offers from Harbour Books"}`, http.StatusUnprocessableEntity},
		{"wording for another business", `{"version":"1","wa_id":"34600000012","purpose":"marketing","channel":"web","wording":"Acepto ofertas de Tienda Ejemplo"}`, http.StatusUnprocessableEntity},
		{"an unknown field", `{"version":"1","wa_id":"34600000013","purpose":"marketing","channel":"web","wording":"Harbour Books","extra":1}`, http.StatusBadRequest},
		{"another version", `{"version":"2","wa_id":"34600000014","purpose":"marketing","channel":"web","wording":"Harbour Books"}`, http.StatusBadRequest},
		{"bad JSON", `{"version":`, http.StatusBadRequest},
		{"a withdrawal needs no wording", `{"version":"1","wa_id":"34600000015","purpose":"marketing","given":false}`, http.StatusCreated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if code, res := r.hook("/parley/consent", tc.body); code != tc.want || res["version"] != "1" {
				t.Errorf("answered %d %v, want %d", code, res, tc.want)
			}
		})
	}
	_, res := r.hook("/parley/campaign", `{"version":"1","campaign":"c"}`)
	if fmt.Sprint(res["sent"]) != "[34600000009]" {
		t.Errorf("the campaign reached %v, want only the complete opt-in", res["sent"])
	}
}

func TestNotifyOutsideTheWindowNeedsConsent(t *testing.T) {
	r := newRig(t)
	const lucy = "447700900417"
	r.says(lucy, "Hello")
	at := r.clock.Add(time.Hour).Format(time.RFC3339)
	if _, res := r.hook("/parley/notify", `{"version":"1","wa_id":"447700900417","event":"order_shipped","order":"HB-50017","time":"`+at+`"}`); res["result"] != "sent_text" {
		t.Errorf("inside the window: %v", res)
	}
	later := r.clock.Add(48 * time.Hour).Format(time.RFC3339)
	if _, res := r.hook("/parley/notify", `{"version":"1","wa_id":"447700900417","event":"order_shipped","order":"HB-50017","time":"`+later+`"}`); res["result"] != "skipped_no_consent" {
		t.Errorf("outside the window without consent: %v", res)
	}
	r.hook("/parley/consent", `{"version":"1","wa_id":"447700900417","purpose":"notifications","channel":"app","wording":"Harbour Books may tell me on WhatsApp when my order ships"}`)
	if _, res := r.hook("/parley/notify", `{"version":"1","wa_id":"447700900417","event":"order_shipped","order":"HB-50017","time":"`+later+`"}`); res["result"] != "sent_template" {
		t.Errorf("outside the window with consent: %v", res)
	}
	if code, _ := r.hook("/parley/notify", `{"version":"1","wa_id":"447700900417","event":"order_lost","order":"HB-50017"}`); code != http.StatusUnprocessableEntity {
		t.Errorf("an unknown event answered %d", code)
	}
}

func TestOrdersAnswerOnlyTheirCustomer(t *testing.T) {
	r := newRig(t)
	r.says("447700900417", "Hello")
	if got := r.says("447700900417", "Where is my order HB-50017?"); !strings.Contains(texts(got), "on its way") {
		t.Errorf("the order's customer got %q", texts(got))
	}
	r.says("447700900001", "Hello")
	if got := r.says("447700900001", "Where is my order HB-50017?"); strings.Contains(texts(got), "Atlas") {
		t.Errorf("another customer learnt about the order: %q", texts(got))
	}
}

func TestComplaintGetsATrackingCode(t *testing.T) {
	r := newRig(t)
	got := r.says("447700900001", "I want to file a complaint, my parcel arrived broken")
	if len(got) != 4 || !referenceIn.MatchString(got[3].Text) {
		t.Errorf("a complaint at first contact answered:\n%s", texts(got))
	}
}

func TestPrivacyReminderWhenSharingAnIdentifier(t *testing.T) {
	r := newRig(t)
	r.says("447700900001", "Hello")
	got := r.says("447700900001", "My email is ana@example.test")
	if !strings.Contains(texts(got), privacyPage) {
		t.Errorf("sharing an e-mail got no privacy reminder: %q", texts(got))
	}
	r.brain.mu.Lock()
	defer r.brain.mu.Unlock()
	for _, q := range r.brain.queries {
		if strings.Contains(q, "ana@example.test") || strings.Contains(q, "447700900001") {
			t.Errorf("Dialogflow saw an identifier: %q", q)
		}
	}
}

func TestMediaAndOddMessagesAreAnsweredPolitely(t *testing.T) {
	r := newRig(t)
	r.says("447700900001", "Hello")
	r.n++
	body := fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"447700900001","id":"wamid.img","timestamp":"%d","type":"image","image":{"id":"x"}}]}}]}]}`, r.clock.Unix())
	r.post("/webhook", body, sign(body))
	r.post("/webhook", body, sign(body)) // redelivered: handled once
	r.settle()
	got := r.graph.to("447700900001")
	if n := strings.Count(texts(got), "only read text"); n != 1 {
		t.Errorf("an image was answered %d times, want once", n)
	}
	if got := r.says("447700900001", strings.Repeat("😀", 5000)); len(got) != 1 {
		t.Errorf("a huge emoji message got %d replies", len(got))
	}
}

// TestNothingReachesDialogflowWithoutDLP: when DLP fails, the message is answered from the customer's
// words and never sent to Dialogflow undeidentified.
func TestNothingReachesDialogflowWithoutDLP(t *testing.T) {
	r := newRig(t)
	r.says("34600000001", "Hola")
	r.brain.mu.Lock()
	r.brain.dlpDown = true
	r.brain.mu.Unlock()
	got := r.says("34600000001", "Mi DNI es 12345678Z, quiero una copia de mis datos")
	if len(got) < 1 || !referenceIn.MatchString(got[0].Text) {
		t.Errorf("without DLP the request was not served: %q", texts(got))
	}
	r.brain.mu.Lock()
	defer r.brain.mu.Unlock()
	if len(r.brain.queries) != 0 {
		t.Errorf("Dialogflow was asked without DLP: %q", r.brain.queries)
	}
}
