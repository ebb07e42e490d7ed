package reference

import (
	"cloud.google.com/go/dialogflow/apiv2/dialogflowpb"
	"cloud.google.com/go/dlp/apiv2/dlppb"

	"github.com/parley-dev/parley/internal/protowarm"
)

// WarmUp builds the protobuf encoding tables of the assistant's calls to DLP and Dialogflow, which a
// fresh process would otherwise build during a customer's first turn. `parley bot` calls it once as it
// starts, while it waits for the mocks.
func WarmUp() {
	protowarm.Messages(&dlppb.DeidentifyContentRequest{}, &dlppb.DeidentifyContentResponse{},
		&dialogflowpb.DetectIntentRequest{}, &dialogflowpb.DetectIntentResponse{},
		&dialogflowpb.DeleteAllContextsRequest{})
}
