package journal

import (
	"bytes"
	"reflect"
	"testing"
)

func TestTypedPayloads(t *testing.T) {
	out := OutboundData{ID: "wamid.1", To: "34600000001", Type: "interactive", Text: "¿Quieres ofertas?", Buttons: []string{"Sí", "No"}, InWindow: true, HTTP: 200, Body: []byte(`{"a":1}`)}
	di := DetectIntentData{API: "es", Text: "hola", Parameters: map[string]any{"n": 5}}
	for _, tc := range []struct {
		name      string
		data      any
		into      func() any
		wantTyped bool
	}{
		{"struct by value", out, func() any { return new(OutboundData) }, true},
		{"struct by pointer is not kept", &out, func() any { return new(OutboundData) }, false},
		{"interface values are left to JSON", di, func() any { return new(DetectIntentData) }, false},
		{"another type is decoded from JSON", StatusData{ID: "wamid.1", Status: "sent"}, func() any { return new(map[string]any) }, false},
		{"a map is not kept", map[string]string{"a": "b"}, func() any { return new(map[string]string) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := New(nil)
			e := j.Record(SourceWhatsApp, KindOutboundAccepted, "34600000001", tc.data)
			got := tc.into()
			if typed := e.Typed(got); typed != tc.wantTyped {
				t.Fatalf("Typed = %v, want %v", typed, tc.wantTyped)
			}
			// Whichever path Decode takes, it gives what the JSON says.
			viaDecode, viaJSON := tc.into(), tc.into()
			if err := e.Decode(viaDecode); err != nil {
				t.Fatal(err)
			}
			if err := (Event{Seq: e.Seq, Kind: e.Kind, Data: e.Data}).Decode(viaJSON); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(viaDecode, viaJSON) {
				t.Errorf("Decode in process = %+v, from JSON = %+v", viaDecode, viaJSON)
			}
		})
	}
}

func TestTypedAbsentAfterJSONL(t *testing.T) {
	j := New(nil)
	j.Record(SourceWhatsApp, KindStatusSent, "34600000001", StatusData{ID: "wamid.1", Status: "sent"})
	var buf bytes.Buffer
	if err := j.WriteJSONL(&buf); err != nil {
		t.Fatal(err)
	}
	evs, err := ReadJSONL(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if evs[0].Value != nil {
		t.Errorf("an event read from JSON Lines carries an in-process value: %#v", evs[0].Value)
	}
	var d StatusData
	if err := evs[0].Decode(&d); err != nil || d.Status != "sent" {
		t.Errorf("decoded %+v, %v", d, err)
	}
}

func TestUnmarshallableDataKeepsNoValue(t *testing.T) {
	type bad struct{ C chan int }
	e := New(nil).Record(SourceHarness, KindFaultSet, "", bad{C: make(chan int)})
	if e.Value != nil || !bytes.Contains(e.Data, []byte("marshal_error")) {
		t.Errorf("value %v, data %s", e.Value, e.Data)
	}
}
