package dialogflow

import (
	"context"
	"testing"

	dialogflow "cloud.google.com/go/dialogflow/apiv2"
	"go.uber.org/goleak"
)

// TestCloseWithClientsConnected: Close ends the server's goroutines (listener, connections, gRPC stream
// workers) while the official gRPC and REST clients still hold connections to it.
func TestCloseWithClientsConnected(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	s, err := NewServer()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	g, err := dialogflow.NewSessionsClient(ctx, grpcOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	r, err := dialogflow.NewSessionsRESTClient(ctx, restOpts(s)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*dialogflow.SessionsClient{g, r} {
		if _, err := c.DetectIntent(ctx, textReq("projects/parley-demo/agent/sessions/close", "hola", "es")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	g.Close()
	r.Close()
}
