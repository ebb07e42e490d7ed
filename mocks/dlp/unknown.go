package dlp

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// jsonProblems walks a decoded JSON value against md and names every field the message does not have and
// every scalar of the wrong type, the way Google's front end reports them: one sentence per problem, with
// the path in proto field names ('deidentify_config.info_type_transformations.transformations[0]'):
//
//	Invalid JSON payload received. Unknown name "foo" at 'inspect_config': Cannot find field.
//	Invalid value at 'inspect_config.min_likelihood' (type.googleapis.com/google.privacy.dlp.v2.Likelihood), "PROBABLY"
//	Invalid value at 'item.value' (TYPE_STRING), 12
//
// Keys are visited in sorted order so the message is stable.
func jsonProblems(md protoreflect.MessageDescriptor, v any, path string) []string {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	if strings.HasPrefix(string(md.FullName()), "google.protobuf.") {
		return nil // well-known types have their own JSON forms
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		fd := md.Fields().ByJSONName(k)
		if fd == nil {
			fd = md.Fields().ByTextName(k)
		}
		if fd == nil {
			at := ""
			if path != "" {
				at = fmt.Sprintf(" at '%s'", path)
			}
			out = append(out, fmt.Sprintf("Invalid JSON payload received. Unknown name %q%s: Cannot find field.", k, at))
			continue
		}
		child := string(fd.Name())
		if path != "" {
			child = path + "." + child
		}
		if fd.IsMap() {
			continue
		}
		if fd.Kind() != protoreflect.MessageKind && fd.Kind() != protoreflect.GroupKind {
			if fd.IsList() {
				if list, ok := obj[k].([]any); ok {
					for i, e := range list {
						out = append(out, invalidScalar(fd, e, fmt.Sprintf("%s[%d]", child, i))...)
					}
				}
				continue
			}
			out = append(out, invalidScalar(fd, obj[k], child)...)
			continue
		}
		if fd.IsList() {
			if list, ok := obj[k].([]any); ok {
				for i, e := range list {
					out = append(out, jsonProblems(fd.Message(), e, fmt.Sprintf("%s[%d]", child, i))...)
				}
			}
			continue
		}
		out = append(out, jsonProblems(fd.Message(), obj[k], child)...)
	}
	return out
}

// invalidScalar checks one JSON scalar against a non-message field.
func invalidScalar(fd protoreflect.FieldDescriptor, v any, path string) []string {
	if v == nil {
		return nil // null means the default value
	}
	bad := func(typ string) []string {
		b, _ := json.Marshal(v)
		return []string{fmt.Sprintf("Invalid value at '%s' (%s), %s", path, typ, b)}
	}
	switch fd.Kind() {
	case protoreflect.EnumKind:
		typ := "type.googleapis.com/" + string(fd.Enum().FullName())
		switch x := v.(type) {
		case string:
			if fd.Enum().Values().ByName(protoreflect.Name(x)) == nil {
				return bad(typ)
			}
		case json.Number:
			if _, err := strconv.ParseInt(string(x), 10, 32); err != nil {
				return bad(typ)
			}
		default:
			return bad(typ)
		}
	case protoreflect.StringKind:
		if _, ok := v.(string); !ok {
			return bad("TYPE_STRING")
		}
	case protoreflect.BytesKind:
		if _, ok := v.(string); !ok {
			return bad("TYPE_BYTES")
		}
	case protoreflect.BoolKind:
		if _, ok := v.(bool); !ok {
			return bad("TYPE_BOOL")
		}
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		if !integer(v, 32) {
			return bad("TYPE_INT32")
		}
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		if !integer(v, 64) {
			return bad("TYPE_INT64")
		}
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		if !integer(v, 64) {
			return bad("TYPE_UINT64")
		}
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		switch x := v.(type) {
		case json.Number:
		case string:
			if _, err := strconv.ParseFloat(x, 64); err != nil && x != "NaN" && x != "Infinity" && x != "-Infinity" {
				return bad("TYPE_DOUBLE")
			}
		default:
			return bad("TYPE_DOUBLE")
		}
	}
	return nil
}

// integer accepts a JSON number or a quoted decimal, as protojson does for 64-bit fields.
func integer(v any, bits int) bool {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = string(x)
	case string:
		s = x
	default:
		return false
	}
	if _, err := strconv.ParseInt(s, 10, bits); err == nil {
		return true
	}
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && f == float64(int64(f))
}
