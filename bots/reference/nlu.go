package reference

import (
	"context"
	"errors"
	"fmt"
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

// nluResult is what the assistant takes from a detectIntent answer.
type nluResult struct {
	Intent     string
	Reply      string
	Confidence float32
	Fallback   bool
	Params     map[string]any
}

// nlu is the assistant's view of Dialogflow and DLP. The production implementation is googleNLU; unit
// tests substitute a fake so the conversation logic is tested without the mocks.
type nlu interface {
	deidentify(ctx context.Context, text string) (result string, findings int, err error)
	detectIntent(ctx context.Context, session, text, lang string) (nluResult, error)
	deleteContexts(ctx context.Context, session string) error
	close() error
}

// The infoTypes the assistant asks DLP to replace before text reaches Dialogflow: DLP's names for the
// identifiers package pii finds, and names and addresses, which pii does not model.
var deidentifyInfoTypes = []string{
	"EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD_NUMBER", "IBAN_CODE", "SPAIN_DNI_NUMBER", "SPAIN_NIE_NUMBER",
	"SPAIN_NIF_NUMBER", "SPAIN_SOCIAL_SECURITY_NUMBER", "SPAIN_PASSPORT", "PERSON_NAME", "STREET_ADDRESS",
}

// The parts of every DeidentifyContent request that never change, built once. Requests share them: the
// client only reads (marshals) a request, which protobuf messages allow concurrently.
var (
	deidentifyConfig = &dlppb.DeidentifyConfig{
		Transformation: &dlppb.DeidentifyConfig_InfoTypeTransformations{
			InfoTypeTransformations: &dlppb.InfoTypeTransformations{
				Transformations: []*dlppb.InfoTypeTransformations_InfoTypeTransformation{{
					PrimitiveTransformation: &dlppb.PrimitiveTransformation{
						Transformation: &dlppb.PrimitiveTransformation_ReplaceWithInfoTypeConfig{
							ReplaceWithInfoTypeConfig: &dlppb.ReplaceWithInfoTypeConfig{},
						},
					},
				}},
			},
		},
	}
	deidentifyInspectConfig = func() *dlppb.InspectConfig {
		var types []*dlppb.InfoType
		for _, t := range deidentifyInfoTypes {
			types = append(types, &dlppb.InfoType{Name: t})
		}
		return &dlppb.InspectConfig{InfoTypes: types, MinLikelihood: dlppb.Likelihood_POSSIBLE}
	}()
)

type googleNLU struct {
	sessions *dialogflow.SessionsClient
	contexts *dialogflow.ContextsClient
	dlp      *dlp.Client
	project  string

	dlpParent string // projects/{project}/locations/europe-west1

	dlpTimeout, dfTimeout time.Duration
}

// clientOptions points an official client at endpoint: a URL means REST, host:port means gRPC without
// TLS (the mocks); a googleapis.com host keeps the default credentials and TLS (the real service).
func clientOptions(endpoint string) (rest bool, opts []option.ClientOption) {
	rest = strings.HasPrefix(endpoint, "http://") || strings.HasPrefix(endpoint, "https://")
	opts = append(opts, option.WithEndpoint(endpoint))
	if strings.Contains(endpoint, "googleapis.com") {
		return rest, opts
	}
	opts = append(opts, option.WithoutAuthentication())
	if !rest {
		opts = append(opts, option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	}
	return rest, opts
}

func newGoogleNLU(ctx context.Context, cfg Config, timeout time.Duration) (*googleNLU, error) {
	g := &googleNLU{project: cfg.DialogflowProject, dlpTimeout: defaultDLPTimeout, dfTimeout: defaultDialogflowTimeout,
		dlpParent: "projects/" + cfg.DialogflowProject + "/locations/europe-west1"}
	if timeout > 0 {
		g.dlpTimeout, g.dfTimeout = timeout, timeout
	}
	rest, opts := clientOptions(cfg.DialogflowEndpoint)
	var err error
	if rest {
		g.sessions, err = dialogflow.NewSessionsRESTClient(ctx, opts...)
	} else {
		g.sessions, err = dialogflow.NewSessionsClient(ctx, opts...)
	}
	if err != nil {
		return nil, fmt.Errorf("dialogflow sessions client for %s: %w", cfg.DialogflowEndpoint, err)
	}
	if rest {
		g.contexts, err = dialogflow.NewContextsRESTClient(ctx, opts...)
	} else {
		g.contexts, err = dialogflow.NewContextsClient(ctx, opts...)
	}
	if err != nil {
		g.close()
		return nil, fmt.Errorf("dialogflow contexts client for %s: %w", cfg.DialogflowEndpoint, err)
	}
	rest, opts = clientOptions(cfg.DLPEndpoint)
	if rest {
		g.dlp, err = dlp.NewRESTClient(ctx, opts...)
	} else {
		g.dlp, err = dlp.NewClient(ctx, opts...)
	}
	if err != nil {
		g.close()
		return nil, fmt.Errorf("DLP client for %s: %w", cfg.DLPEndpoint, err)
	}
	return g, nil
}

// Per-call deadlines: the official clients retry UNAVAILABLE for minutes by default, which would hold a
// customer's lane (and every later message of that customer) hostage to an outage.
const (
	defaultDLPTimeout        = 5 * time.Second
	defaultDialogflowTimeout = 10 * time.Second
)

func (g *googleNLU) deidentify(ctx context.Context, text string) (string, int, error) {
	ctx, cancel := context.WithTimeout(ctx, g.dlpTimeout)
	defer cancel()
	resp, err := g.dlp.DeidentifyContent(ctx, &dlppb.DeidentifyContentRequest{
		Parent:           g.dlpParent,
		DeidentifyConfig: deidentifyConfig,
		InspectConfig:    deidentifyInspectConfig,
		Item:             &dlppb.ContentItem{DataItem: &dlppb.ContentItem_Value{Value: text}},
	})
	if err != nil {
		return "", 0, fmt.Errorf("DLP deidentify: %w", err)
	}
	findings := 0
	for _, s := range resp.GetOverview().GetTransformationSummaries() {
		for _, r := range s.GetResults() {
			findings += int(r.GetCount())
		}
	}
	return resp.GetItem().GetValue(), findings, nil
}

func (g *googleNLU) detectIntent(ctx context.Context, session, text, lang string) (nluResult, error) {
	ctx, cancel := context.WithTimeout(ctx, g.dfTimeout)
	defer cancel()
	resp, err := g.sessions.DetectIntent(ctx, &dialogflowpb.DetectIntentRequest{
		Session: session,
		QueryInput: &dialogflowpb.QueryInput{Input: &dialogflowpb.QueryInput_Text{
			Text: &dialogflowpb.TextInput{Text: text, LanguageCode: lang},
		}},
	})
	if err != nil {
		return nluResult{}, fmt.Errorf("dialogflow detectIntent: %w", err)
	}
	qr := resp.GetQueryResult()
	res := nluResult{
		Intent:     qr.GetIntent().GetDisplayName(),
		Reply:      qr.GetFulfillmentText(),
		Confidence: qr.GetIntentDetectionConfidence(),
		Fallback:   qr.GetIntent().GetIsFallback(),
	}
	if p := qr.GetParameters(); p != nil {
		res.Params = p.AsMap()
	}
	return res, nil
}

func (g *googleNLU) deleteContexts(ctx context.Context, session string) error {
	ctx, cancel := context.WithTimeout(ctx, g.dfTimeout)
	defer cancel()
	if err := g.contexts.DeleteAllContexts(ctx, &dialogflowpb.DeleteAllContextsRequest{Parent: session}); err != nil {
		return fmt.Errorf("dialogflow DeleteAllContexts: %w", err)
	}
	return nil
}

func (g *googleNLU) close() error {
	var errs []error
	if g.sessions != nil {
		errs = append(errs, g.sessions.Close())
	}
	if g.contexts != nil {
		errs = append(errs, g.contexts.Close())
	}
	if g.dlp != nil {
		errs = append(errs, g.dlp.Close())
	}
	return errors.Join(errs...)
}
