// Command quaybot is the WhatsApp assistant of Quay Coffee, written as a vendor writes one and shipped as
// an image FROM scratch: its WhatsApp half is a published Graph API client (github.com/piusalfred/whatsapp,
// whose base URL is its constant https://graph.facebook.com), its Google half the official Dialogflow and
// Cloud DLP clients created with no option at all (dialogflow.googleapis.com:443 and dlp.googleapis.com:443,
// credentials from GOOGLE_APPLICATION_CREDENTIALS). Nothing in it can be pointed elsewhere: parley's tests
// certify it with --as-production, unchanged.
//
// What it does: at start it reads its business phone number (GET /{phone-number-id}?fields=verified_name);
// it verifies the webhook (hub.challenge) and every delivery's signature; each text is de-identified by
// Cloud DLP, sent to Dialogflow ES, and the fulfillment text is the reply, after marking the message
// read. It says nothing else: no greeting that tells an assistant answers, no privacy notice.
package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	dialogflow "cloud.google.com/go/dialogflow/apiv2"
	"cloud.google.com/go/dialogflow/apiv2/dialogflowpb"
	dlp "cloud.google.com/go/dlp/apiv2"
	"cloud.google.com/go/dlp/apiv2/dlppb"
	"github.com/piusalfred/whatsapp"
	"github.com/piusalfred/whatsapp/config"
	"github.com/piusalfred/whatsapp/message"
	"github.com/piusalfred/whatsapp/phonenumber"
	whttp "github.com/piusalfred/whatsapp/pkg/http"
	"github.com/piusalfred/whatsapp/webhooks"
)

func main() {
	ctx := context.Background()
	conf := &config.Config{
		BaseURL: whatsapp.BaseURL, APIVersion: "v24.0",
		AccessToken: os.Getenv("WHATSAPP_TOKEN"), PhoneNumberID: os.Getenv("WHATSAPP_PHONE_NUMBER_ID"),
		AppSecret: os.Getenv("WHATSAPP_APP_SECRET"),
	}
	project := os.Getenv("DIALOGFLOW_PROJECT")
	read := config.ReaderFunc(func(context.Context) (*config.Config, error) { return conf, nil })

	numbers, err := phonenumber.NewBaseClient(read, &phonenumber.BaseSender{Sender: whttp.NewAnySender()})
	if err != nil {
		log.Fatal(err)
	}
	number, err := numbers.Get(ctx, &phonenumber.GetRequest{Fields: []string{"verified_name"}})
	if err != nil {
		log.Fatalf("quaybot: reading the business phone number: %v", err)
	}
	log.Printf("quaybot: answering for %s", number.VerifiedName)

	msgs, err := message.NewBaseClient(whttp.NewSender[message.Message](), read)
	if err != nil {
		log.Fatal(err)
	}
	sessions, err := dialogflow.NewSessionsClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	scrubber, err := dlp.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}

	h := webhooks.NewHandler()
	h.OnTextMessage(func(_ context.Context, _ *webhooks.MessageNotificationContext, info *webhooks.MessageInfo, text *webhooks.Text) error {
		// The answer is sent after the delivery is acknowledged, as Meta asks of webhooks.
		go answer(msgs, sessions, scrubber, project, info, text.Body)
		return nil
	})
	l := webhooks.NewListener(h, webhooks.ConfigReaderFunc(func(*http.Request) (*webhooks.Config, error) {
		return &webhooks.Config{Token: os.Getenv("WHATSAPP_VERIFY_TOKEN"), Validate: true, AppSecret: conf.AppSecret}, nil
	}))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /webhook", l.HandleSubscriptionVerification)
	mux.HandleFunc("POST /webhook", l.HandleNotification)
	log.Fatal(http.ListenAndServe(":"+os.Getenv("PORT"), mux))
}

func answer(msgs *message.BaseClient, sessions *dialogflow.SessionsClient, scrubber *dlp.Client, project string, info *webhooks.MessageInfo, text string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := msgs.UpdateStatus(ctx, &message.StatusUpdateRequest{MessageID: info.MessageID, Status: message.StatusRead}); err != nil {
		log.Printf("quaybot: mark as read: %v", err)
	}
	clean, err := scrubber.DeidentifyContent(ctx, &dlppb.DeidentifyContentRequest{
		Parent:        "projects/" + project,
		InspectConfig: &dlppb.InspectConfig{InfoTypes: []*dlppb.InfoType{{Name: "EMAIL_ADDRESS"}, {Name: "PHONE_NUMBER"}}},
		DeidentifyConfig: &dlppb.DeidentifyConfig{Transformation: &dlppb.DeidentifyConfig_InfoTypeTransformations{
			InfoTypeTransformations: &dlppb.InfoTypeTransformations{Transformations: []*dlppb.InfoTypeTransformations_InfoTypeTransformation{{
				PrimitiveTransformation: &dlppb.PrimitiveTransformation{Transformation: &dlppb.PrimitiveTransformation_ReplaceWithInfoTypeConfig{
					ReplaceWithInfoTypeConfig: &dlppb.ReplaceWithInfoTypeConfig{}}}}}}}},
		Item: &dlppb.ContentItem{DataItem: &dlppb.ContentItem_Value{Value: text}},
	})
	if err != nil {
		log.Printf("quaybot: DLP: %v", err)
		return
	}
	resp, err := sessions.DetectIntent(ctx, &dialogflowpb.DetectIntentRequest{
		Session: fmt.Sprintf("projects/%s/agent/sessions/%s", project, info.From),
		QueryInput: &dialogflowpb.QueryInput{Input: &dialogflowpb.QueryInput_Text{
			Text: &dialogflowpb.TextInput{Text: clean.GetItem().GetValue(), LanguageCode: "es"}}},
	})
	if err != nil {
		log.Printf("quaybot: Dialogflow: %v", err)
		return
	}
	reply := resp.GetQueryResult().GetFulfillmentText()
	if reply == "" {
		return
	}
	if _, err := msgs.SendText(ctx, message.NewRequest(info.From, &message.Text{Body: reply})); err != nil {
		log.Printf("quaybot: send: %v", err)
	}
}
