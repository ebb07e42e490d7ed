package dialogflow

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"cloud.google.com/go/dialogflow/apiv2/dialogflowpb"
	dialogflowb1 "cloud.google.com/go/dialogflow/apiv2beta1"
	b1pb "cloud.google.com/go/dialogflow/apiv2beta1/dialogflowpb"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

func TestForceNext(t *testing.T) {
	for _, tc := range []struct {
		name         string
		force        Force
		text         string
		wantIntent   string
		wantConf     float32
		wantFallback bool
	}{
		{"force an intent", Force{Intent: "human.handoff", Confidence: 0.42}, "hola", "human.handoff", 0.42, false},
		{"force an intent, parameters still extracted", Force{Intent: "order.status"}, "ya 77777", "order.status", 1, false},
		{"force a low confidence makes it fall back", Force{Confidence: 0.1}, "hola", "Default Fallback Intent", 1, true},
		{"force a confidence keeps the match", Force{Confidence: 0.55}, "hola", "welcome", 0.55, false},
		{"force for another session does not apply", Force{Intent: "goodbye", Session: "someone-else"}, "hola", "welcome", 1, false},
		{"force for this session by id", Force{Intent: "goodbye", Session: "f"}, "hola", "goodbye", 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := RunT(t)
			if err := s.ForceNext(testCtx(t), tc.force); err != nil {
				t.Fatal(err)
			}
			qr := detectDirect(t, s, "projects/parley-demo/agent/sessions/f", tc.text, "es")
			if qr.GetIntent().GetDisplayName() != tc.wantIntent || qr.GetIntentDetectionConfidence() != tc.wantConf || qr.GetIntent().GetIsFallback() != tc.wantFallback {
				t.Errorf("→ %q %v fallback=%v", qr.GetIntent().GetDisplayName(), qr.GetIntentDetectionConfidence(), qr.GetIntent().GetIsFallback())
			}
			if tc.force.Intent == "order.status" && qr.GetParameters().GetFields()["order_number"].GetStringValue() != "77777" {
				t.Errorf("parameters %v", qr.GetParameters())
			}
			// An override is used once.
			if tc.force.Session == "" {
				if qr := detectDirect(t, s, "projects/parley-demo/agent/sessions/f", "hola", "es"); qr.GetIntent().GetDisplayName() != "welcome" {
					t.Errorf("override applied twice: %q", qr.GetIntent().GetDisplayName())
				}
			}
		})
	}
	s := RunT(t)
	for _, bad := range []Force{{}, {Intent: "nope"}, {Confidence: 2}} {
		if err := s.ForceNext(testCtx(t), bad); err == nil {
			t.Errorf("ForceNext(%+v) accepted", bad)
		}
	}
}

func TestLatencyHonoursDeadline(t *testing.T) {
	s := RunT(t)
	_ = s.InjectFault(context.Background(), control.Fault{Delay: control.MaxFaultDelay})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := s.detectES(ctx, "grpc", "projects/parley-demo/agent/sessions/l", textReq("projects/parley-demo/agent/sessions/l", "hola", "es"))
		done <- err
	}()
	// Whether the call is already waiting or not, a cancelled caller gets CANCELLED, never a reply an
	// hour later.
	cancel()
	if err := <-done; status.Code(err) != codes.Canceled {
		t.Errorf("got %v, want CANCELLED", err)
	}
	_ = s.ClearFaults(context.Background())
	if _, err := s.detectES(context.Background(), "grpc", "projects/parley-demo/agent/sessions/l", textReq("projects/parley-demo/agent/sessions/l", "hola", "es")); err != nil {
		t.Errorf("after ClearFaults: %v", err)
	}
}

func TestFaultCount(t *testing.T) {
	s := RunT(t)
	if err := s.InjectFault(testCtx(t), control.Fault{Kind: "QUOTA", Count: 1}); err != nil {
		t.Fatal(err)
	}
	c := newClients(t, s)["rest"]
	_, err := c.detect(testCtx(t), textReq("projects/parley-demo/agent/sessions/q", "hola", "es"))
	if status.Code(err) != codes.ResourceExhausted {
		t.Errorf("first call: %v", err)
	}
	if _, err := c.detect(testCtx(t), textReq("projects/parley-demo/agent/sessions/q", "hola", "es")); err != nil {
		t.Errorf("second call: %v", err)
	}
	if err := s.InjectFault(testCtx(t), control.Fault{Kind: "TEAPOT"}); err == nil {
		t.Error("unknown fault code accepted")
	}
	if err := s.InjectFault(testCtx(t), control.Fault{Kind: "QUOTA", Method: "listContexts"}); err == nil {
		t.Error("a fault on another method accepted")
	}
}

// TestControlHTTP drives the same controls over /_parley/, as a container user would.
func TestControlHTTP(t *testing.T) {
	j := journal.New(nil)
	s := RunT(t, WithJournal(j))
	call := func(method, path, body string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
		return do(t, req)
	}
	if code, b := call("GET", "/_parley/healthz", ""); code != 200 || !strings.Contains(string(b), `"ok"`) {
		t.Fatalf("healthz %d %s", code, b)
	}
	if code, b := call("POST", "/_parley/force", `{"intent":"dsr.erasure"}`); code != 204 {
		t.Fatalf("force %d %s", code, b)
	}
	if code, b := call("POST", "/_parley/force", `{"intent":"dsr.erasure","bogus":1}`); code != 400 {
		t.Errorf("force with an unknown field %d %s", code, b)
	}
	sess := "projects/parley-demo/agent/sessions/ctl"
	if qr := detectDirect(t, s, sess, "hola", "es"); qr.GetIntent().GetDisplayName() != "dsr.erasure" {
		t.Errorf("forced over HTTP → %q", qr.GetIntent().GetDisplayName())
	}
	detectDirect(t, s, sess, "estado del pedido 48213", "es")
	code, b := call("GET", "/_parley/sessions", "")
	var sessions []SessionInfo
	if code != 200 || json.Unmarshal(b, &sessions) != nil || len(sessions) != 1 || sessions[0].Turns != 2 || sessions[0].ID != "ctl" {
		t.Errorf("sessions %d %s", code, b)
	}
	code, b = call("GET", "/_parley/contexts?session=ctl", "")
	var cs []ContextInfo
	if code != 200 || json.Unmarshal(b, &cs) != nil || len(cs) != 2 || cs[0].Name != sess+"/contexts/__system_counters__" ||
		cs[1].Name != sess+"/contexts/awaiting_optin" || cs[1].Parameters["order_number"] != "48213" {
		t.Errorf("contexts %d %s", code, b)
	}
	if code, b := call("POST", "/_parley/faults", `{"kind":"RESOURCE_EXHAUSTED","count":1}`); code != 204 {
		t.Fatalf("fault %d %s", code, b)
	}
	if code, _ := post(t, s.URL()+"/v2/"+sess+":detectIntent", []byte(okBody), nil); code != 429 {
		t.Errorf("with quota fault: HTTP %d", code)
	}
	if code, _ := call("POST", "/_parley/faults", `{"kind":"UNAVAILABLE"}`); code != 204 {
		t.Fatal("fault")
	}
	if code, _ := call("DELETE", "/_parley/faults", ""); code != 204 {
		t.Fatal("clear fault")
	}
	if code, _ := post(t, s.URL()+"/v2/"+sess+":detectIntent", []byte(okBody), nil); code != 200 {
		t.Errorf("after clearing the fault: HTTP %d", code)
	}
	if code, b := call("POST", "/_parley/faults", `{"delay":"1ms"}`); code != 204 {
		t.Errorf("latency %d %s", code, b)
	}
	if code, _ := call("POST", "/_parley/faults", `{"delay":"soon"}`); code != 400 {
		t.Errorf("bad latency accepted")
	}
	if code, _ := call("POST", "/_parley/reset", ""); code != 204 {
		t.Fatal("reset")
	}
	if len(must(s.Sessions(testCtx(t)))) != 0 {
		t.Error("sessions after reset")
	}
	code, b = call("GET", "/_parley/journal?after=1", "")
	if code != 200 {
		t.Fatalf("journal %d", code)
	}
	var page journal.Page
	err := json.Unmarshal(b, &page)
	if evs := page.Events; err != nil || len(evs) != j.Len()-1 || evs[0].Seq != 2 || page.Last != evs[len(evs)-1].Seq {
		t.Errorf("journal export: %d events, last %d, %v", len(evs), page.Last, err)
	}
}

func TestAuthAccepted(t *testing.T) {
	s := RunT(t, WithRequireAuth())
	sess := "projects/parley-demo/agent/sessions/auth"
	code, b := post(t, s.URL()+"/v2/"+sess+":detectIntent", []byte(okBody), map[string]string{"Authorization": "Bearer ya29.token"})
	if code != 200 {
		t.Errorf("REST with a token: %d %s", code, b)
	}
	conn, err := grpc.NewClient(s.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := metadata.AppendToOutgoingContext(testCtx(t), "authorization", "Bearer ya29.token")
	if _, err := dialogflowpb.NewSessionsClient(conn).DetectIntent(ctx, textReq(sess, "hola", "es")); err != nil {
		t.Errorf("gRPC with a token: %v", err)
	}
	if _, err := dialogflowpb.NewContextsClient(conn).ListContexts(testCtx(t), &dialogflowpb.ListContextsRequest{Parent: sess}); status.Code(err) != codes.Unauthenticated {
		t.Errorf("gRPC contexts without a token: %v", err)
	}
}

func TestV2beta1OfficialClient(t *testing.T) {
	s := RunT(t)
	ctx := testCtx(t)
	c, err := dialogflowb1.NewSessionsClient(ctx, grpcOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r, err := c.DetectIntent(ctx, &b1pb.DetectIntentRequest{
		Session:    "projects/parley-demo/agent/sessions/b1",
		QueryInput: &b1pb.QueryInput{Input: &b1pb.QueryInput_Text{Text: &b1pb.TextInput{Text: "quiero darme de baja", LanguageCode: "es"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.GetQueryResult().GetIntent().GetDisplayName() != "optout" {
		t.Errorf("v2beta1 → %q", r.GetQueryResult().GetIntent().GetDisplayName())
	}
}

func TestUnmodelledGRPC(t *testing.T) {
	j := journal.New(nil)
	s := RunT(t, WithJournal(j))
	conn, err := grpc.NewClient(s.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = dialogflowpb.NewIntentsClient(conn).ListIntents(testCtx(t), &dialogflowpb.ListIntentsRequest{Parent: "projects/parley-demo/agent"})
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("ListIntents: %v", err)
	}
	_, err = dialogflowpb.NewAgentsClient(conn).TrainAgent(testCtx(t), &dialogflowpb.TrainAgentRequest{Parent: "projects/parley-demo"})
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("TrainAgent: %v", err)
	}
	if n := len(j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindUnmodelled })); n != 2 {
		t.Errorf("%d unmodelled events, want 2: %v", n, kinds(j))
	}
}

func TestVariantsSeeded(t *testing.T) {
	replies := func(seed int64) []string {
		s := RunT(t, WithSeed(seed))
		var out []string
		for i := 0; i < 12; i++ {
			out = append(out, detectDirect(t, s, "projects/parley-demo/agent/sessions/v", "gracias", "es").GetFulfillmentText())
		}
		return out
	}
	a, b, c := replies(3), replies(3), replies(4)
	if strings.Join(a, "|") != strings.Join(b, "|") {
		t.Errorf("same seed, different replies:\n%v\n%v", a, b)
	}
	if strings.Join(a, "|") == strings.Join(c, "|") {
		t.Errorf("different seeds, same 12 replies: %v", a)
	}
	distinct := map[string]bool{}
	for _, r := range a {
		distinct[r] = true
	}
	if len(distinct) < 2 {
		t.Errorf("only one variant of three ever chosen: %v", a)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
