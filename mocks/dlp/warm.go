package dlp

import (
	"cloud.google.com/go/dlp/apiv2/dlppb"

	"github.com/parley-dev/parley/internal/protowarm"
)

// WarmUp builds the protobuf encoding tables of the calls the mock serves, which a fresh process would
// otherwise build during its first call (a few milliseconds: a DLP request's types nest about ninety others).
// A server process calls it once as it starts, beside its listeners.
func WarmUp() {
	protowarm.Messages(&dlppb.DeidentifyContentRequest{}, &dlppb.DeidentifyContentResponse{},
		&dlppb.InspectContentRequest{}, &dlppb.InspectContentResponse{})
}
