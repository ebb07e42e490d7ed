package dialogflow_test

import (
	"archive/zip"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-dev/parley/fixtures"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"google.golang.org/protobuf/types/known/structpb"
)

// TestMeasureHarness runs the measure over an exports directory made here: the demo agent as a directory
// and as a zip, paraphrases beside the directory, and a CX export, which is reported and not measured.
func TestMeasureHarness(t *testing.T) {
	root := t.TempDir()
	agent, err := fs.Sub(fixtures.Agent, "agent")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(root, "tienda"), agent); err != nil {
		t.Fatal(err)
	}
	writeZip(t, filepath.Join(root, "tienda-zip.zip"), agent)
	writeFile(t, filepath.Join(root, "tienda.paraphrases.json"), `[
		{"text": "¿me decís por dónde anda el pedido 55120?", "intent": "order.status"},
		{"text": "could you tell me where order 55120 is", "intent": "order.status", "lang": "en"},
		{"text": "no quiero recibir más mensajes vuestros", "intent": "optout"},
		{"text": "vale, acepto", "intent": "optin.yes", "contexts": ["awaiting_optin"]}
	]`)
	writeFile(t, filepath.Join(root, "soporte-cx", "agent.json"), `{"displayName": "Soporte", "defaultLanguageCode": "es", "timeZone": "Europe/Madrid"}`)
	writeFile(t, filepath.Join(root, "soporte-cx", "flows", "Default Start Flow", "Default Start Flow.json"), `{"displayName": "Default Start Flow"}`)
	writeFile(t, filepath.Join(root, "notes.txt"), "not an export")

	exports, err := findExports(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range exports {
		names = append(names, e.name)
	}
	if strings.Join(names, " ") != "soporte-cx tienda tienda-zip" {
		t.Fatalf("exports %v", names)
	}

	a, err := dialogflow.LoadAgent(agent)
	if err != nil {
		t.Fatal(err)
	}
	phrases := 0
	for _, in := range a.Intents {
		for _, ps := range in.Phrases {
			phrases += len(ps)
		}
	}
	got := map[string]measurement{}
	for _, e := range exports {
		got[e.name] = measureExport(t, e)
	}
	if m := got["soporte-cx"]; m.kind != "CX" || m.phrases != 0 || !strings.Contains(m.note, "parley agent test") {
		t.Errorf("CX export:\n%s", report([]measurement{m}))
	}
	dir, zipped := got["tienda"], got["tienda-zip"]
	if dir.kind != "ES" || dir.phrases != phrases || dir.phrasesHit != phrases || dir.slots == 0 || dir.slotsHit != dir.slots {
		t.Errorf("directory export, want all %d phrases and every slot:\n%s", phrases, report([]measurement{dir}))
	}
	if dir.paraphrases != 4 || zipped.paraphrases != 0 {
		t.Errorf("paraphrases: %d beside the directory, %d for the zip (want 4 and none)", dir.paraphrases, zipped.paraphrases)
	}
	if zipped.phrases != dir.phrases || zipped.phrasesHit != dir.phrasesHit || zipped.slotsHit != dir.slotsHit {
		t.Errorf("the zip and the directory differ:\n%s", report([]measurement{zipped, dir}))
	}
	r := report([]measurement{got["soporte-cx"], dir, zipped})
	for _, want := range []string{"own training phrases matched", "soporte-cx  CX", "tienda      ES"} {
		if !strings.Contains(r, want) {
			t.Errorf("report lacks %q:\n%s", want, r)
		}
	}
}

func TestSlotReturned(t *testing.T) {
	a := &dialogflow.Agent{Language: "es", Entities: map[string]*dialogflow.EntityType{
		"plan": {Name: "plan", Entries: map[string][]dialogflow.EntityEntry{
			"es": {{Value: "Fibra 600", Synonyms: []string{"fibra 600", "fibra", "600 megas"}},
				{Value: "Fibra 1 Giga", Synonyms: []string{"fibra 1 giga", "1 giga"}}},
		}},
		"linea": {Name: "linea", Composite: true, Entries: map[string][]dialogflow.EntityEntry{
			"es": {{Value: "@sys.number-integer:n @plan:plan", Synonyms: []string{"@sys.number-integer:n @plan:plan"}}},
		}},
	}}
	str := structpb.NewStringValue
	list := func(vs ...string) *structpb.Value {
		l := &structpb.ListValue{}
		for _, v := range vs {
			l.Values = append(l.Values, str(v))
		}
		return structpb.NewListValue(l)
	}
	tests := []struct {
		name        string
		part        dialogflow.PhrasePart
		value       *structpb.Value
		exact, want bool
	}{
		{"the annotated text", dialogflow.PhrasePart{Text: "Envío", Entity: "@sys.any"}, str("envio"), true, true},
		{"a synonym's reference value", dialogflow.PhrasePart{Text: "600 megas", Entity: "@plan"}, str("Fibra 600"), true, true},
		{"the longest synonym the text holds", dialogflow.PhrasePart{Text: "la de 1 giga", Entity: "@plan"}, str("Fibra 1 Giga"), true, true},
		{"another entry's value", dialogflow.PhrasePart{Text: "600 megas", Entity: "@plan"}, str("Fibra 1 Giga"), true, false},
		{"in a list", dialogflow.PhrasePart{Text: "fibra", Entity: "@plan"}, list("Fibra 1 Giga", "Fibra 600"), true, true},
		{"a number word", dialogflow.PhrasePart{Text: "dos", Entity: "@sys.number"}, structpb.NewNumberValue(2), true, true},
		{"a wrong number", dialogflow.PhrasePart{Text: "3", Entity: "@sys.number-integer"}, structpb.NewNumberValue(2), true, false},
		{"a phone number however spaced", dialogflow.PhrasePart{Text: "+34 612 34 56 78", Entity: "@sys.any"}, str("+34612345678"), true, true},
		{"a date, by presence", dialogflow.PhrasePart{Text: "mañana", Entity: "@sys.date"}, str("2026-03-04T12:00:00+01:00"), false, true},
		{"a date not returned", dialogflow.PhrasePart{Text: "mañana", Entity: "@sys.date"}, str(""), false, false},
		{"a person as a struct", dialogflow.PhrasePart{Text: "Ana López", Entity: "@sys.any"},
			structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{"name": str("Ana López")}}), true, true},
		{"nothing", dialogflow.PhrasePart{Text: "fibra", Entity: "@plan"}, nil, true, false},
		{"a synonym in the plural", dialogflow.PhrasePart{Text: "fibras", Entity: "@plan"}, str("Fibra 600"), true, true},
		{"a composite, by presence", dialogflow.PhrasePart{Text: "2 fibras", Entity: "@linea"},
			structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{"n": structpb.NewNumberValue(2), "plan": str("Fibra 600")}}), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exact, ok := slotReturned(a, "es", tt.part, tt.value)
			if exact != tt.exact || ok != tt.want {
				t.Errorf("slotReturned(%q %s, %v) = exact %v, %v; want %v, %v", tt.part.Text, tt.part.Entity, tt.value, exact, ok, tt.exact, tt.want)
			}
		})
	}
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeZip(t *testing.T, name string, fsys fs.FS) {
	t.Helper()
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	if err := zw.AddFS(fsys); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
