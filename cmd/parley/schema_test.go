package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// validateSchema checks doc against the subset of JSON Schema 2020-12 that docs/report.schema.json uses:
// type, const, enum, pattern, minimum, required, properties, additionalProperties (false or a schema),
// items and local $ref. Anything else in the schema is an error, so the schema cannot quietly use a
// keyword this check ignores.
func validateSchema(schema, doc []byte) []string {
	var root, v any
	if err := json.Unmarshal(schema, &root); err != nil {
		return []string{"schema: " + err.Error()}
	}
	if err := json.Unmarshal(doc, &v); err != nil {
		return []string{"document: " + err.Error()}
	}
	var errs []string
	check(root.(map[string]any), root.(map[string]any), v, "$", &errs)
	return errs
}

var schemaKeywords = []string{"$schema", "$id", "$defs", "title", "description", "type", "const", "enum", "pattern", "minimum",
	"required", "properties", "additionalProperties", "items", "$ref"}

func check(root, s map[string]any, v any, at string, errs *[]string) {
	fail := func(format string, args ...any) { *errs = append(*errs, at+": "+fmt.Sprintf(format, args...)) }
	for k := range s {
		if !slices.Contains(schemaKeywords, k) {
			fail("schema keyword %q is not supported by this check", k)
		}
	}
	if ref, ok := s["$ref"].(string); ok {
		name, found := strings.CutPrefix(ref, "#/$defs/")
		def, ok := root["$defs"].(map[string]any)[name].(map[string]any)
		if !found || !ok {
			fail("unresolvable $ref %q", ref)
			return
		}
		check(root, def, v, at, errs)
	}
	if c, ok := s["const"]; ok && fmt.Sprint(c) != fmt.Sprint(v) {
		fail("want %v, got %v", c, v)
	}
	if e, ok := s["enum"].([]any); ok && !slices.ContainsFunc(e, func(x any) bool { return fmt.Sprint(x) == fmt.Sprint(v) }) {
		fail("%v is not one of %v", v, e)
	}
	if t, ok := s["type"].(string); ok {
		good := false
		switch t {
		case "object":
			_, good = v.(map[string]any)
		case "array":
			_, good = v.([]any)
		case "string":
			_, good = v.(string)
		case "integer":
			f, isNum := v.(float64)
			good = isNum && f == float64(int64(f))
		case "number":
			_, good = v.(float64)
		case "boolean":
			_, good = v.(bool)
		}
		if !good {
			fail("want %s, got %T", t, v)
			return
		}
	}
	if p, ok := s["pattern"].(string); ok {
		if str, isStr := v.(string); isStr && !regexp.MustCompile(p).MatchString(str) {
			fail("%q does not match %s", str, p)
		}
	}
	if m, ok := s["minimum"].(float64); ok {
		if f, isNum := v.(float64); isNum && f < m {
			fail("%v is below %v", f, m)
		}
	}
	if obj, isObj := v.(map[string]any); isObj {
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				if _, has := obj[r.(string)]; !has {
					fail("missing %q", r)
				}
			}
		}
		props, _ := s["properties"].(map[string]any)
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if ps, ok := props[k].(map[string]any); ok {
				check(root, ps, obj[k], at+"."+k, errs)
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case bool:
				if !ap {
					fail("property %q is not in the schema", k)
				}
			case map[string]any:
				check(root, ap, obj[k], at+"."+k, errs)
			}
		}
	}
	if arr, isArr := v.([]any); isArr {
		if is, ok := s["items"].(map[string]any); ok {
			for i, x := range arr {
				check(root, is, x, fmt.Sprintf("%s[%d]", at, i), errs)
			}
		}
	}
}

func readSchema(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../../docs/report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSchemaCheckCatchesDrift(t *testing.T) {
	schema := readSchema(t)
	tests := []struct {
		name, doc, want string
	}{
		{"wrong verdict", `{"verdict":"maybe"}`, "is not one of"},
		{"unknown field", `{"verdict":"certified","extra":1}`, `"extra" is not in the schema`},
		{"missing fields", `{}`, `missing "rules"`},
		{"bad hash", `{"suite":{"name":"x","version":"1","sha256":"abc","total":1}}`, "does not match"},
		{"negative count", `{"summary":{"scenarios":-1}}`, "below"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := validateSchema(schema, []byte(tc.doc))
			if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, tc.want) }) {
				t.Errorf("errors %q lack %q", errs, tc.want)
			}
		})
	}
}
