package dialogflow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"cloud.google.com/go/dialogflow/apiv2/dialogflowpb"
	"github.com/parley-dev/parley/journal"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"
)

// Fulfillment (https://cloud.google.com/dialogflow/es/docs/fulfillment-webhook): for an intent with
// webhookUsed, the service POSTs a WebhookRequest to the fulfillment URL and merges the WebhookResponse.
// A failing webhook never fails detectIntent: the call answers 200 with webhookStatus set to the
// failure, and the intent's static responses (googleapis/java-dialogflow#59). Limits: 5 s
// (WithWebhookTimeout), response body ≤ 64 KiB.
//
// The export's agent.json webhook.url is never called: it names the vendor's production backend, which a
// test must not reach. Only the URL given with WithFulfillmentURL is. When the export has a webhook and
// none was given, the intent answers as when its webhook cannot be reached, and the journal says why.

const maxWebhookResponse = 64 << 10

// webhookConfigured reports whether intents with webhookUsed go through fulfillment: a URL was given, or
// the export has an enabled webhook (then the call fails, as it would had the webhook been unreachable).
func (s *Server) webhookConfigured() bool {
	return s.cfg.fulfillmentURL != "" || s.agent.WebhookURL != ""
}

// fulfill calls the webhook for t and returns the turn as the webhook changed it. It runs with no lock
// held: the webhook may be slow or call back into the mock.
func (s *Server) fulfill(ctx context.Context, in *detectInput, t *turn) (*turn, error) {
	req := &dialogflowpb.WebhookRequest{
		Session:     in.ref.path,
		ResponseId:  t.resp.GetResponseId(),
		QueryResult: t.resp.GetQueryResult(),
		OriginalDetectIntentRequest: &dialogflowpb.OriginalDetectIntentRequest{
			Payload: in.payload,
		},
	}
	data := journal.FulfillmentData{API: "es", Session: in.ref.path, SessionID: in.ref.id, Intent: t.intent.DisplayName}
	var (
		wr      *dialogflowpb.WebhookResponse
		st      *status.Status
		latency time.Duration
	)
	if s.cfg.fulfillmentURL == "" {
		data.Error = fmt.Sprintf("not called: no fulfilment webhook given (--agent-webhook); the export's URL %q is not called; answered as a failed webhook", s.agent.WebhookURL)
		st = &status.Status{Code: int32(codes.Unavailable), Message: "Webhook call failed. Error: UNAVAILABLE, parley: no fulfillment URL is configured."}
	} else {
		data.URL, data.Called = s.cfg.fulfillmentURL, true
		start := time.Now()
		wr, data.HTTP, st = s.callWebhook(ctx, req, in.webhookHeaders)
		latency = time.Since(start)
		data.LatencyMS = latency.Milliseconds()
		if st.GetCode() != 0 {
			data.Error = st.GetMessage()
		}
	}
	s.journal.Record(journal.SourceDialogflow, journal.KindFulfillment, in.ref.id, data)
	t.resp.WebhookStatus = st
	qr := t.resp.GetQueryResult()
	diag := map[string]any{"webhook_latency_ms": float64(latency.Milliseconds())}
	if qr.GetDiagnosticInfo() != nil {
		for k, v := range qr.GetDiagnosticInfo().AsMap() {
			diag[k] = v
		}
	}
	qr.DiagnosticInfo = mustStruct(diag)
	if wr == nil {
		return t, nil
	}
	if ev := wr.GetFollowupEventInput(); ev != nil && ev.GetName() != "" {
		// "followupEventInput triggers an event and ignores text/messages/payload" (webhook.proto).
		next := *in
		next.hasText, next.text, next.event = false, "", ev.GetName()
		next.contexts, next.resetContexts = nil, false
		if ev.GetLanguageCode() != "" {
			if l, ok := s.resolveLanguage(ev.GetLanguageCode()); ok {
				next.lang = l
			}
		}
		nt, err := s.detectTurn(ctx, &next, 1)
		if err != nil {
			return t, nil
		}
		nt.resp.WebhookStatus = st
		nt.resp.ResponseId = t.resp.GetResponseId()
		nt.resp.GetQueryResult().DiagnosticInfo = qr.DiagnosticInfo
		nt.resp.GetQueryResult().QueryText = qr.GetQueryText()
		return nt, nil
	}
	if len(wr.GetFulfillmentMessages()) > 0 {
		qr.FulfillmentMessages = wr.GetFulfillmentMessages()
		qr.FulfillmentText = ""
		for _, m := range wr.GetFulfillmentMessages() {
			if txt := m.GetText().GetText(); len(txt) > 0 {
				qr.FulfillmentText = txt[0]
				break
			}
		}
	}
	if wr.GetFulfillmentText() != "" {
		qr.FulfillmentText = wr.GetFulfillmentText()
		if len(wr.GetFulfillmentMessages()) == 0 {
			qr.FulfillmentMessages = []*dialogflowpb.Intent_Message{{
				Message: &dialogflowpb.Intent_Message_Text_{Text: &dialogflowpb.Intent_Message_Text{Text: []string{wr.GetFulfillmentText()}}},
			}}
		}
	}
	t.reply = qr.GetFulfillmentText()
	qr.WebhookSource = wr.GetSource()
	qr.WebhookPayload = wr.GetPayload()
	if ocs := wr.GetOutputContexts(); len(ocs) > 0 {
		// The webhook's output contexts overwrite the session's (webhook.proto).
		s.mu.Lock()
		ss := s.sessionLocked(in.ref)
		var first []string
		for _, c := range ocs {
			id, ok := contextID(c.GetName())
			if !ok {
				continue
			}
			if c.GetLifespanCount() <= 0 {
				delete(ss.contexts, id)
				continue
			}
			ss.contexts[id] = &liveContext{lifespan: int(c.GetLifespanCount()), params: c.GetParameters().AsMap()}
			first = append(first, id)
		}
		qr.OutputContexts = ss.outputContextsLocked(first)
		s.mu.Unlock()
	}
	return t, nil
}

// refuseRedirect makes the fulfilment client return a 3xx as the webhook's answer, a failed call with
// the text of any other non-2xx status, instead of following it: the request carries the conversation
// and the vendor's headers, and the fulfilment URL is the only host the run chose to send them to.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// callWebhook POSTs req and returns the parsed response, or nil and the webhookStatus of the failure,
// with the texts the real service uses ("Webhook call failed. Error: …"), and the webhook's HTTP status
// (0 when none came).
func (s *Server) callWebhook(ctx context.Context, req *dialogflowpb.WebhookRequest, headers map[string]string) (*dialogflowpb.WebhookResponse, int, *status.Status) {
	body, err := protojson.Marshal(req)
	if err != nil {
		return nil, 0, &status.Status{Code: int32(codes.Internal), Message: "Webhook call failed. Error: INTERNAL."}
	}
	cctx, cancel := context.WithTimeout(ctx, s.cfg.webhookTimeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(cctx, http.MethodPost, s.cfg.fulfillmentURL, bytes.NewReader(body))
	if err != nil {
		return nil, 0, &status.Status{Code: int32(codes.Unavailable), Message: "Webhook call failed. Error: UNAVAILABLE."}
	}
	hr.Header.Set("Content-Type", "application/json; charset=UTF-8")
	for k, v := range headers {
		hr.Header.Set(k, v)
	}
	resp, err := s.hc.Do(hr)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(cctx.Err(), context.DeadlineExceeded) {
			return nil, 0, &status.Status{Code: int32(codes.DeadlineExceeded), Message: "Webhook call failed. Error: DEADLINE_EXCEEDED."}
		}
		return nil, 0, &status.Status{Code: int32(codes.Unavailable), Message: "Webhook call failed. Error: UNAVAILABLE."}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxWebhookResponse+1))
	if err != nil {
		if errors.Is(cctx.Err(), context.DeadlineExceeded) {
			return nil, resp.StatusCode, &status.Status{Code: int32(codes.DeadlineExceeded), Message: "Webhook call failed. Error: DEADLINE_EXCEEDED."}
		}
		return nil, resp.StatusCode, &status.Status{Code: int32(codes.Unavailable), Message: "Webhook call failed. Error: UNAVAILABLE."}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, resp.StatusCode, &status.Status{Code: int32(codes.Internal),
			Message: fmt.Sprintf("Webhook call failed. Error: %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))}
	}
	if len(raw) > maxWebhookResponse {
		return nil, resp.StatusCode, &status.Status{Code: int32(codes.InvalidArgument),
			Message: fmt.Sprintf("Webhook call failed. Error: Webhook response exceeds %d bytes.", maxWebhookResponse)}
	}
	wr := &dialogflowpb.WebhookResponse{}
	if err := protojson.Unmarshal(raw, wr); err != nil {
		return nil, resp.StatusCode, &status.Status{Code: int32(codes.InvalidArgument),
			Message: "Webhook call failed. Error: Failed to parse webhook JSON response: " + parseErrorText(err) + "."}
	}
	return wr, resp.StatusCode, &status.Status{Message: webhookOKStatus}
}

func parseErrorText(err error) string {
	st := errInvalidJSON(err, nil, nil)
	msg := st.Error()
	const prefix = "Invalid JSON payload received. "
	if i := bytes.Index([]byte(msg), []byte(prefix)); i >= 0 {
		return msg[i+len(prefix):]
	}
	return msg
}
