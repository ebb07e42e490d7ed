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
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/report"
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

// TestSchemaHoldsApplicability: a report with a scenario not applicable, a goal not reached, rules not
// applicable and not exercised with their reasons, and a profile, is valid against the schema.
func TestSchemaHoldsApplicability(t *testing.T) {
	rules := []report.RuleMeta{
		{ID: "WA-OPTIN-01", Title: "a", TitleES: "a", Severity: audit.SeverityCritical, Sources: []string{"x"}},
		{ID: "GDPR-ACCESS-01", Title: "b", TitleES: "b", Severity: audit.SeverityHigh, Sources: []string{"y"}},
	}
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	j := journal.New(journal.NewClock(t0))
	j.Record(journal.SourceCustomer, journal.KindInboundSent, "34600000001", journal.InboundData{ID: "wamid.1", Type: "text", Text: "Hola"})
	scs := []report.Scenario{
		report.NewScenario(report.Outcome{Name: "access", Exercises: []string{"GDPR-ACCESS-01"}, Err: &report.NotApplicable{Capability: "data requests in the chat"}, Started: t0}),
		report.NewScenario(report.Outcome{Name: "opt in", Exercises: []string{"WA-OPTIN-01"}, Events: j.Events(), Started: t0,
			Err: &report.Unreached{Customer: "Lucía", Goal: "opt in to offers", Reason: "no message offered it"}}),
	}
	r := report.Build(report.Header{FailOn: audit.SeverityLow, Lang: "en", StartedAt: t0, FinishedAt: t0,
		Assistant: report.Assistant{Kind: "url", Name: "x", URL: "http://127.0.0.1:1"},
		Profile:   &report.ProfileInfo{Business: "Zapatos Acme", Controller: "Zapatos Acme S.L.", SHA256: strings.Repeat("ab", 32)},
		Parley:    report.Parley{Version: "v0", Mode: "embedded"},
		Suite:     report.Suite{Name: "s", Version: "1", SHA256: strings.Repeat("cd", 32), Total: 2}}, rules, scs)
	if r.Rules[0].Status != audit.NotExercised || r.Rules[1].Status != report.RuleNotApplicable {
		t.Fatalf("rules %s %s", r.Rules[0].Status, r.Rules[1].Status)
	}
	doc, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if errs := validateSchema(readSchema(t), doc); len(errs) > 0 {
		t.Errorf("schema: %q", errs)
	}
}
