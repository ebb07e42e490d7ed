package dialogflow

import (
	"fmt"
	"regexp"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The real service's errors, with the texts observed in the wild (research note §1.6). Where no real
// text is known the message is marked "inferred" in the package doc.
const (
	maxTextChars = 256      // "Input text exceeds 256 characters."
	maxIDChars   = 36       // session and user ids (session.proto)
	maxBodyBytes = 10 << 20 // REST request bodies; Google's front end refuses larger ones
)

func errTextTooLong() error {
	return status.Error(codes.InvalidArgument, fmt.Sprintf("Input text exceeds %d characters.", maxTextChars))
}

func errTextNotSet() error { return status.Error(codes.InvalidArgument, "Input text not set.") }

func errQueryInputNotSet() error {
	return status.Error(codes.InvalidArgument, "Query input not set.")
}

func errLanguageNotSet() error {
	return status.Error(codes.InvalidArgument, "Language code not set.")
}

func errSessionPath(name, pattern string) error {
	return status.Error(codes.InvalidArgument, fmt.Sprintf("Resource name '%s' does not match '%s'.", name, pattern))
}

func errIDTooLong(what, id string) error {
	return status.Error(codes.InvalidArgument,
		fmt.Sprintf("%s ID '%s' is longer than %d characters.", what, id, maxIDChars))
}

func errNoAgent(project string) error {
	return status.Error(codes.NotFound, fmt.Sprintf(
		"com.google.apps.framework.request.NotFoundException: No DesignTimeAgent found for project '%s'.", project))
}

func errContextNotFound(name string) error {
	return status.Error(codes.NotFound, fmt.Sprintf("Context '%s' not found.", name))
}

func errUnmodelled(method, path string) error {
	return status.Error(codes.NotFound, fmt.Sprintf(
		"%s %s is not modelled by parley's mock Dialogflow.", method, path))
}

func errBodyTooLarge() error {
	return status.Error(codes.InvalidArgument, fmt.Sprintf("Request payload size exceeds the limit: %d bytes.", maxBodyBytes))
}

// Quota is the text of the real RESOURCE_EXHAUSTED answer for text queries.
const quotaMessage = "Quota exceeded for quota metric 'Dialogflow Trial Edition text query operations' and limit " +
	"'Dialogflow Trial Edition text query operations per minute' of service 'dialogflow.googleapis.com' for consumer 'project_number:0'."

var reUnknownField = regexp.MustCompile(`unknown field "([^"]+)"`)

// errInvalidJSON turns a protojson decoding error into the message Google's front end gives for a body it
// cannot map onto the request message.
func errInvalidJSON(err error) error {
	if m := reUnknownField.FindStringSubmatch(err.Error()); m != nil {
		return status.Error(codes.InvalidArgument,
			fmt.Sprintf("Invalid JSON payload received. Unknown name %q: Cannot find field.", m[1]))
	}
	msg := err.Error()
	if i := strings.Index(msg, "): "); i >= 0 {
		msg = msg[i+3:]
	}
	msg = strings.TrimPrefix(msg, "proto: ")
	return status.Error(codes.InvalidArgument, "Invalid JSON payload received. "+msg)
}
