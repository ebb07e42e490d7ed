package dialogflow_test

import (
	"context"
	"fmt"

	dfapi "cloud.google.com/go/dialogflow/apiv2"
	"cloud.google.com/go/dialogflow/apiv2/dialogflowpb"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// An assistant's Dialogflow client pointed at the mock: the official gRPC client, no credentials.
func ExampleNewServer() {
	j := journal.New(nil)
	s, err := dialogflow.NewServer(dialogflow.WithJournal(j))
	if err != nil {
		panic(err)
	}
	defer s.Close()

	ctx := context.Background()
	c, err := dfapi.NewSessionsClient(ctx,
		option.WithEndpoint(s.Addr()), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		panic(err)
	}
	defer c.Close()

	resp, err := c.DetectIntent(ctx, &dialogflowpb.DetectIntentRequest{
		Session: "projects/parley-demo/agent/sessions/34600000001",
		QueryInput: &dialogflowpb.QueryInput{Input: &dialogflowpb.QueryInput_Text{
			Text: &dialogflowpb.TextInput{Text: "¿dónde está mi pedido 12345?", LanguageCode: "es"}}},
	})
	if err != nil {
		panic(err)
	}
	qr := resp.GetQueryResult()
	fmt.Println(qr.GetIntent().GetDisplayName(), qr.GetIntentDetectionConfidence(),
		qr.GetParameters().GetFields()["order_number"].GetStringValue())

	var d journal.DetectIntentData
	_ = j.Events()[0].Decode(&d)
	fmt.Println(j.Events()[0].Kind, d.Transport, d.SessionID, d.Intent)
	// Output:
	// order.status 1 12345
	// detect_intent grpc 34600000001 order.status
}

// The control surface: make the next query fail as if the quota were exhausted.
func ExampleServer_InjectFault() {
	s, err := dialogflow.NewServer()
	if err != nil {
		panic(err)
	}
	defer s.Close()
	if err := s.InjectFault(context.Background(), control.Fault{Kind: "RESOURCE_EXHAUSTED", Count: 1}); err != nil {
		panic(err)
	}
	fmt.Println("armed")
	// Output: armed
}
