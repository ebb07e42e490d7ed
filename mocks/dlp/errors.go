package dlp

import (
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// MaxRequestBytes is the default request size limit of the content methods: 0.5 MB
// (https://cloud.google.com/sensitive-data-protection/limits, "Default request size limit").
const MaxRequestBytes = 512 * 1024

// The front end's words for an oversize request, as other Google APIs answer it; the DLP limits page
// gives the limit but not the message.
var errTooLarge = status.Errorf(codes.InvalidArgument, "Request payload size exceeds the limit: %d bytes.", MaxRequestBytes)

// The default messages of injected faults: what Google's front end says for each code.
var faultMessages = map[codes.Code]string{
	codes.ResourceExhausted: "Quota exceeded for quota metric 'Number of requests' and limit 'Number of requests per " +
		"minute' of service 'dlp.googleapis.com'.",
	codes.Unavailable:      "The service is currently unavailable.",
	codes.DeadlineExceeded: "Deadline exceeded.",
	codes.Internal:         "Internal error encountered.",
	codes.PermissionDenied: "Permission 'serviceusage.services.use' denied on resource.",
	codes.Unauthenticated: "Request had invalid authentication credentials. Expected OAuth 2 access token, login " +
		"cookie or other valid authentication credential.",
}

// unmodelledError is a request the real service would serve but the mock does not model. It answers
// UNIMPLEMENTED and is journalled as unmodelled, which fails the scenario: a silent wrong answer would be
// worse.
type unmodelledError struct{ what string }

func errUnmodelled(what string) error { return &unmodelledError{what} }

func (e *unmodelledError) Error() string { return "parley's DLP mock does not model " + e.what }

// GRPCStatus makes the error a gRPC status for both transports.
func (e *unmodelledError) GRPCStatus() *status.Status {
	return status.New(codes.Unimplemented, e.Error()+".")
}

// MaxFindingsPerRequest is the most findings content:inspect returns: InspectConfig.limits
// .max_findings_per_request may lower it, never raise it ("the value that you set or 3,000, whichever is
// lower", the FindingLimits reference). Beyond it the result says findings_truncated.
const MaxFindingsPerRequest = 3000
