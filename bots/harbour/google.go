package harbour

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	dialogflow "cloud.google.com/go/dialogflow/apiv2"
	"cloud.google.com/go/dialogflow/apiv2/dialogflowpb"
	dlp "cloud.google.com/go/dlp/apiv2"
	"cloud.google.com/go/dlp/apiv2/dlppb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// brain is what the assistant asks Google: de-identify a text (Cloud DLP), read its intent (Dialogflow ES),
// forget a session (DeleteAllContexts). Tests give a fake one.
type brain interface {
	scrub(ctx context.Context, text string) (clean string, found int, err error)
	intent(ctx context.Context, session, text, lang string) (string, error)
	forget(ctx context.Context, session string) error
	close() error
}

// google is the brain of the official clients, over gRPC or REST as the endpoints say.
type google struct {
	sessions *dialogflow.SessionsClient
	contexts *dialogflow.ContextsClient
	dlp      *dlp.Client
	parent   string // projects/{project}/locations/europe-west1: personal data stay in the EU
}

// dial connects the three clients. A URL endpoint means REST; host:port means gRPC, without TLS unless
// the host is Google's own.
func dial(ctx context.Context, s Settings) (*google, error) {
	g := &google{parent: "projects/" + s.Project + "/locations/europe-west1"}
	var err error
	df, rest := endpoint(s.Dialogflow)
	if rest {
		g.sessions, err = dialogflow.NewSessionsRESTClient(ctx, df...)
	} else {
		g.sessions, err = dialogflow.NewSessionsClient(ctx, df...)
	}
	if err == nil {
		if rest {
			g.contexts, err = dialogflow.NewContextsRESTClient(ctx, df...)
		} else {
			g.contexts, err = dialogflow.NewContextsClient(ctx, df...)
		}
	}
	if err != nil {
		g.close()
		return nil, fmt.Errorf("harbour: Dialogflow at %s: %w", s.Dialogflow, err)
	}
	d, rest := endpoint(s.DLP)
	if rest {
		g.dlp, err = dlp.NewRESTClient(ctx, d...)
	} else {
		g.dlp, err = dlp.NewClient(ctx, d...)
	}
	if err != nil {
		g.close()
		return nil, fmt.Errorf("harbour: Cloud DLP at %s: %w", s.DLP, err)
	}
	return g, nil
}

func endpoint(e string) ([]option.ClientOption, bool) {
	rest := strings.HasPrefix(e, "http://") || strings.HasPrefix(e, "https://")
	opts := []option.ClientOption{option.WithEndpoint(e)}
	if strings.Contains(e, "googleapis.com") {
		return opts, rest
	}
	opts = append(opts, option.WithoutAuthentication())
	if !rest {
		opts = append(opts, option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	}
	return opts, rest
}

// callTimeout bounds each Google call, so an outage delays one customer's answer, not forever.
const callTimeout = 8 * time.Second

// infoTypes are what DLP replaces before a text reaches Dialogflow. A name DLP does not know fails the
// whole request, and then nothing reaches Dialogflow: keep to names every DLP the assistant meets serves.
var infoTypes = []string{"PERSON_NAME", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD_NUMBER", "IBAN_CODE",
	"SPAIN_DNI_NUMBER", "SPAIN_NIE_NUMBER", "SPAIN_SOCIAL_SECURITY_NUMBER", "SPAIN_PASSPORT", "CVV_NUMBER",
	"STREET_ADDRESS"}

func (g *google) scrub(ctx context.Context, text string) (string, int, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	var types []*dlppb.InfoType
	for _, t := range infoTypes {
		types = append(types, &dlppb.InfoType{Name: t})
	}
	resp, err := g.dlp.DeidentifyContent(ctx, &dlppb.DeidentifyContentRequest{
		Parent:        g.parent,
		InspectConfig: &dlppb.InspectConfig{InfoTypes: types},
		DeidentifyConfig: &dlppb.DeidentifyConfig{Transformation: &dlppb.DeidentifyConfig_InfoTypeTransformations{
			InfoTypeTransformations: &dlppb.InfoTypeTransformations{Transformations: []*dlppb.InfoTypeTransformations_InfoTypeTransformation{{
				PrimitiveTransformation: &dlppb.PrimitiveTransformation{Transformation: &dlppb.PrimitiveTransformation_ReplaceWithInfoTypeConfig{
					ReplaceWithInfoTypeConfig: &dlppb.ReplaceWithInfoTypeConfig{}}},
			}}},
		}},
		Item: &dlppb.ContentItem{DataItem: &dlppb.ContentItem_Value{Value: text}},
	})
	if err != nil {
		return "", 0, fmt.Errorf("DLP: %w", err)
	}
	found := 0
	for _, s := range resp.GetOverview().GetTransformationSummaries() {
		for _, r := range s.GetResults() {
			found += int(r.GetCount())
		}
	}
	return resp.GetItem().GetValue(), found, nil
}

func (g *google) intent(ctx context.Context, session, text, lang string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	resp, err := g.sessions.DetectIntent(ctx, &dialogflowpb.DetectIntentRequest{
		Session: g.parent + "/agent/sessions/" + session,
		QueryInput: &dialogflowpb.QueryInput{Input: &dialogflowpb.QueryInput_Text{
			Text: &dialogflowpb.TextInput{Text: text, LanguageCode: lang}}},
	})
	if err != nil {
		return "", fmt.Errorf("Dialogflow: %w", err)
	}
	if resp.GetQueryResult().GetIntent().GetIsFallback() {
		return "", nil
	}
	return resp.GetQueryResult().GetIntent().GetDisplayName(), nil
}

func (g *google) forget(ctx context.Context, session string) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	err := g.contexts.DeleteAllContexts(ctx, &dialogflowpb.DeleteAllContextsRequest{Parent: g.parent + "/agent/sessions/" + session})
	if err != nil {
		return fmt.Errorf("Dialogflow DeleteAllContexts: %w", err)
	}
	return nil
}

func (g *google) close() error {
	var errs []error
	for _, c := range []interface{ Close() error }{g.sessions, g.contexts, g.dlp} {
		if c != nil && !isNilClient(c) {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

func isNilClient(c interface{ Close() error }) bool {
	switch v := c.(type) {
	case *dialogflow.SessionsClient:
		return v == nil
	case *dialogflow.ContextsClient:
		return v == nil
	case *dlp.Client:
		return v == nil
	}
	return false
}

// The agent's intents, as the demo agent names them, and what each means to the assistant.
var agentIntents = map[string]want{
	"dsr.access": wantAccess, "dsr.portability": wantPortability, "dsr.erasure": wantErasure,
	"dsr.rectification": wantRectify, "dsr.restriction": wantRestrict, "dsr.objection": wantObject,
	"human.handoff": wantPerson, "optout": wantOptOut, "optin.yes": wantYes, "optin.no": wantNo,
	"order.status": wantOrder, "privacy.question": wantPrivacy, "welcome": wantGreeting,
	"thanks": wantThanks, "goodbye": wantThanks,
}

// Identifiers DLP may have missed, masked again before Dialogflow: long digit runs (cards, accounts,
// phone numbers), Spanish DNI and NIE numbers, IBANs and e-mail addresses.
var leftovers = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){3,7}\b`),
	regexp.MustCompile(`(?i)\b[XYZ]?\d{7,8}[- ]?[A-Z]\b`),
	regexp.MustCompile(`\+?\d(?:[ .-]?\d){6,}`),
	regexp.MustCompile(`(?i)[\w.+-]+@[\w-]+\.[\w.-]+`),
}

// maskLeftovers replaces what leftovers find by [REDACTED], and reports how many it replaced.
func maskLeftovers(text string) (string, int) {
	n := 0
	for _, re := range leftovers {
		text = re.ReplaceAllStringFunc(text, func(string) string { n++; return "[REDACTED]" })
	}
	return text, n
}
