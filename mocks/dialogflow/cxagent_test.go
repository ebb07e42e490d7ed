package dialogflow

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	dialogflowapi "cloud.google.com/go/dialogflow/apiv2"
	"cloud.google.com/go/dialogflow/apiv2/dialogflowpb"
	cx "cloud.google.com/go/dialogflow/cx/apiv3"
	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"github.com/parley-dev/parley/journal"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
)

const (
	cxTienda = "../../fixtures/agents/cx-es-tienda"
	cxDental = "../../fixtures/agents/cx-en-dental"
	cxViajes = "../../fixtures/agents/cx-es-viajes"
	cxAgent  = "projects/parley-demo/locations/europe-west1/agents/7d3c2a90-5b1e-4f7a-9c1d-2e4b6a8f0c13"
)

// TestCXFixtureTestCases plays the fixture agents' own test cases: every one passes. The travel agent's
// forms ask for a city, a date period, a person, an address and a composite entity, and answer with
// conditional responses.
func TestCXFixtureTestCases(t *testing.T) {
	for _, dir := range []string{cxTienda, cxDental, cxViajes} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			a, err := LoadCXAgentDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.TestCases) < 3 {
				t.Fatalf("%d test cases", len(a.TestCases))
			}
			rs, err := RunCXTestCases(testCtx(t), a)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			if passed := WriteCXTestReport(&b, rs); passed != len(rs) {
				t.Errorf("%d of %d passed:\n%s", passed, len(rs), b.String())
			}
		})
	}
}

// TestCXTestCaseFailureReported: a test case whose expectation differs fails at that turn, with the
// expected and actual intent, page and text.
func TestCXTestCaseFailureReported(t *testing.T) {
	a, err := LoadCXAgentDir(cxDental)
	if err != nil {
		t.Fatal(err)
	}
	tc := *a.TestCases[0]
	tc.Turns = append([]CXTestTurn(nil), tc.Turns...)
	tc.Turns[1].Page, tc.Turns[1].Intent = "Some other page", "appointment.cancel"
	tc.Turns[1].Texts = []string{"Which day?"}
	b := *a
	b.TestCases = []*CXTestCase{&tc}
	rs, err := RunCXTestCases(testCtx(t), &b)
	if err != nil {
		t.Fatal(err)
	}
	r := rs[0]
	if r.Passed || r.FailedTurn != 2 || r.Input != "I'd like to book a cleaning please" {
		t.Fatalf("result %+v", r)
	}
	want := map[string][2]string{
		"INTENT":    {"appointment.cancel", "appointment.book"},
		"PAGE":      {"Some other page", "Appointment details"},
		"UTTERANCE": {"Which day?", "Let's find you an appointment. | What day would suit you? For example 15/03/2030."},
	}
	for _, d := range r.Diffs {
		if w, ok := want[d.Type]; !ok || w[0] != d.Expected || w[1] != d.Actual {
			t.Errorf("diff %+v", d)
		}
		delete(want, d.Type)
	}
	if len(want) > 0 {
		t.Errorf("missing diffs %v", want)
	}
}

func cxClients(t *testing.T, s *Server) map[string]*cx.SessionsClient {
	ctx := testCtx(t)
	g, err := cx.NewSessionsClient(ctx, grpcOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	r, err := cx.NewSessionsRESTClient(ctx, restOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return map[string]*cx.SessionsClient{"grpc": g, "rest": r}
}

// TestCXConversation plays a booking with the official CX client over gRPC and REST: pages and flows
// change, the form is filled across turns, the session ends and starts over.
func TestCXConversation(t *testing.T) {
	ctx := testCtx(t)
	j := journal.New(nil)
	s := RunT(t, WithAgentDir(cxDental), WithJournal(j))
	for transport, c := range cxClients(t, s) {
		t.Run(transport, func(t *testing.T) {
			sess := cxAgent + "/sessions/booking-" + transport
			say := func(text string) *cxpb.QueryResult {
				t.Helper()
				resp, err := c.DetectIntent(ctx, cxText(sess, text, "en-GB"))
				if err != nil {
					t.Fatalf("%q: %v", text, err)
				}
				return resp.GetQueryResult()
			}
			texts := func(qr *cxpb.QueryResult) []string {
				var out []string
				for _, m := range qr.GetResponseMessages() {
					if m.GetText() != nil {
						out = append(out, m.GetText().GetText()...)
					}
				}
				return out
			}

			qr := say("I'd like to book a cleaning please")
			m := qr.GetMatch()
			if m.GetMatchType() != cxpb.Match_INTENT || m.GetIntent().GetDisplayName() != "appointment.book" ||
				m.GetIntent().GetName() != cxAgent+"/intents/"+s.CXAgent().intents["appointment.book"].ID || m.GetConfidence() <= 0.3 {
				t.Errorf("match %v", m)
			}
			if m.GetParameters().GetFields()["service"].GetStringValue() != "cleaning" {
				t.Errorf("intent parameters %v", m.GetParameters())
			}
			booking := s.CXAgent().flows["Booking"]
			page := booking.pages["Appointment details"]
			if p := qr.GetCurrentPage(); p.GetDisplayName() != "Appointment details" || p.GetName() != cxAgent+"/flows/"+booking.ID+"/pages/"+page.ID {
				t.Errorf("current page %v", p)
			}
			if f := qr.GetCurrentFlow(); f.GetDisplayName() != "Booking" || f.GetName() != cxAgent+"/flows/"+booking.ID {
				t.Errorf("current flow %v", f)
			}
			if got := texts(qr); len(got) != 2 || got[1] != "What day would suit you? For example 15/03/2030." {
				t.Errorf("texts %q", got)
			}
			if rm := qr.GetResponseMessages(); rm[0].GetResponseType() != cxpb.ResponseMessage_ENTRY_PROMPT || rm[1].GetResponseType() != cxpb.ResponseMessage_PARAMETER_PROMPT {
				t.Errorf("response types %v", rm)
			}

			qr = say("15/03/2030")
			if qr.GetMatch().GetMatchType() != cxpb.Match_PARAMETER_FILLING || qr.GetCurrentPage().GetDisplayName() != "Appointment details" {
				t.Errorf("filling: %v %v", qr.GetMatch(), qr.GetCurrentPage())
			}
			date := qr.GetParameters().GetFields()["date"].GetStructValue().AsMap()
			if date["year"] != 2030.0 || date["month"] != 3.0 || date["day"] != 15.0 {
				t.Errorf("date parameter %v", date)
			}

			qr = say("sorry, what?")
			if qr.GetMatch().GetMatchType() != cxpb.Match_NO_MATCH || qr.GetMatch().GetEvent() != "sys.no-match-default" {
				t.Errorf("no-match %v", qr.GetMatch())
			}
			if got := texts(qr); len(got) != 2 || got[0] != "Sorry, I didn't get that." || got[1] != "What phone number can we reach you on?" {
				t.Errorf("no-match texts %q (the flow's handler, then the parameter asked again)", got)
			}

			qr = say("07700 900123")
			if qr.GetCurrentPage().GetDisplayName() != "Confirm booking" || !strings.Contains(texts(qr)[0], "cleaning on 2030-03-15") {
				t.Errorf("confirm: %v %q", qr.GetCurrentPage(), texts(qr))
			}

			// End Flow returns to the start flow, whose condition route moves on to "Anything else".
			qr = say("yes")
			if qr.GetCurrentFlow().GetDisplayName() != "Default Start Flow" || qr.GetCurrentPage().GetDisplayName() != "Anything else" ||
				qr.GetParameters().GetFields()["booked"].GetBoolValue() != true {
				t.Errorf("after End Flow: %v %v", qr.GetCurrentPage(), qr.GetParameters())
			}

			qr = say("no thanks")
			rm := qr.GetResponseMessages()
			if qr.GetCurrentPage().GetDisplayName() != "End Session" || !strings.HasSuffix(qr.GetCurrentPage().GetName(), "/pages/END_SESSION") ||
				rm[len(rm)-1].GetEndInteraction() == nil {
				t.Errorf("end: %v %v", qr.GetCurrentPage(), rm)
			}

			// The next query starts a new conversation: start page, no parameters.
			qr = say("hello")
			if qr.GetCurrentPage().GetDisplayName() != "Start Page" || !strings.HasSuffix(qr.GetCurrentPage().GetName(), "/pages/START_PAGE") ||
				len(qr.GetParameters().GetFields()) != 0 {
				t.Errorf("after the end: %v %v", qr.GetCurrentPage(), qr.GetParameters())
			}
		})
	}
	evs := j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindDetectIntent })
	var d journal.DetectIntentData
	if len(evs) != 14 || evs[0].Decode(&d) != nil || d.API != "cx" || d.Intent != "appointment.book" {
		t.Errorf("journal: %d events, first %+v", len(evs), d)
	}
}

// TestCXEventsAndParameters: an event query runs its handler; queryParams.parameters set (and null
// removes) session parameters that conditions read; a direct intent query takes that intent's route.
func TestCXEventsAndParameters(t *testing.T) {
	ctx := testCtx(t)
	s := RunT(t, WithAgentDir(cxTienda))
	c := cxClients(t, s)["grpc"]
	sess := cxAgent + "/sessions/events"
	resp, err := c.DetectIntent(ctx, &cxpb.DetectIntentRequest{Session: sess, QueryInput: &cxpb.QueryInput{
		LanguageCode: "es", Input: &cxpb.QueryInput_Event{Event: &cxpb.EventInput{Event: "sys.no-input-default"}}}})
	if err != nil {
		t.Fatal(err)
	}
	qr := resp.GetQueryResult()
	if qr.GetMatch().GetMatchType() != cxpb.Match_EVENT || qr.GetTriggerEvent() != "sys.no-input-default" ||
		qr.GetResponseMessages()[0].GetText().GetText()[0] != "¿Sigues ahí? Puedo ayudarte con tus pedidos y devoluciones." {
		t.Errorf("event: %v", qr)
	}

	// The start page's condition route reads a parameter the client sets: after the welcome route, it
	// moves the session to "Algo más".
	req := cxText(sess, "hola", "es")
	req.QueryParams = &cxpb.QueryParameters{Parameters: &structpb.Struct{Fields: map[string]*structpb.Value{
		"devolucion_confirmada": structpb.NewBoolValue(true), "canal": structpb.NewStringValue("whatsapp")}}}
	resp, err = c.DetectIntent(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	qr = resp.GetQueryResult()
	if qr.GetCurrentPage().GetDisplayName() != "Algo más" || qr.GetParameters().GetFields()["canal"].GetStringValue() != "whatsapp" {
		t.Errorf("parameters: %v %v", qr.GetCurrentPage(), qr.GetParameters())
	}
	req = cxText(sess, "quiero saber dónde está mi pedido", "es")
	req.QueryParams = &cxpb.QueryParameters{Parameters: &structpb.Struct{Fields: map[string]*structpb.Value{
		"canal": structpb.NewNullValue()}}}
	resp, err = c.DetectIntent(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := resp.GetQueryResult().GetParameters().GetFields()["canal"]; ok {
		t.Error("a null parameter was not removed")
	}

	// A direct intent query.
	id := s.CXAgent().intents["agente.humano"].ID
	resp, err = c.DetectIntent(ctx, &cxpb.DetectIntentRequest{Session: sess, QueryInput: &cxpb.QueryInput{
		LanguageCode: "es", Input: &cxpb.QueryInput_Intent{Intent: &cxpb.IntentInput{Intent: cxAgent + "/intents/" + id}}}})
	if err != nil {
		t.Fatal(err)
	}
	if m := resp.GetQueryResult().GetMatch(); m.GetMatchType() != cxpb.Match_DIRECT_INTENT || resp.GetQueryResult().GetCurrentPage().GetDisplayName() != "End Session" {
		t.Errorf("direct intent: %v %v", m, resp.GetQueryResult().GetCurrentPage())
	}
}

// TestCXExportIsNotAnEmptyESAgent: a CX export used to load as an ES agent with no intents, which
// refused Spanish queries ("Language code 'es' is not supported"). LoadAgent now refuses it, the server
// answers CX queries from it, and ES queries get the NOT_FOUND of a project without an ES agent.
func TestCXExportIsNotAnEmptyESAgent(t *testing.T) {
	if _, err := LoadAgentDir(cxTienda); !errors.Is(err, ErrCXExport) {
		t.Fatalf("LoadAgentDir on a CX export: %v", err)
	}
	ctx := testCtx(t)
	s := RunT(t, WithAgentDir(cxTienda))
	resp, err := cxClients(t, s)["rest"].DetectIntent(ctx, cxText(cxAgent+"/sessions/es", "dónde está mi pedido", "es-ES"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetQueryResult().GetMatch().GetIntent().GetDisplayName() != "pedido.estado" {
		t.Errorf("match %v", resp.GetQueryResult().GetMatch())
	}
	es, err := dialogflowapi.NewSessionsClient(ctx, grpcOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	defer es.Close()
	_, err = es.DetectIntent(ctx, &dialogflowpb.DetectIntentRequest{Session: "projects/parley-demo/agent/sessions/x",
		QueryInput: &dialogflowpb.QueryInput{Input: &dialogflowpb.QueryInput_Text{Text: &dialogflowpb.TextInput{Text: "hola", LanguageCode: "es"}}}})
	if status.Code(err) != codes.NotFound {
		t.Errorf("ES query on a CX agent: %v", err)
	}
}

// TestCXZipExport loads the same export from a .zip, nested one folder deep as hand-made zips are.
func TestCXZipExport(t *testing.T) {
	zp := zipFS(t, os.DirFS(cxDental), "brightsmile/")
	a, err := LoadCXAgentDir(zp)
	if err != nil {
		t.Fatal(err)
	}
	sum := a.Summary()
	for _, want := range []string{`CX agent "Brightsmile Dental" (en, Europe/London), start flow "Default Start Flow"`,
		"2 flows, 4 pages, 4 form parameters", "9 intents, 39 training phrases, 1 entity types (3 entries), 1 webhooks, 4 test cases",
		"webhook.genericWebService ×1"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
}

// miniCX is a small CX export to break in tests: a start flow with one intent route to a page with a
// form, and a webhook.
func miniCX() fstest.MapFS {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	return fstest.MapFS{
		"agent.json":                                   file(`{"displayName":"Mini","defaultLanguageCode":"en","timeZone":"Europe/London","startFlow":"Default Start Flow"}`),
		"intents/order.status/order.status.json":       file(`{"name":"i-1","displayName":"order.status","priority":500000}`),
		"intents/order.status/trainingPhrases/en.json": file(`{"trainingPhrases":[{"id":"p1","parts":[{"text":"where is my order","auto":true}],"repeatCount":1,"languageCode":"en"}]}`),
		"webhooks/backend.json":                        file(`{"name":"w-1","displayName":"backend","genericWebService":{"uri":"https://backend.example.com/cx"},"timeout":{"seconds":1}}`),
		"flows/Default Start Flow/Default Start Flow.json": file(`{"name":"00000000-0000-0000-0000-000000000000","displayName":"Default Start Flow",
			"transitionRoutes":[{"intent":"order.status","triggerFulfillment":{},"targetPage":"Order"}],
			"eventHandlers":[{"event":"sys.no-match-default","triggerFulfillment":{"messages":[{"text":{"text":["Sorry?"]},"languageCode":"en"}]}}]}`),
		"flows/Default Start Flow/pages/Order.json": file(`{"name":"p-order","displayName":"Order",
			"form":{"parameters":[{"displayName":"email","required":true,"entityType":"@sys.email",
				"fillBehavior":{"initialPromptFulfillment":{"messages":[{"text":{"text":["Your email?"]},"languageCode":"en"}]}}}]},
			"transitionRoutes":[{"condition":"$page.params.status = \"FINAL\"","triggerFulfillment":{
				"messages":[{"text":{"text":["Looking up $session.params.email."]},"languageCode":"en"}],"webhook":"backend","tag":"lookup"},
				"targetPage":"Done"}],
			"eventHandlers":[{"event":"webhook.error.timeout","triggerFulfillment":{"messages":[{"text":{"text":["The order system is slow today."]},"languageCode":"en"}]},"targetPage":"End Session"}]}`),
		"flows/Default Start Flow/pages/Done.json": file(`{"name":"p-done","displayName":"Done","entryFulfillment":{"messages":[{"text":{"text":["Anything else?"]},"languageCode":"en"}]}}`),
	}
}

// TestCXRefusedAtLoad: a construct the mock does not model is refused when the export loads, naming
// the file and the construct.
func TestCXRefusedAtLoad(t *testing.T) {
	order := "flows/Default Start Flow/pages/Order.json"
	edit := func(name, old, new string) func(fstest.MapFS) {
		return func(m fstest.MapFS) {
			s := string(m[name].Data)
			if !strings.Contains(s, old) {
				t.Fatalf("%s lacks %q", name, old)
			}
			m[name] = &fstest.MapFile{Data: []byte(strings.Replace(s, old, new, 1))}
		}
	}
	add := func(name, data string) func(fstest.MapFS) {
		return func(m fstest.MapFS) { m[name] = &fstest.MapFile{Data: []byte(data)} }
	}
	for _, tc := range []struct {
		name   string
		change func(fstest.MapFS)
		want   string
	}{
		{"conditional response with the has operator", edit(order, `"webhook":"backend"`,
			`"conditionalCases":[{"cases":[{"condition":"$session.params.email : \"x\"","caseContent":[]}]}],"webhook":"backend"`),
			order + `: conditional response "$session.params.email : \"x\"": the has operator (:) is not modelled`},
		{"conditional response with a system function", edit(order, `"webhook":"backend"`,
			`"conditionalCases":[{"cases":[{"caseContent":[{"additionalCases":{"cases":[{"caseContent":[{"message":{"text":{"text":["$sys.func.UPPER($session.params.email)"]}}}]}]}}]}]}],"webhook":"backend"`),
			order + `: message "$sys.func.UPPER($session.params.email)": reference $sys.func.UPPER is not modelled`},
		{"composite of an unrecognised system entity in a form", func(m fstest.MapFS) {
			m["entityTypes/fullname/fullname.json"] = &fstest.MapFile{Data: []byte(`{"name":"e-1","displayName":"fullname","kind":"KIND_LIST"}`)}
			m["entityTypes/fullname/entities/en.json"] = &fstest.MapFile{Data: []byte(`{"entities":[{"value":"@sys.given-name:first @sys.last-name:last","synonyms":["@sys.given-name:first @sys.last-name:last"]}]}`)}
			edit(order, `"@sys.email"`, `"@fullname"`)(m)
		}, order + `: form parameter "email" has the composite entity type @fullname, which parley's mock cannot resolve: it holds @sys.given-name, which parley's mock does not recognise in text`},
		{"playbooks", add("playbooks/Helper/Helper.json", `{}`), "playbooks/: playbooks are not modelled"},
		{"start playbook", edit("agent.json", `"startFlow":"Default Start Flow"`, `"startPlaybook":"Helper"`), "agent.json: agent has startPlaybook"},
		{"unrecognised system entity in a form", edit(order, `"@sys.email"`, `"@sys.flight-number"`),
			order + `: form parameter "email" has entity type @sys.flight-number, which parley's mock does not recognise in text`},
		{"system function", edit(order, `Looking up $session.params.email.`, `Looking up $sys.func.UPPER($session.params.email).`),
			order + `: message "Looking up $sys.func.UPPER($session.params.email).": reference $sys.func.UPPER is not modelled`},
		{"has operator", edit(order, `$page.params.status = \"FINAL\"`, `$session.params.email : \"example\"`),
			order + `: condition "$session.params.email : \"example\"": the has operator (:) is not modelled`},
		{"unknown target page", edit(order, `"targetPage":"Done"`, `"targetPage":"Gone"`),
			order + `: target page "Gone" is not a page of flow "Default Start Flow"`},
		{"unknown intent", edit("flows/Default Start Flow/Default Start Flow.json", `"intent":"order.status"`, `"intent":"order.track"`),
			`a route names intent "order.track", which has no intents/ folder`},
		{"unknown webhook", edit(order, `"webhook":"backend"`, `"webhook":"crm"`), `names webhook "crm", which has no webhooks/ file`},
		{"knowledge connector", edit(order, `"displayName":"Order",`, `"displayName":"Order","knowledgeConnectorSettings":{"enabled":true},`),
			order + ": page has knowledgeConnectorSettings"},
		{"deep condition", edit(order, `$page.params.status = \"FINAL\"`, strings.Repeat("(", 40)+"true"+strings.Repeat(")", 40)),
			"nested deeper than 32"},
		{"DTMF test case", add("testCases/Keypad.json", `{"displayName":"Keypad","testCaseConversationTurns":[{"userInput":{"input":{"dtmf":{"digits":"1"}}}}]}`),
			"testCases/Keypad.json: turn 1: only text and event inputs are modelled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := miniCX()
			tc.change(m)
			_, err := LoadCXAgent(m)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v\nwant …%s…", err, tc.want)
			}
			if _, serr := NewServer(WithAgentFS(m)); serr == nil {
				t.Error("the server started on a refused export")
			}
		})
	}
	if _, err := LoadCXAgent(miniCX()); err != nil {
		t.Fatalf("the unbroken export: %v", err)
	}
}

// TestCXWebhook: a fulfillment's webhook reaches only the configured fulfillment URL, with a cx/v3
// WebhookRequest; its answer's messages, session parameters and target page are merged; a timeout
// raises webhook.error.timeout; without a URL the export's webhook is not called and the journal says so.
func TestCXWebhook(t *testing.T) {
	ctx := testCtx(t)
	reqs := make(chan *cxpb.WebhookRequest, 4)
	delay := make(chan time.Duration, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		wr := &cxpb.WebhookRequest{}
		if err := protojson.Unmarshal(b, wr); err != nil {
			t.Errorf("webhook request: %v", err)
		}
		reqs <- wr
		if d := <-delay; d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
			}
			return
		}
		resp := &cxpb.WebhookResponse{
			FulfillmentResponse: &cxpb.WebhookResponse_FulfillmentResponse{Messages: []*cxpb.ResponseMessage{{
				Message: &cxpb.ResponseMessage_Text_{Text: &cxpb.ResponseMessage_Text{Text: []string{"Order 48213 ships today."}}}}}},
			SessionInfo: &cxpb.SessionInfo{Parameters: map[string]*structpb.Value{"order_state": structpb.NewStringValue("shipped")}},
			Transition:  &cxpb.WebhookResponse_TargetPage{TargetPage: wr.GetPageInfo().GetCurrentPage()[:strings.LastIndex(wr.GetPageInfo().GetCurrentPage(), "/")] + "/END_SESSION"},
		}
		b, _ = protojson.Marshal(resp)
		w.Write(b)
	}))
	defer hook.Close()

	j := journal.New(nil)
	s := RunT(t, WithAgentFS(miniCX()), WithFulfillmentURL(hook.URL), WithJournal(j))
	c := cxClients(t, s)["grpc"]
	play := func(sess string) *cxpb.QueryResult {
		t.Helper()
		var qr *cxpb.QueryResult
		for _, text := range []string{"where is my order", "it is ana@example.com"} {
			resp, err := c.DetectIntent(ctx, cxText(cxAgent+"/sessions/"+sess, text, "en"))
			if err != nil {
				t.Fatal(err)
			}
			qr = resp.GetQueryResult()
		}
		return qr
	}

	delay <- 0
	qr := play("ok")
	wr := <-reqs
	if wr.GetFulfillmentInfo().GetTag() != "lookup" || wr.GetPageInfo().GetDisplayName() != "Order" ||
		wr.GetSessionInfo().GetParameters()["email"].GetStringValue() != "ana@example.com" || wr.GetText() != "it is ana@example.com" ||
		wr.GetLanguageCode() != "en" || wr.GetDetectIntentResponseId() == "" || len(wr.GetMessages()) != 1 {
		t.Errorf("webhook request %v", wr)
	}
	var got []string
	for _, m := range qr.GetResponseMessages() {
		got = append(got, m.GetText().GetText()...)
	}
	if strings.Join(got, "|") != "Looking up ana@example.com.|Order 48213 ships today." || qr.GetCurrentPage().GetDisplayName() != "End Session" ||
		qr.GetParameters().GetFields()["order_state"].GetStringValue() != "shipped" || qr.GetWebhookStatuses()[0].GetCode() != 0 {
		t.Errorf("merged: %q %v %v %v", got, qr.GetCurrentPage(), qr.GetParameters(), qr.GetWebhookStatuses())
	}

	delay <- 3 * time.Second // past the export's 1 s timeout
	start := time.Now()
	qr = play("slow")
	<-reqs
	if time.Since(start) > 2500*time.Millisecond {
		t.Errorf("the call took %v: the export's timeout of 1 s was not applied", time.Since(start))
	}
	got = nil
	for _, m := range qr.GetResponseMessages() {
		got = append(got, m.GetText().GetText()...)
	}
	if strings.Join(got, "|") != "Looking up ana@example.com.|The order system is slow today." || qr.GetCurrentPage().GetDisplayName() != "End Session" ||
		qr.GetWebhookStatuses()[0].GetCode() != int32(codes.DeadlineExceeded) {
		t.Errorf("timeout: %q %v %v", got, qr.GetCurrentPage(), qr.GetWebhookStatuses())
	}
	var fd journal.FulfillmentData
	evs := j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindFulfillment })
	if len(evs) != 2 || evs[1].Decode(&fd) != nil || !fd.Called || fd.URL != hook.URL || fd.Tag != "lookup" || fd.Webhook != "backend" ||
		!strings.Contains(fd.Error, "DEADLINE_EXCEEDED") {
		t.Errorf("journal %+v", fd)
	}
}

// TestCXWebhookWithoutURL: with no fulfillment URL the export's webhook is never called; the turn goes
// on as after a failed webhook (the page's webhook.error handler in the fixture) and the journal says why.
func TestCXWebhookWithoutURL(t *testing.T) {
	j := journal.New(nil)
	s := RunT(t, WithAgentDir(cxTienda), WithJournal(j))
	c := cxClients(t, s)["rest"]
	var qr *cxpb.QueryResult
	for _, text := range []string{"dónde está mi pedido", "48213"} {
		resp, err := c.DetectIntent(testCtx(t), cxText(cxAgent+"/sessions/nourl", text, "es"))
		if err != nil {
			t.Fatal(err)
		}
		qr = resp.GetQueryResult()
	}
	if qr.GetCurrentPage().GetDisplayName() != "Algo más" || qr.GetWebhookStatuses()[0].GetCode() != int32(codes.Unavailable) ||
		!strings.HasPrefix(qr.GetResponseMessages()[1].GetText().GetText()[0], "Ahora mismo no puedo consultar") {
		t.Errorf("%v %v %v", qr.GetCurrentPage(), qr.GetWebhookStatuses(), qr.GetResponseMessages())
	}
	var fd journal.FulfillmentData
	evs := j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindFulfillment })
	if len(evs) != 1 || evs[0].Decode(&fd) != nil || fd.Called || fd.URL != "" || fd.Tag != "estado-pedido" ||
		!strings.Contains(fd.Error, `no fulfilment webhook given (--agent-webhook); the export's webhook "pedidos"`) {
		t.Errorf("journal %+v", fd)
	}
}

// TestCXTransitionLoop: condition routes that send the session round in circles end in an error, not a hang.
func TestCXTransitionLoop(t *testing.T) {
	m := miniCX()
	m["flows/Default Start Flow/pages/Done.json"] = &fstest.MapFile{Data: []byte(`{"name":"p-done","displayName":"Done",
		"transitionRoutes":[{"condition":"true","triggerFulfillment":{},"targetPage":"Done"}]}`)}
	m["flows/Default Start Flow/pages/Order.json"] = &fstest.MapFile{Data: []byte(`{"name":"p-order","displayName":"Order",
		"transitionRoutes":[{"condition":"true","triggerFulfillment":{},"targetPage":"Done"}]}`)}
	s := RunT(t, WithAgentFS(m))
	_, err := s.detectCX(testCtx(t), "grpc", cxText(cxAgent+"/sessions/loop", "where is my order", "en"))
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "page transitions in one query") {
		t.Errorf("loop: %v", err)
	}
}
