package journal

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzReadJSONL feeds arbitrary bytes to the journal importer: it never panics, it names the line of the
// first bad event, and whatever it accepts survives a write and a second read unchanged (the export of an
// import is the import).
func FuzzReadJSONL(f *testing.F) {
	j := New(nil)
	j.Record(SourceCustomer, KindInboundSent, "34600111222", map[string]any{"text": "hola </b> 😀"})
	j.Record(SourceWhatsApp, "status.sent", "34600111222", StatusData{ID: "wamid.x", Status: "sent"})
	var good bytes.Buffer
	if err := j.WriteJSONL(&good); err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		good.String(),
		"\n\n" + good.String() + "\n",
		`{"seq":1}`,
		`{"seq":-1,"kind":"x","time":"not a time"}`,
		`{"seq":1,"kind":"x","data":` + strings.Repeat("[", 5000),
		"{\"kind\":\"x\",\"data\":\"\xff\"}",
		`null`, `[]`, `{"kind":"x"} trailing`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		events, err := ReadJSONL(bytes.NewReader(in))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "journal line ") && !strings.HasPrefix(err.Error(), "reading journal") {
				t.Fatalf("error %q does not name the line", err)
			}
			return
		}
		var out bytes.Buffer
		if err := WriteJSONL(&out, events); err != nil {
			t.Fatalf("re-exporting %d imported events: %v", len(events), err)
		}
		again, err := ReadJSONL(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("an export of an import does not read back: %v\n%s", err, out.Bytes())
		}
		var out2 bytes.Buffer
		if err := WriteJSONL(&out2, again); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), out2.Bytes()) {
			t.Fatalf("export changed on a second round trip:\n%s\n%s", out.Bytes(), out2.Bytes())
		}
	})
}
