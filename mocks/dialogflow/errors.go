package dialogflow

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// The real service's errors, with the texts quoted in public bug reports. Where no real text is known the
// message is marked "inferred" in the package doc.
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
// cannot map onto the request message: `Invalid JSON payload received. Unknown name "x" at
// 'query_input.text': Cannot find field.` (the location only for nested fields). body and md, when
// given, are used to find where the unknown field is.
func errInvalidJSON(err error, body []byte, md protoreflect.MessageDescriptor) error {
	if m := reUnknownField.FindStringSubmatch(err.Error()); m != nil {
		at := ""
		if md != nil {
			var v any
			if json.Unmarshal(body, &v) == nil {
				if name, path, ok := findUnknown(v, md, ""); ok && name == m[1] && path != "" {
					at = fmt.Sprintf(" at '%s'", path)
				}
			}
		}
		return status.Error(codes.InvalidArgument,
			fmt.Sprintf("Invalid JSON payload received. Unknown name %q%s: Cannot find field.", m[1], at))
	}
	msg := err.Error()
	if i := strings.Index(msg, "): "); i >= 0 {
		msg = msg[i+3:]
	}
	msg = strings.TrimPrefix(msg, "proto: ")
	return status.Error(codes.InvalidArgument, "Invalid JSON payload received. "+msg)
}

// findUnknown walks a decoded JSON value against a message descriptor and returns the first field name
// the message does not have, with the proto path of the object holding it ("query_params.contexts[0]").
func findUnknown(v any, md protoreflect.MessageDescriptor, path string) (string, string, bool) {
	obj, ok := v.(map[string]any)
	if !ok {
		return "", "", false
	}
	switch md.FullName() {
	case "google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue", "google.protobuf.Any":
		return "", "", false // free-form on the wire
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fd := md.Fields().ByJSONName(k)
		if fd == nil {
			fd = md.Fields().ByName(protoreflect.Name(k))
		}
		if fd == nil {
			return k, path, true
		}
		sub := string(fd.Name())
		if path != "" {
			sub = path + "." + sub
		}
		switch {
		case fd.IsMap():
			if fd.MapValue().Kind() == protoreflect.MessageKind {
				if m, ok := obj[k].(map[string]any); ok {
					for mk, mv := range m {
						if n, p, ok := findUnknown(mv, fd.MapValue().Message(), sub+"["+mk+"]"); ok {
							return n, p, true
						}
					}
				}
			}
		case fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind:
			if fd.IsList() {
				if arr, ok := obj[k].([]any); ok {
					for i, e := range arr {
						if n, p, ok := findUnknown(e, fd.Message(), fmt.Sprintf("%s[%d]", sub, i)); ok {
							return n, p, true
						}
					}
				}
				continue
			}
			if n, p, ok := findUnknown(obj[k], fd.Message(), sub); ok {
				return n, p, true
			}
		}
	}
	return "", "", false
}
