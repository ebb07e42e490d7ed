package dialogflow

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/dialogflow/apiv2/dialogflowpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
)

// fulfillment is a webhook for tests: it records the request it got and answers with respond.
func fulfillment(t *testing.T, respond func(w http.ResponseWriter, r *http.Request, req *dialogflowpb.WebhookRequest)) (string, <-chan *dialogflowpb.WebhookRequest) {
	t.Helper()
	got := make(chan *dialogflowpb.WebhookRequest, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		req := &dialogflowpb.WebhookRequest{}
		if err := protojson.Unmarshal(b, req); err != nil {
			t.Errorf("webhook request is not a WebhookRequest: %v: %s", err, b)
		}
		if r.Header.Get("X-Tenant") != "" {
			req.OriginalDetectIntentRequest.Source = r.Header.Get("X-Tenant") // carry the header to the test
		}
		got <- req
		respond(w, r, req)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, got
}

func TestWebhook(t *testing.T) {
	for _, tc := range []struct {
		name       string
		respond    func(w http.ResponseWriter, r *http.Request, req *dialogflowpb.WebhookRequest)
		timeout    time.Duration
		wantCode   codes.Code
		wantStatus string
		wantReply  string // substring
		wantIntent string
	}{
		{"success overrides the reply and sets contexts", func(w http.ResponseWriter, _ *http.Request, req *dialogflowpb.WebhookRequest) {
			n := req.GetQueryResult().GetParameters().GetFields()["order_number"].GetStringValue()
			_, _ = io.WriteString(w, `{"fulfillmentText":"Tu pedido `+n+` sale hoy.","source":"tienda","payload":{"k":"v"},
				"outputContexts":[{"name":"`+req.GetSession()+`/contexts/order_followup","lifespanCount":3,"parameters":{"order":"`+n+`"}}]}`)
		}, 0, codes.OK, "Webhook execution successful", "Tu pedido 12345 sale hoy.", "order.status"},
		{"HTTP 500", func(w http.ResponseWriter, _ *http.Request, _ *dialogflowpb.WebhookRequest) {
			w.WriteHeader(500)
		}, 0, codes.Internal, "Webhook call failed. Error: 500 Internal Server Error", "Voy a consultar tu pedido 12345", "order.status"},
		{"not JSON", func(w http.ResponseWriter, _ *http.Request, _ *dialogflowpb.WebhookRequest) {
			_, _ = io.WriteString(w, "<br />Fatal error")
		}, 0, codes.InvalidArgument, "Webhook call failed. Error: Failed to parse webhook JSON response", "Voy a consultar", "order.status"},
		{"too slow", func(w http.ResponseWriter, r *http.Request, _ *dialogflowpb.WebhookRequest) {
			<-r.Context().Done() // answers only when the mock gives up
		}, 50 * time.Millisecond, codes.DeadlineExceeded, "Webhook call failed. Error: DEADLINE_EXCEEDED.", "Voy a consultar", "order.status"},
		{"followup event", func(w http.ResponseWriter, _ *http.Request, _ *dialogflowpb.WebhookRequest) {
			_, _ = io.WriteString(w, `{"followupEventInput":{"name":"WELCOME","languageCode":"es"}}`)
		}, 0, codes.OK, "Webhook execution successful", "", "welcome"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, got := fulfillment(t, tc.respond)
			opts := []Option{WithFulfillmentURL(url)}
			if tc.timeout > 0 {
				opts = append(opts, WithWebhookTimeout(tc.timeout))
			}
			s := RunT(t, opts...)
			sess := "projects/parley-demo/agent/sessions/wh"
			c := newClients(t, s)["rest"]
			req := textReq(sess, "¿dónde está mi pedido 12345?", "es")
			req.QueryParams = &dialogflowpb.QueryParameters{
				Payload:        &structpb.Struct{Fields: map[string]*structpb.Value{"wa_id": structpb.NewStringValue("34600000001")}},
				WebhookHeaders: map[string]string{"X-Tenant": "tienda"},
			}
			resp, err := c.detect(testCtx(t), req)
			if err != nil {
				t.Fatalf("a webhook failure must not fail detectIntent: %v", err)
			}
			wr := <-got
			if wr.GetSession() != sess || wr.GetQueryResult().GetIntent().GetDisplayName() != "order.status" ||
				wr.GetOriginalDetectIntentRequest().GetPayload().GetFields()["wa_id"].GetStringValue() != "34600000001" ||
				wr.GetResponseId() != resp.GetResponseId() || wr.GetOriginalDetectIntentRequest().GetSource() != "tienda" {
				t.Errorf("webhook request %v", wr)
			}
			st := resp.GetWebhookStatus()
			if codes.Code(st.GetCode()) != tc.wantCode || !strings.HasPrefix(st.GetMessage(), tc.wantStatus) {
				t.Errorf("webhookStatus %v, want %v %q", st, tc.wantCode, tc.wantStatus)
			}
			qr := resp.GetQueryResult()
			if !strings.Contains(qr.GetFulfillmentText(), tc.wantReply) || qr.GetIntent().GetDisplayName() != tc.wantIntent {
				t.Errorf("reply %q intent %q", qr.GetFulfillmentText(), qr.GetIntent().GetDisplayName())
			}
			if _, ok := qr.GetDiagnosticInfo().GetFields()["webhook_latency_ms"]; !ok {
				t.Errorf("diagnosticInfo %v", qr.GetDiagnosticInfo())
			}
			if tc.name == "success overrides the reply and sets contexts" {
				if qr.GetWebhookSource() != "tienda" || qr.GetWebhookPayload().GetFields()["k"].GetStringValue() != "v" {
					t.Errorf("webhookSource/payload %q %v", qr.GetWebhookSource(), qr.GetWebhookPayload())
				}
				if contextNames(qr.GetOutputContexts())["order_followup"] != 3 {
					t.Errorf("webhook output contexts %v", contextNames(qr.GetOutputContexts()))
				}
				if cs := must(s.Contexts(testCtx(t), "wh")); len(cs) < 2 {
					t.Errorf("session contexts %+v", cs)
				}
			}
		})
	}
}

func TestNoWebhookWithoutWebhookUsed(t *testing.T) {
	url, got := fulfillment(t, func(w http.ResponseWriter, _ *http.Request, _ *dialogflowpb.WebhookRequest) {
		_, _ = io.WriteString(w, `{}`)
	})
	s := RunT(t, WithFulfillmentURL(url))
	tr, err := s.detectES(testCtx(t), "grpc", "projects/parley-demo/agent/sessions/x", textReq("projects/parley-demo/agent/sessions/x", "gracias", "es"))
	if err != nil {
		t.Fatal(err)
	}
	if tr.resp.GetWebhookStatus() != nil {
		t.Errorf("webhookStatus on an intent without webhookUsed: %v", tr.resp.GetWebhookStatus())
	}
	select {
	case r := <-got:
		t.Errorf("webhook called: %v", r)
	default:
	}
	b, _ := json.Marshal(tr.params)
	if string(b) != "{}" {
		t.Errorf("thanks has no parameters, got %s", b)
	}
}
