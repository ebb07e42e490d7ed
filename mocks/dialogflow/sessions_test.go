package dialogflow

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	dialogflow "cloud.google.com/go/dialogflow/apiv2"
	"cloud.google.com/go/dialogflow/apiv2/dialogflowpb"
	"github.com/parley-dev/parley/journal"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
)

func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func grpcOpts(s *Server) []option.ClientOption {
	return []option.ClientOption{
		option.WithEndpoint(s.Addr()),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
	}
}

func restOpts(s *Server) []option.ClientOption {
	return []option.ClientOption{option.WithEndpoint(s.URL()), option.WithoutAuthentication()}
}

type sessionsClient struct{ c *dialogflow.SessionsClient }

func (c sessionsClient) detect(ctx context.Context, req *dialogflowpb.DetectIntentRequest) (*dialogflowpb.DetectIntentResponse, error) {
	return c.c.DetectIntent(ctx, req)
}

func newClients(t *testing.T, s *Server) map[string]sessionsClient {
	t.Helper()
	ctx := testCtx(t)
	g, err := dialogflow.NewSessionsClient(ctx, grpcOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	r, err := dialogflow.NewSessionsRESTClient(ctx, restOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close(); r.Close() })
	return map[string]sessionsClient{"grpc": {g}, "rest": {r}}
}

func textReq(session, text, lang string) *dialogflowpb.DetectIntentRequest {
	return &dialogflowpb.DetectIntentRequest{
		Session: session,
		QueryInput: &dialogflowpb.QueryInput{Input: &dialogflowpb.QueryInput_Text{
			Text: &dialogflowpb.TextInput{Text: text, LanguageCode: lang}}},
	}
}

func eventReq(session, event, lang string) *dialogflowpb.DetectIntentRequest {
	return &dialogflowpb.DetectIntentRequest{
		Session: session,
		QueryInput: &dialogflowpb.QueryInput{Input: &dialogflowpb.QueryInput_Event{
			Event: &dialogflowpb.EventInput{Name: event, LanguageCode: lang}}},
	}
}

func contextNames(cs []*dialogflowpb.Context) map[string]int32 {
	m := map[string]int32{}
	for _, c := range cs {
		m[c.GetName()[strings.LastIndex(c.GetName(), "/")+1:]] = c.GetLifespanCount()
	}
	return m
}

// TestConversationOfficialClients runs a whole conversation through the official Go clients, over gRPC
// and REST: an event, a match with a parameter, an output context gating a follow-up, a fallback with
// the no-match counter, and the contexts API.
func TestConversationOfficialClients(t *testing.T) {
	for _, transport := range []string{"grpc", "rest"} {
		t.Run(transport, func(t *testing.T) {
			j := journal.New(nil)
			s := RunT(t, WithJournal(j))
			c := newClients(t, s)[transport]
			ctx := testCtx(t)
			sess := "projects/parley-demo/agent/sessions/34600000001"

			// 1. WELCOME event.
			r, err := c.detect(ctx, eventReq(sess, "WELCOME", "es"))
			if err != nil {
				t.Fatal(err)
			}
			if got := r.GetQueryResult().GetIntent().GetDisplayName(); got != "welcome" {
				t.Fatalf("WELCOME → %q", got)
			}
			if r.GetQueryResult().GetFulfillmentText() == "" || r.GetQueryResult().GetQueryText() != "" {
				t.Errorf("event reply %+v", r.GetQueryResult())
			}

			// 2. Order status, with the order number as a parameter and awaiting_optin as output context.
			r, err = c.detect(ctx, textReq(sess, "¿Dónde está mi pedido 12345?", "es"))
			if err != nil {
				t.Fatal(err)
			}
			qr := r.GetQueryResult()
			if qr.GetIntent().GetDisplayName() != "order.status" || qr.GetIntentDetectionConfidence() != 1 {
				t.Fatalf("order → %q (%v)", qr.GetIntent().GetDisplayName(), qr.GetIntentDetectionConfidence())
			}
			if got := qr.GetParameters().GetFields()["order_number"].GetStringValue(); got != "12345" {
				t.Errorf("order_number = %q, want 12345", got)
			}
			if !strings.Contains(qr.GetFulfillmentText(), "12345") {
				t.Errorf("reply %q does not carry the parameter", qr.GetFulfillmentText())
			}
			ctxs := contextNames(qr.GetOutputContexts())
			if ctxs["awaiting_optin"] != 2 || ctxs[systemCounters] != 1 {
				t.Errorf("output contexts %v", ctxs)
			}
			for _, oc := range qr.GetOutputContexts() {
				if strings.HasSuffix(oc.GetName(), "/awaiting_optin") {
					if !strings.HasPrefix(oc.GetName(), sess+"/contexts/") {
						t.Errorf("context name %q", oc.GetName())
					}
					if oc.GetParameters().GetFields()["order_number.original"].GetStringValue() != "12345" {
						t.Errorf("context parameters %v", oc.GetParameters())
					}
				}
			}

			// 3. "sí" is an opt-in only because awaiting_optin is active.
			r, err = c.detect(ctx, textReq(sess, "sí", "es"))
			if err != nil {
				t.Fatal(err)
			}
			if got := r.GetQueryResult().GetIntent().GetDisplayName(); got != "optin.yes" {
				t.Fatalf("sí in context → %q", got)
			}
			if _, ok := contextNames(r.GetQueryResult().GetOutputContexts())["awaiting_optin"]; ok {
				t.Errorf("optin.yes should clear awaiting_optin: %v", contextNames(r.GetQueryResult().GetOutputContexts()))
			}

			// 4. Without the context, "sí" falls back; the no-match counter counts.
			for i := 1; i <= 2; i++ {
				r, err = c.detect(ctx, textReq(sess, "sí", "es"))
				if err != nil {
					t.Fatal(err)
				}
				qr = r.GetQueryResult()
				if !qr.GetIntent().GetIsFallback() || qr.GetAction() != "input.unknown" || qr.GetIntentDetectionConfidence() != 1 {
					t.Fatalf("sí without context → %q fallback=%v", qr.GetIntent().GetDisplayName(), qr.GetIntent().GetIsFallback())
				}
				var counters *structpb.Struct
				for _, oc := range qr.GetOutputContexts() {
					if strings.HasSuffix(oc.GetName(), "/"+systemCounters) {
						counters = oc.GetParameters()
					}
				}
				if got := counters.GetFields()["no-match"].GetNumberValue(); got != float64(i) {
					t.Errorf("no-match = %v, want %d", got, i)
				}
			}

			// 5. English, in the same session.
			r, err = c.detect(ctx, textReq(sess, "please stop sending me messages", "en-GB"))
			if err != nil {
				t.Fatal(err)
			}
			if r.GetQueryResult().GetIntent().GetDisplayName() != "optout" || r.GetQueryResult().GetLanguageCode() != "en" {
				t.Errorf("en optout → %q %q", r.GetQueryResult().GetIntent().GetDisplayName(), r.GetQueryResult().GetLanguageCode())
			}

			// The journal has every call, with what the auditor needs.
			events := j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindDetectIntent })
			if len(events) != 6 {
				t.Fatalf("%d detect_intent events, want 6", len(events))
			}
			var d journal.DetectIntentData
			if err := events[1].Decode(&d); err != nil {
				t.Fatal(err)
			}
			if d.Transport != transport || d.API != "es" || d.Session != sess || d.SessionID != "34600000001" ||
				d.Project != "parley-demo" || d.Intent != "order.status" || d.Parameters["order_number"] != "12345" ||
				d.Language != "es" || d.Confidence != 1 || d.Reply == "" || events[1].Customer != "34600000001" {
				t.Errorf("journal %+v", d)
			}
		})
	}
}

func TestContextsOfficialClient(t *testing.T) {
	j := journal.New(nil)
	s := RunT(t, WithJournal(j))
	ctx := testCtx(t)
	cc, err := dialogflow.NewContextsClient(ctx, grpcOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	sc := newClients(t, s)["grpc"]
	sess := "projects/parley-demo/agent/environments/draft/users/-/sessions/abc"

	// The assistant asks for opt-in itself and says so with a context.
	created, err := cc.CreateContext(ctx, &dialogflowpb.CreateContextRequest{Parent: sess, Context: &dialogflowpb.Context{
		Name: sess + "/contexts/Awaiting_OptIn", LifespanCount: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if created.GetName() != sess+"/contexts/awaiting_optin" {
		t.Errorf("context id not lower-cased: %q", created.GetName())
	}
	got, err := cc.GetContext(ctx, &dialogflowpb.GetContextRequest{Name: sess + "/contexts/awaiting_optin"})
	if err != nil || got.GetLifespanCount() != 3 {
		t.Fatalf("GetContext %v %v", got, err)
	}
	r, err := sc.detect(ctx, textReq(sess, "vale", "es"))
	if err != nil {
		t.Fatal(err)
	}
	if r.GetQueryResult().GetIntent().GetDisplayName() != "optin.yes" {
		t.Errorf("created context did not gate optin.yes: %q", r.GetQueryResult().GetIntent().GetDisplayName())
	}
	it := cc.ListContexts(ctx, &dialogflowpb.ListContextsRequest{Parent: sess})
	var names []string
	for {
		c, err := it.Next()
		if err != nil {
			break
		}
		names = append(names, c.GetName())
	}
	if len(names) != 1 || !strings.HasSuffix(names[0], systemCounters) {
		t.Errorf("contexts after optin.yes: %v", names)
	}
	if err := cc.DeleteAllContexts(ctx, &dialogflowpb.DeleteAllContextsRequest{Parent: sess}); err != nil {
		t.Fatal(err)
	}
	_, err = cc.GetContext(ctx, &dialogflowpb.GetContextRequest{Name: sess + "/contexts/" + systemCounters})
	if status.Code(err) != codes.NotFound {
		t.Errorf("after DeleteAllContexts: %v", err)
	}
	if err := cc.DeleteContext(ctx, &dialogflowpb.DeleteContextRequest{Name: sess + "/contexts/nope"}); status.Code(err) != codes.NotFound {
		t.Errorf("DeleteContext of a missing context: %v", err)
	}
	var all journal.ContextsData
	evs := j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindContextsDeleted })
	if len(evs) != 1 || evs[0].Decode(&all) != nil || !all.All || all.SessionID != "abc" {
		t.Errorf("contexts.deleted events %v", evs)
	}
	if n := len(j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindContextsCreated })); n != 1 {
		t.Errorf("%d contexts.created events", n)
	}
}

func TestAgentOfficialClient(t *testing.T) {
	s := RunT(t, WithProject("tienda-prod"))
	ctx := testCtx(t)
	ac, err := dialogflow.NewAgentsClient(ctx, grpcOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	defer ac.Close()
	a, err := ac.GetAgent(ctx, &dialogflowpb.GetAgentRequest{Parent: "projects/tienda-prod"})
	if err != nil {
		t.Fatal(err)
	}
	if a.GetDisplayName() != "Tienda Ejemplo" || a.GetDefaultLanguageCode() != "es" || len(a.GetSupportedLanguageCodes()) != 1 ||
		a.GetSupportedLanguageCodes()[0] != "en" || a.GetTimeZone() != "Europe/Madrid" {
		t.Errorf("agent %+v", a)
	}
	if _, err := ac.GetAgent(ctx, &dialogflowpb.GetAgentRequest{Parent: "projects/parley-demo"}); status.Code(err) != codes.NotFound {
		t.Errorf("other project: %v", err)
	}
}

// TestConcurrentSessions: many customers at once over both transports; run with -race. Each session's
// own conversation stays consistent (its context gates its own follow-up only).
func TestConcurrentSessions(t *testing.T) {
	j := journal.New(nil)
	s := RunT(t, WithJournal(j))
	clients := newClients(t, s)
	ctx := testCtx(t)
	const n = 16
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		c := clients[[]string{"grpc", "rest"}[i%2]]
		go func() {
			sess := fmt.Sprintf("projects/parley-demo/agent/sessions/c%d", i)
			if _, err := c.detect(ctx, textReq(sess, "estado de mi pedido", "es")); err != nil {
				errs <- err
				return
			}
			r, err := c.detect(ctx, textReq(sess, "sí", "es"))
			if err == nil && r.GetQueryResult().GetIntent().GetDisplayName() != "optin.yes" {
				err = fmt.Errorf("%s: sí → %q", sess, r.GetQueryResult().GetIntent().GetDisplayName())
			}
			errs <- err
		}()
	}
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := len(j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindDetectIntent })); got != 2*n {
		t.Errorf("%d detect_intent events, want %d", got, 2*n)
	}
}

// TestContextsAndAgentRESTClients: the REST faces of Contexts and Agents through the official clients.
func TestContextsAndAgentRESTClients(t *testing.T) {
	s := RunT(t)
	ctx := testCtx(t)
	cc, err := dialogflow.NewContextsRESTClient(ctx, restOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	ac, err := dialogflow.NewAgentsRESTClient(ctx, restOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	defer ac.Close()
	sess := "projects/parley-demo/locations/europe-west1/agent/sessions/rest-ctx"
	params, _ := structpb.NewStruct(map[string]any{"order": "12345"})
	if _, err := cc.CreateContext(ctx, &dialogflowpb.CreateContextRequest{Parent: sess, Context: &dialogflowpb.Context{
		Name: sess + "/contexts/awaiting_optin", LifespanCount: 2, Parameters: params}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cc.UpdateContext(ctx, &dialogflowpb.UpdateContextRequest{Context: &dialogflowpb.Context{
		Name: sess + "/contexts/awaiting_optin", LifespanCount: 4, Parameters: params}}); err != nil {
		t.Fatal(err)
	}
	got, err := cc.GetContext(ctx, &dialogflowpb.GetContextRequest{Name: sess + "/contexts/awaiting_optin"})
	if err != nil || got.GetLifespanCount() != 4 || got.GetParameters().GetFields()["order"].GetStringValue() != "12345" {
		t.Fatalf("GetContext %v %v", got, err)
	}
	it := cc.ListContexts(ctx, &dialogflowpb.ListContextsRequest{Parent: sess})
	c, err := it.Next()
	if err != nil || c.GetName() != sess+"/contexts/awaiting_optin" {
		t.Errorf("ListContexts %v %v", c, err)
	}
	if err := cc.DeleteContext(ctx, &dialogflowpb.DeleteContextRequest{Name: sess + "/contexts/awaiting_optin"}); err != nil {
		t.Fatal(err)
	}
	if _, err := cc.GetContext(ctx, &dialogflowpb.GetContextRequest{Name: sess + "/contexts/awaiting_optin"}); status.Code(err) != codes.NotFound {
		t.Errorf("after delete: %v", err)
	}
	if err := cc.DeleteAllContexts(ctx, &dialogflowpb.DeleteAllContextsRequest{Parent: sess}); err != nil {
		t.Fatal(err)
	}
	a, err := ac.GetAgent(ctx, &dialogflowpb.GetAgentRequest{Parent: "projects/parley-demo/locations/europe-west1"})
	if err != nil || a.GetDisplayName() != "Tienda Ejemplo" || a.GetApiVersion() != dialogflowpb.Agent_API_VERSION_V2 {
		t.Errorf("GetAgent %v %v", a, err)
	}
}

// TestVariantsPerSession: a session's response variants depend on the seed and the session alone, so a
// customer is answered the same whether other customers talk before or between their messages (scenarios
// played concurrently against one mock stay repeatable).
func TestVariantsPerSession(t *testing.T) {
	const lucia = "projects/parley-demo/agent/sessions/lucia"
	greetings := []string{"hola", "buenas", "hola otra vez", "buenos días", "hola", "buenas tardes"}
	replies := func(others bool) []string {
		s := RunT(t, WithSeed(7))
		c := newClients(t, s)["grpc"]
		ctx := testCtx(t)
		var out []string
		for i, g := range greetings {
			if others {
				if _, err := c.detect(ctx, textReq(fmt.Sprintf("projects/parley-demo/agent/sessions/other-%d", i), "hola", "es")); err != nil {
					t.Fatal(err)
				}
			}
			resp, err := c.detect(ctx, textReq(lucia, g, "es"))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, resp.GetQueryResult().GetFulfillmentText())
		}
		return out
	}
	alone, among := replies(false), replies(true)
	if !slices.Equal(alone, among) {
		t.Errorf("Lucía's replies changed when other customers talked in between:\nalone: %q\namong: %q", alone, among)
	}
	if len(slices.Compact(slices.Clone(alone))) < 2 {
		t.Errorf("one variant only in %d greetings (%q): the test shows nothing", len(alone), alone)
	}
}
