package dlp

import (
	"fmt"
	"sort"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// unknownFields walks a decoded JSON value against md and names every field the message does not have,
// the way Google's front end reports them: one sentence per field, with the path of the enclosing object in
// proto field names ('deidentify_config.info_type_transformations.transformations[0]'). Keys are visited
// in sorted order so the message is stable.
func unknownFields(md protoreflect.MessageDescriptor, v any, path string) []string {
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
		if fd.Kind() != protoreflect.MessageKind && fd.Kind() != protoreflect.GroupKind || fd.IsMap() {
			continue
		}
		child := string(fd.Name())
		if path != "" {
			child = path + "." + child
		}
		if fd.IsList() {
			if list, ok := obj[k].([]any); ok {
				for i, e := range list {
					out = append(out, unknownFields(fd.Message(), e, fmt.Sprintf("%s[%d]", child, i))...)
				}
			}
			continue
		}
		out = append(out, unknownFields(fd.Message(), obj[k], child)...)
	}
	return out
}
