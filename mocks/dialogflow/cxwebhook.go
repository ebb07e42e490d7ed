package dialogflow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"github.com/parley-dev/parley/journal"
	rpcstatus "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// CX fulfillment webhooks (https://cloud.google.com/dialogflow/cx/docs/concept/webhook). The URL in the
// export's webhooks/*.json is never called: a test must not reach a vendor's real backend. Only a
// fulfillment URL given to the server (WithFulfillmentURL) receives the cx/v3 WebhookRequest, with the
// export's webhook timeout (5 s when it sets none). A failure raises webhook.error.timeout (timeout),
// webhook.error.not-found (nothing listening) or webhook.error, handled by the most specific handler in
// scope, else by webhook.error; with no handler the fulfillment's static messages and the route's target
// stand. Without a fulfillment URL the call fails the same way as webhook.error. Every call, made or not,
// is a fulfillment.call journal event saying why.

// webhook calls the fulfillment's webhook and merges its answer; it returns the target the webhook or the
// handler of its failure names.
func (t *cxTurn) webhook(f *cxFulfillment) *cxTarget {
	data := journal.FulfillmentData{API: "cx", Session: t.in.ref.path, SessionID: t.in.ref.id,
		Webhook: f.webhook.name, Tag: f.tag}
	url := t.s.cfg.fulfillmentURL
	var (
		wr    *cxpb.WebhookResponse
		event string
		st    *rpcstatus.Status
	)
	switch {
	case t.in.disableWebhook:
		data.Error = "not called: the query set queryParams.disableWebhook"
		t.s.journal.Record(journal.SourceDialogflow, journal.KindFulfillment, t.in.ref.id, data)
		return nil
	case url == "":
		data.Error = fmt.Sprintf("not called: no fulfilment webhook given (--agent-webhook); the export's webhook %q (%s) is not called; answered as a failed webhook", f.webhook.name, f.webhook.uri)
		event = "webhook.error"
		st = &rpcstatus.Status{Code: int32(codes.Unavailable), Message: "Webhook call failed. Error: UNAVAILABLE, parley: no fulfillment URL is configured."}
	default:
		data.URL, data.Called = url, true
		start := time.Now()
		var httpStatus int
		wr, httpStatus, event, st = t.post(url, f)
		data.HTTP, data.LatencyMS = httpStatus, time.Since(start).Milliseconds()
		if st.GetCode() != 0 {
			data.Error = st.GetMessage()
		}
	}
	t.statuses = append(t.statuses, st)
	t.s.journal.Record(journal.SourceDialogflow, journal.KindFulfillment, t.in.ref.id, data)
	if wr == nil {
		return t.webhookFailed(event)
	}
	return t.merge(wr)
}

// webhookFailed runs the handler of a webhook error, the most specific event first.
func (t *cxTurn) webhookFailed(event string) *cxTarget {
	for _, e := range []string{event, "webhook.error"} {
		if h, _ := t.handler(e); h != nil {
			// A handler of webhook errors may not call a webhook itself (EventHandler.trigger_fulfillment);
			// the loader keeps it, so the call here could recurse only through a second failure, which
			// the transition bound stops.
			if redirect := t.fulfill(h.fulfill, cxpb.ResponseMessage_HANDLER_PROMPT); redirect != nil {
				return redirect
			}
			if !h.target.none() {
				tg := h.target
				return &tg
			}
			return nil
		}
	}
	return nil
}

// post sends the WebhookRequest and reads the WebhookResponse, or says how the call failed: the event to
// raise and the webhook status (texts shaped on the real service's "Webhook call failed. Error: …",
// whose exact wording for each failure is not published; inferred).
func (t *cxTurn) post(url string, f *cxFulfillment) (*cxpb.WebhookResponse, int, string, *rpcstatus.Status) {
	body, err := protojson.Marshal(t.webhookRequest(f))
	if err != nil {
		return nil, 0, "webhook.error", &rpcstatus.Status{Code: int32(codes.Internal), Message: "Webhook call failed. Error: INTERNAL."}
	}
	ctx, cancel := context.WithTimeout(t.ctx, f.webhook.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, 0, "webhook.error", &rpcstatus.Status{Code: int32(codes.Unavailable), Message: "Webhook call failed. Error: UNAVAILABLE."}
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	for k, v := range t.in.webhookHeaders {
		req.Header.Set(k, v)
	}
	resp, err := t.s.hc.Do(req)
	if err != nil {
		var op *net.OpError
		switch {
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			return nil, 0, "webhook.error.timeout", &rpcstatus.Status{Code: int32(codes.DeadlineExceeded),
				Message: "Webhook call failed. Error: DEADLINE_EXCEEDED, State: URL_TIMEOUT, Reason: TIMEOUT_WEB."}
		case errors.As(err, &op) && op.Op == "dial":
			return nil, 0, "webhook.error.not-found", &rpcstatus.Status{Code: int32(codes.Unavailable),
				Message: "Webhook call failed. Error: UNAVAILABLE, State: URL_UNREACHABLE, Reason: UNREACHABLE_NO_RESPONSE."}
		}
		return nil, 0, "webhook.error", &rpcstatus.Status{Code: int32(codes.Unavailable), Message: "Webhook call failed. Error: UNAVAILABLE."}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxWebhookResponse+1))
	switch {
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, resp.StatusCode, "webhook.error.timeout", &rpcstatus.Status{Code: int32(codes.DeadlineExceeded),
			Message: "Webhook call failed. Error: DEADLINE_EXCEEDED, State: URL_TIMEOUT, Reason: TIMEOUT_WEB."}
	case err != nil:
		return nil, resp.StatusCode, "webhook.error", &rpcstatus.Status{Code: int32(codes.Unavailable), Message: "Webhook call failed. Error: UNAVAILABLE."}
	case resp.StatusCode == http.StatusNotFound:
		return nil, resp.StatusCode, "webhook.error.not-found", &rpcstatus.Status{Code: int32(codes.NotFound),
			Message: "Webhook call failed. Error: NOT_FOUND, State: URL_ERROR, Reason: ERROR_404, HTTP status code: 404."}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, resp.StatusCode, "webhook.error", &rpcstatus.Status{Code: int32(codes.Unavailable),
			Message: fmt.Sprintf("Webhook call failed. Error: UNAVAILABLE, State: URL_ERROR, HTTP status code: %d.", resp.StatusCode)}
	case len(raw) > maxWebhookResponse:
		return nil, resp.StatusCode, "webhook.error", &rpcstatus.Status{Code: int32(codes.InvalidArgument),
			Message: fmt.Sprintf("Webhook call failed. Error: Webhook response exceeds %d bytes.", maxWebhookResponse)}
	}
	wr := &cxpb.WebhookResponse{}
	if err := protojson.Unmarshal(raw, wr); err != nil {
		return nil, resp.StatusCode, "webhook.error", &rpcstatus.Status{Code: int32(codes.InvalidArgument),
			Message: "Webhook call failed. Error: Failed to parse webhook JSON response: " + parseErrorText(err) + "."}
	}
	return wr, resp.StatusCode, "", &rpcstatus.Status{}
}

func (t *cxTurn) webhookRequest(f *cxFulfillment) *cxpb.WebhookRequest {
	agent := t.in.ref.agentPath()
	req := &cxpb.WebhookRequest{
		DetectIntentResponseId: t.responseID,
		LanguageCode:           t.in.lang,
		FulfillmentInfo:        &cxpb.WebhookRequest_FulfillmentInfo{Tag: f.tag},
		PageInfo:               t.pageInfo(),
		SessionInfo:            &cxpb.SessionInfo{Session: t.in.ref.path, Parameters: structOrNil(t.params).GetFields()},
		Messages:               t.msgs,
		Payload:                t.in.payload,
	}
	switch {
	case t.in.hasText:
		req.Query = &cxpb.WebhookRequest_Text{Text: t.in.text}
	case t.in.event != "":
		req.Query = &cxpb.WebhookRequest_TriggerEvent{TriggerEvent: t.in.event}
	case t.in.directIntent != nil:
		req.Query = &cxpb.WebhookRequest_TriggerIntent{TriggerIntent: agent + "/intents/" + t.in.directIntent.ID}
	}
	if in := t.match.GetIntent(); in != nil {
		ii := &cxpb.WebhookRequest_IntentInfo{LastMatchedIntent: in.GetName(), DisplayName: in.GetDisplayName(),
			Confidence: t.match.GetConfidence(), Parameters: map[string]*cxpb.WebhookRequest_IntentInfo_IntentParameterValue{}}
		for k, v := range t.intentParams {
			pv := &cxpb.WebhookRequest_IntentInfo_IntentParameterValue{OriginalValue: t.originals[k]}
			if sv, err := structValue(v); err == nil {
				pv.ResolvedValue = sv
			}
			ii.Parameters[k] = pv
		}
		req.IntentInfo = ii
	}
	return req
}

func (t *cxTurn) pageInfo() *cxpb.PageInfo {
	p := t.pagePB()
	pi := &cxpb.PageInfo{CurrentPage: p.GetName(), DisplayName: p.GetDisplayName()}
	if form := t.st.page.form; len(form) > 0 {
		fi := &cxpb.PageInfo_FormInfo{}
		for _, fp := range form {
			info := &cxpb.PageInfo_FormInfo_ParameterInfo{DisplayName: fp.name, Required: fp.required,
				State: cxpb.PageInfo_FormInfo_ParameterInfo_EMPTY}
			if v := t.st.form[fp.name]; v != nil {
				info.State = cxpb.PageInfo_FormInfo_ParameterInfo_FILLED
				if sv, err := structValue(v); err == nil {
					info.Value = sv
				}
			}
			fi.ParameterInfo = append(fi.ParameterInfo, info)
		}
		pi.FormInfo = fi
	}
	return pi
}

// merge applies a WebhookResponse: its messages (appended, or replacing this query's so far), session
// and form parameters (null removes), payload, and target.
func (t *cxTurn) merge(wr *cxpb.WebhookResponse) *cxTarget {
	if fr := wr.GetFulfillmentResponse(); fr != nil {
		if fr.GetMergeBehavior() == cxpb.WebhookResponse_FulfillmentResponse_REPLACE {
			t.msgs, t.variants = nil, nil
		}
		for _, m := range fr.GetMessages() {
			out := m
			if out.GetResponseType() == cxpb.ResponseMessage_RESPONSE_TYPE_UNSPECIFIED {
				out = cloneMessage(m)
				out.ResponseType = cxpb.ResponseMessage_HANDLER_PROMPT
			}
			t.msgs = append(t.msgs, out)
			t.variants = append(t.variants, m.GetText().GetText())
		}
	}
	for k, v := range wr.GetSessionInfo().GetParameters() {
		t.setParam(k, v.AsInterface())
	}
	for _, pi := range wr.GetPageInfo().GetFormInfo().GetParameterInfo() {
		if pi.GetValue() != nil {
			t.setParam(pi.GetDisplayName(), pi.GetValue().AsInterface())
		}
	}
	if wr.GetPayload() != nil {
		t.payloads = append(t.payloads, wr.GetPayload())
	}
	switch {
	case wr.GetTargetFlow() != "":
		for _, fl := range t.a.Flows {
			if fl.ID == lastSegment(wr.GetTargetFlow()) {
				return &cxTarget{flow: fl}
			}
		}
	case wr.GetTargetPage() != "":
		id := lastSegment(wr.GetTargetPage())
		if s, ok := symbolicPages[id]; ok {
			return &cxTarget{special: s}
		}
		for _, fl := range t.a.Flows {
			if strings.Contains(wr.GetTargetPage(), "/flows/"+fl.ID+"/") {
				for _, p := range fl.Pages {
					if p.ID == id {
						return &cxTarget{page: p}
					}
				}
			}
		}
	}
	return nil
}

func cloneMessage(m *cxpb.ResponseMessage) *cxpb.ResponseMessage {
	return proto.Clone(m).(*cxpb.ResponseMessage)
}

func structValue(v any) (*structpb.Value, error) { return structpb.NewValue(v) }
