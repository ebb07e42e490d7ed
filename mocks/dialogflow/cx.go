package dialogflow

import (
	"context"
	"strings"

	"cloud.google.com/go/dialogflow/cx/apiv3/cxpb"
	"github.com/parley-dev/parley/internal/gcp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// CX v3 detectIntent, answered from the same ES agent for any location and agent id of the project: the
// intents match as in ES, the session keeps CX session parameters (every parameter ever filled, plus
// queryParams.parameters), and the flow is always the Default Start Flow's start page. Flows, pages,
// forms, route groups and CX webhooks are not modelled.

const startFlow = "00000000-0000-0000-0000-000000000000"

type cxSessions struct {
	cxpb.UnimplementedSessionsServer
	s *Server
}

func (g cxSessions) DetectIntent(ctx context.Context, req *cxpb.DetectIntentRequest) (*cxpb.DetectIntentResponse, error) {
	return g.s.detectCX(ctx, "grpc", req)
}

func (s *Server) restDetectCX(rc restCall, session string) {
	ref, _ := parseCXSession(session)
	if ref.path == "" {
		ref.path = session
	}
	if s.cfg.requireAuth && !bearer(rc.r) {
		_, err := s.reject(rc.r.Context(), detectInput{api: "cx", transport: "rest", ref: withID(ref)}, gcp.Unauthenticated)
		rc.fail(err)
		return
	}
	req := &cxpb.DetectIntentRequest{}
	if err := rc.decode(req); err != nil {
		_, err = s.reject(rc.r.Context(), detectInput{api: "cx", transport: "rest", ref: withID(ref)}, err)
		rc.fail(err)
		return
	}
	req.Session = session
	resp, err := s.detectCX(rc.r.Context(), "rest", req)
	if err != nil {
		rc.fail(err)
		return
	}
	rc.write(resp)
}

func (s *Server) detectCX(ctx context.Context, transport string, req *cxpb.DetectIntentRequest) (*cxpb.DetectIntentResponse, error) {
	in := detectInput{api: "cx", transport: transport}
	ref, err := parseCXSession(req.GetSession())
	in.ref = ref
	if err != nil {
		in.ref.path, in.ref.id = req.GetSession(), lastSegment(req.GetSession())
		_, err = s.reject(ctx, in, err)
		return nil, err
	}
	qi := req.GetQueryInput()
	in.lang = qi.GetLanguageCode()
	switch {
	case qi.GetText() != nil:
		in.hasText, in.text = true, qi.GetText().GetText()
	case qi.GetEvent() != nil:
		in.event = qi.GetEvent().GetEvent()
		if in.event == "" {
			_, err = s.reject(ctx, in, status.Error(codes.InvalidArgument, "Event name not set."))
			return nil, err
		}
	case qi.GetIntent() != nil:
		name := qi.GetIntent().GetIntent()
		id := lastSegment(name)
		for _, it := range s.agent.Intents {
			if it.ID == id {
				in.directIntent = it
			}
		}
		if in.directIntent == nil || !strings.HasPrefix(name, ref.agentPath()+"/intents/") {
			_, err = s.reject(ctx, in, status.Errorf(codes.NotFound, "Intent '%s' not found.", name))
			return nil, err
		}
	case qi.GetAudio() != nil, qi.GetDtmf() != nil:
		s.journalUnmodelledGRPC("CX DetectIntent with audio or DTMF input")
		_, err = s.reject(ctx, in, status.Error(codes.Unimplemented, "parley: audio and DTMF input are not modelled by the mock Dialogflow."))
		return nil, err
	}
	qp := req.GetQueryParams()
	in.timeZone, in.disableWebhook = qp.GetTimeZone(), qp.GetDisableWebhook()
	in.cxParams = qp.GetParameters().AsMap()
	in.payload, in.webhookHeaders = qp.GetPayload(), qp.GetWebhookHeaders()
	if s.cx != nil {
		resp, _, err := s.detectCXFlow(ctx, in)
		return resp, err
	}
	t, err := s.detect(ctx, in)
	if err != nil {
		return nil, err
	}
	return s.cxResponse(in, t), nil
}

func (s *Server) cxResponse(in detectInput, t *turn) *cxpb.DetectIntentResponse {
	agent := in.ref.agentPath()
	qr := &cxpb.QueryResult{
		LanguageCode: in.lang,
		CurrentPage: &cxpb.Page{
			Name:        agent + "/flows/" + startFlow + "/pages/START_PAGE",
			DisplayName: "Start Page",
		},
	}
	switch {
	case in.hasText:
		qr.Query = &cxpb.QueryResult_Text{Text: in.text}
	case in.event != "":
		qr.Query = &cxpb.QueryResult_TriggerEvent{TriggerEvent: in.event}
	case in.directIntent != nil:
		qr.Query = &cxpb.QueryResult_TriggerIntent{TriggerIntent: agent + "/intents/" + in.directIntent.ID}
	}
	if len(t.sessionParams) > 0 {
		qr.Parameters = mustStruct(t.sessionParams)
	}
	for _, m := range t.resp.GetQueryResult().GetFulfillmentMessages() {
		if txt := m.GetText(); txt != nil {
			qr.ResponseMessages = append(qr.ResponseMessages, &cxpb.ResponseMessage{
				Message: &cxpb.ResponseMessage_Text_{Text: &cxpb.ResponseMessage_Text{Text: txt.GetText()}},
			})
		}
	}
	match := &cxpb.Match{ResolvedInput: in.text}
	matched := map[string]any{}
	for k, v := range t.params {
		if v != "" {
			matched[k] = v
		}
	}
	switch {
	case t.fallback || t.intent == nil:
		match.MatchType = cxpb.Match_NO_MATCH
		match.Event = "sys.no-match-default"
		if in.event != "" {
			match.Event = in.event
		}
	default:
		match.Intent = &cxpb.Intent{Name: agent + "/intents/" + t.intent.ID, DisplayName: t.intent.DisplayName}
		match.Confidence = float32(t.confidence)
		//lint:ignore SA1019 deprecated in session.proto, still emitted by the real service
		qr.Intent = match.Intent
		//lint:ignore SA1019 as above
		qr.IntentDetectionConfidence = float32(t.confidence)
		switch {
		case in.directIntent != nil:
			match.MatchType = cxpb.Match_DIRECT_INTENT
		case in.event != "":
			match.MatchType, match.Event = cxpb.Match_EVENT, in.event
		default:
			match.MatchType = cxpb.Match_INTENT
		}
		if len(matched) > 0 {
			match.Parameters = mustStruct(matched)
		}
	}
	qr.Match = match
	return &cxpb.DetectIntentResponse{
		ResponseId:   t.resp.GetResponseId(),
		QueryResult:  qr,
		ResponseType: cxpb.DetectIntentResponse_FINAL,
	}
}
