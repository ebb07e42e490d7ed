package audit

import "testing"

// TestReadDocument: a document's format is its declared type, or its name's under text/plain; it is
// machine-readable only as JSON, CSV or XML, and parses only when valid in that format.
func TestReadDocument(t *testing.T) {
	tests := []struct {
		name, mime, filename, content string
		format                        string
		readable, parses              bool
		carries                       string
	}{
		{name: "json", mime: "application/json", content: `{"email":"Lucía@example.com"}`, format: "application/json", readable: true, parses: true, carries: "lucía@example.com"},
		{name: "json with a charset", mime: "application/json; charset=utf-8", content: `{"n":1}`, format: "application/json", readable: true, parses: true},
		{name: "text/plain named .csv", mime: "text/plain", filename: "me.csv", content: "phone\n34600000001\n", format: "text/csv", readable: true, parses: true, carries: "34600000001"},
		{name: "text/plain named .txt", mime: "text/plain", filename: "me.txt", content: "34600000001", format: "text/plain"},
		{name: "no type, named .xml", filename: "me.xml", content: "<a><b>x</b></a>", format: "application/xml", readable: true, parses: true},
		{name: "broken json", mime: "application/json", content: `{"a":`, format: "application/json", readable: true},
		{name: "broken xml", mime: "text/xml", content: "<a><b></a>", format: "text/xml", readable: true},
		{name: "pdf", mime: "application/pdf", content: "%PDF", format: "application/pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ReadDocument(tt.mime, tt.filename, []byte(tt.content))
			if d.Format != tt.format || d.MachineReadable != tt.readable || d.Parses != tt.parses {
				t.Errorf("got format %q readable %v parses %v, want %q %v %v", d.Format, d.MachineReadable, d.Parses, tt.format, tt.readable, tt.parses)
			}
			if tt.carries != "" && !d.Carries(tt.carries) {
				t.Errorf("the document does not carry %q: %q", tt.carries, d.Text)
			}
		})
	}
}
