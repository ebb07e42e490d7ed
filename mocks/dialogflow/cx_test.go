package dialogflow

import (
	"strings"
	"testing"
	"time"

	cx "cloud.google.com/go/dialogflow/cx/apiv3"
	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"github.com/parley-dev/parley/journal"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
)

func cxText(session, text, lang string) *cxpb.DetectIntentRequest {
	return &cxpb.DetectIntentRequest{Session: session, QueryInput: &cxpb.QueryInput{
		LanguageCode: lang, Input: &cxpb.QueryInput_Text{Text: &cxpb.TextInput{Text: text}}}}
}

func TestCXOfficialClients(t *testing.T) {
	ctx := testCtx(t)
	j := journal.New(nil)
	s := RunT(t, WithJournal(j))
	g, err := cx.NewSessionsClient(ctx, grpcOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	r, err := cx.NewSessionsRESTClient(ctx, restOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	clients := map[string]*cx.SessionsClient{"grpc": g, "rest": r}
	for transport, c := range clients {
		t.Run(transport, func(t *testing.T) {
			agent := "projects/parley-demo/locations/europe-west1/agents/any-agent-id"
			sess := agent + "/sessions/cx-" + transport

			resp, err := c.DetectIntent(ctx, cxText(sess, "where is my order 12345?", "en"))
			if err != nil {
				t.Fatal(err)
			}
			qr := resp.GetQueryResult()
			m := qr.GetMatch()
			if m.GetMatchType() != cxpb.Match_INTENT || m.GetIntent().GetDisplayName() != "order.status" || m.GetConfidence() != 1 {
				t.Fatalf("match %+v", m)
			}
			if !strings.HasPrefix(m.GetIntent().GetName(), agent+"/intents/") || m.GetResolvedInput() != "where is my order 12345?" {
				t.Errorf("match %+v", m)
			}
			if qr.GetCurrentPage().GetDisplayName() != "Start Page" || !strings.HasSuffix(qr.GetCurrentPage().GetName(), "/pages/START_PAGE") {
				t.Errorf("current page %+v", qr.GetCurrentPage())
			}
			if len(qr.GetResponseMessages()) == 0 || !strings.Contains(qr.GetResponseMessages()[0].GetText().GetText()[0], "12345") {
				t.Errorf("response messages %v", qr.GetResponseMessages())
			}
			if got := qr.GetParameters().GetFields()["order_number"].GetStringValue(); got != "12345" {
				t.Errorf("session parameter order_number = %q", got)
			}
			if resp.GetResponseType() != cxpb.DetectIntentResponse_FINAL {
				t.Errorf("response type %v", resp.GetResponseType())
			}

			// Session parameters persist and merge with queryParams.parameters.
			req := cxText(sess, "thanks a lot", "en")
			req.QueryParams = &cxpb.QueryParameters{Parameters: &structpb.Struct{Fields: map[string]*structpb.Value{
				"channel": structpb.NewStringValue("whatsapp")}}}
			resp, err = c.DetectIntent(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			p := resp.GetQueryResult().GetParameters().GetFields()
			if p["order_number"].GetStringValue() != "12345" || p["channel"].GetStringValue() != "whatsapp" {
				t.Errorf("session parameters %v", p)
			}

			// No match.
			resp, err = c.DetectIntent(ctx, cxText(sess, "what is the weather like in Paris", "en"))
			if err != nil {
				t.Fatal(err)
			}
			m = resp.GetQueryResult().GetMatch()
			if m.GetMatchType() != cxpb.Match_NO_MATCH || m.GetIntent() != nil || m.GetEvent() != "sys.no-match-default" {
				t.Errorf("no-match %+v", m)
			}
			if len(resp.GetQueryResult().GetResponseMessages()) == 0 {
				t.Error("no-match without a response message")
			}

			// Event.
			resp, err = c.DetectIntent(ctx, &cxpb.DetectIntentRequest{Session: sess, QueryInput: &cxpb.QueryInput{
				LanguageCode: "es", Input: &cxpb.QueryInput_Event{Event: &cxpb.EventInput{Event: "WELCOME"}}}})
			if err != nil {
				t.Fatal(err)
			}
			if m := resp.GetQueryResult().GetMatch(); m.GetMatchType() != cxpb.Match_EVENT || m.GetIntent().GetDisplayName() != "welcome" {
				t.Errorf("event match %+v", m)
			}

			// Another project is NOT_FOUND.
			_, err = c.DetectIntent(ctx, cxText("projects/other/locations/global/agents/a/sessions/s", "hola", "es"))
			if status.Code(err) != codes.NotFound {
				t.Errorf("other project: %v", err)
			}
		})
	}
	var d journal.DetectIntentData
	evs := j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindDetectIntent })
	if len(evs) == 0 || evs[0].Decode(&d) != nil || d.API != "cx" {
		t.Errorf("journal %v", evs)
	}
}

// TestCXSessionTTL: CX session parameters live 30 minutes of simulated time, not ES's 20.
func TestCXSessionTTL(t *testing.T) {
	clock := journal.NewClock(time.Time{})
	s := RunT(t, WithJournal(journal.New(clock)))
	sess := "projects/parley-demo/locations/global/agents/a/sessions/ttl"
	ask := func(text string) map[string]*structpb.Value {
		t.Helper()
		resp, err := s.detectCX(testCtx(t), "grpc", cxText(sess, text, "es"))
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetQueryResult().GetParameters().GetFields()
	}
	ask("estado del pedido 48213")
	clock.Advance(25 * time.Minute)
	if p := ask("gracias"); p["order_number"].GetStringValue() != "48213" {
		t.Errorf("after 25 minutes the session lost its parameters: %v", p)
	}
	clock.Advance(30 * time.Minute)
	if p := ask("gracias"); p["order_number"] != nil {
		t.Errorf("after 30 idle minutes the session kept %v", p)
	}
}
