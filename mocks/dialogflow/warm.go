package dialogflow

import (
	"cloud.google.com/go/dialogflow/apiv2/dialogflowpb"
	b1pb "cloud.google.com/go/dialogflow/apiv2beta1/dialogflowpb"
	cxpb "cloud.google.com/go/dialogflow/cx/apiv3/cxpb"

	"github.com/parley-dev/parley/internal/protowarm"
)

// WarmUp builds the protobuf encoding tables of the calls a turn makes (DetectIntent in ES v2, v2beta1
// and CX v3, and the contexts of ES), which a fresh process would otherwise build during its first call.
// A server process calls it once as it starts, beside its listeners.
func WarmUp() {
	protowarm.Messages(&dialogflowpb.DetectIntentRequest{}, &dialogflowpb.DetectIntentResponse{},
		&dialogflowpb.ListContextsResponse{}, &dialogflowpb.DeleteAllContextsRequest{},
		&b1pb.DetectIntentRequest{}, &b1pb.DetectIntentResponse{},
		&cxpb.DetectIntentRequest{}, &cxpb.DetectIntentResponse{})
}
