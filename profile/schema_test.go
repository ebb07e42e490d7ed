package profile

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestSchemaMatchesStruct keeps docs/profile.schema.json in step with Profile: every field of the
// struct (by its json name, which its yaml name must equal) is a property of the schema and every
// property a field, object by object, with additionalProperties false; the enums are the ones Validate
// accepts.
func TestSchemaMatchesStruct(t *testing.T) {
	b, err := os.ReadFile("../docs/profile.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatalf("docs/profile.schema.json: %v", err)
	}
	compareObject(t, "$", schema, reflect.TypeOf(Profile{}))

	props := schema["properties"].(map[string]any)
	enum := func(path ...string) []string {
		var s any = props
		for _, p := range path {
			s = s.(map[string]any)[p]
		}
		var out []string
		for _, v := range s.(map[string]any)["enum"].([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	items := func(name string) map[string]any { return props[name].(map[string]any)["items"].(map[string]any) }
	checks := []struct {
		name      string
		got, want []string
	}{
		{"languages", enumOf(items("languages")), Languages},
		{"hooks", enumOf(items("hooks")), Hooks},
		{"data_requests", enum("capabilities", "properties", "data_requests"), []string{DataRequestsChat, DataRequestsLink, DataRequestsNone}},
		{"region", enum("privacy", "properties", "region"), []string{"EU", "any"}},
	}
	for _, c := range checks {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("schema's %s enum %q, want %q", c.name, c.got, c.want)
		}
	}
	if v := props["version"].(map[string]any)["const"]; v != Version {
		t.Errorf("schema's version %v, want %q", v, Version)
	}
}

func enumOf(s map[string]any) []string {
	var out []string
	for _, v := range s["enum"].([]any) {
		out = append(out, v.(string))
	}
	return out
}

func compareObject(t *testing.T, at string, s map[string]any, typ reflect.Type) {
	t.Helper()
	if s["type"] != "object" || s["additionalProperties"] != false {
		t.Errorf("%s: want an object with additionalProperties false", at)
	}
	props, _ := s["properties"].(map[string]any)
	var fields []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if y, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); y != name {
			t.Errorf("%s.%s: json name %q, yaml name %q: they must be equal", at, f.Name, name, y)
		}
		fields = append(fields, name)
		ps, ok := props[name].(map[string]any)
		if !ok {
			t.Errorf("%s: the schema lacks field %q", at, name)
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Slice {
			ft = ft.Elem()
			if ft.Kind() == reflect.Struct {
				is, _ := ps["items"].(map[string]any)
				compareObject(t, fmt.Sprintf("%s.%s[]", at, name), is, ft)
			}
			continue
		}
		if ft.Kind() == reflect.Struct {
			compareObject(t, at+"."+name, ps, ft)
		}
	}
	var extra []string
	for k := range props {
		if !slices.Contains(fields, k) {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("%s: the schema has %q, which %s does not", at, extra, typ.Name())
	}
	required, _ := s["required"].([]any)
	for _, r := range required {
		if !slices.Contains(fields, r.(string)) {
			t.Errorf("%s: required %q is not a field", at, r)
		}
	}
}
