package profile

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestInitReadsBackAsReference: the commented profile Init writes is the reference assistant's.
func TestInitReadsBackAsReference(t *testing.T) {
	for _, name := range []string{"parley.yaml", "parley.yml", "profile"} {
		got, err := Load(write(t, name, Init()))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, Reference()) {
			t.Errorf("%s: Init reads back as\n%+v\nwant Reference()\n%+v", name, got, Reference())
		}
	}
}

// TestInitCommentsEveryField: every field of the profile has a comment line in Init.
func TestInitCommentsEveryField(t *testing.T) {
	lines := strings.Split(Init(), "\n")
	for i, l := range lines {
		key, _, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "- ")), ":")
		if !ok || strings.HasPrefix(strings.TrimSpace(l), "#") || strings.HasPrefix(strings.TrimSpace(l), "- ") || key == "" {
			continue
		}
		if i > 0 && strings.HasPrefix(strings.TrimSpace(lines[i-1]), "- ") {
			continue // a list item's further fields: the list's comment says what its items hold
		}
		if i == 0 || !strings.HasPrefix(strings.TrimSpace(lines[i-1]), "#") {
			t.Errorf("line %d (%s) has no comment above it", i+1, strings.TrimSpace(l))
		}
	}
}

func TestJSONAndYAMLReadAlike(t *testing.T) {
	b, err := json.MarshalIndent(Reference(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"p.json", "p.txt"} {
		got, err := Load(write(t, name, string(b)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, Reference()) {
			t.Errorf("%s: %+v", name, got)
		}
	}
}

// TestUnknownFieldsRefused: a field the format does not know is refused, naming it and its line.
func TestUnknownFieldsRefused(t *testing.T) {
	b, _ := json.MarshalIndent(Reference(), "", "  ")
	withJSON := strings.Replace(string(b), `"name": "Tienda Ejemplo",`, `"name": "Tienda Ejemplo", "nmae": "x",`, 1)
	withYAML := strings.Replace(Init(), "  controller: Tienda", "  controler: Tienda", 1)
	tests := []struct{ name, file, content, want string }{
		{"yaml", "p.yaml", withYAML, `unknown field "controler"`},
		{"json", "p.json", withJSON, `"nmae"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(write(t, tc.file, tc.content))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "line ") {
				t.Fatalf("error %v, want one naming %s and its line", err, tc.want)
			}
		})
	}
}

// TestValidation: every check names the field and what it may hold.
func TestValidation(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Profile)
		want   string
	}{
		{"version", func(p *Profile) { p.Version = "2" }, `version is "2"`},
		{"no version", func(p *Profile) { p.Version = "" }, `version is ""`},
		{"no business", func(p *Profile) { p.Business.Name = " " }, "business.name is missing"},
		{"no controller", func(p *Profile) { p.Business.Controller = "" }, "business.controller is missing"},
		{"no languages", func(p *Profile) { p.Languages = nil }, "languages is empty"},
		{"language", func(p *Profile) { p.Languages = []string{"es", "fr"} }, `languages[1] is "fr"`},
		{"language twice", func(p *Profile) { p.Languages = []string{"en", "en"} }, `languages[1]: "en" is listed twice`},
		{"no notice", func(p *Profile) { p.Privacy.NoticeURL = "" }, "privacy.notice_url is missing"},
		{"http notice", func(p *Profile) { p.Privacy.NoticeURL = "http://x.es/p" }, `privacy.notice_url is "http://x.es/p"`},
		{"hostless notice", func(p *Profile) { p.Privacy.NoticeURL = "https:///p" }, "privacy.notice_url is"},
		{"region", func(p *Profile) { p.Privacy.Region = "US" }, `privacy.region is "US"`},
		{"retention", func(p *Profile) { p.Privacy.RetentionDays = -1 }, "privacy.retention_days is -1"},
		{"data requests", func(p *Profile) { p.Capabilities.DataRequests = "email" }, `capabilities.data_requests is "email"`},
		{"no data requests", func(p *Profile) { p.Capabilities.DataRequests = "" }, `capabilities.data_requests is ""`},
		{"order code", func(p *Profile) { p.TestData.Orders[0].Code = "" }, "test_data.orders[0].code is missing"},
		{"order customer", func(p *Profile) { p.TestData.Orders[0].Customer = "600 000 001" }, `test_data.orders[0].customer is "600 000 001"`},
		{"order status without orders", func(p *Profile) { p.TestData.Orders = nil }, "capabilities.order_status is true but test_data.orders is empty"},
		{"hook", func(p *Profile) { p.Hooks = []string{"optin"} }, `hooks[0] is "optin"`},
		{"hook twice", func(p *Profile) { p.Hooks = []string{"notify", "notify"} }, `hooks[1]: "notify" is listed twice`},
		{"agent webhook", func(p *Profile) { p.Agent.Webhook = "127.0.0.1:8081/fulfilment" }, `agent.webhook is "127.0.0.1:8081/fulfilment"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Reference()
			tc.change(&p)
			b, _ := json.Marshal(p)
			_, err := Load(write(t, "p.json", string(b)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
	if err := Reference().Validate(); err != nil {
		t.Errorf("the reference profile: %v", err)
	}
	p := Reference()
	p.Capabilities.OrderStatus, p.TestData.Orders, p.Hooks, p.Privacy.Region = false, nil, nil, ""
	if err := p.Validate(); err != nil {
		t.Errorf("a profile with no orders, hooks or region: %v", err)
	}
	p.Agent.Webhook = "http://127.0.0.1:8081/fulfilment"
	if err := p.Validate(); err != nil {
		t.Errorf("a profile with an agent webhook: %v", err)
	}
}

// TestBadFiles: what is not one profile in a regular file of reasonable size gets a clear error.
func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	big := write(t, "big.yaml", "# "+strings.Repeat("x", MaxSize)+"\n"+Init())
	tests := []struct{ name, path, want string }{
		{"missing", filepath.Join(dir, "nope.yaml"), "no such file"},
		{"folder", dir, "not a regular file"},
		{"too big", big, "more than the"},
		{"empty yaml", write(t, "e.yaml", ""), "empty"},
		{"empty json", write(t, "e.json", " "), "empty"},
		{"two documents", write(t, "two.yaml", Init()+"---\nversion: \"1\"\n"), "more than one YAML document"},
		{"trailing json", write(t, "t.json", `{"version":"1"} {}`), "more follows"},
		{"not yaml", write(t, "x.yaml", "version: [\n"), "not a valid YAML profile"},
		{"wrong type", write(t, "w.yaml", strings.Replace(Init(), "  marketing: true", "  marketing: sometimes", 1)), "sometimes"},
		{"json wrong type", write(t, "w.json", "{\n\"version\": 1}"), "line 2"},
	}
	if _, err := os.Stat("/dev/null"); err == nil {
		tests = append(tests, struct{ name, path, want string }{"device", "/dev/null", "not a regular file"})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.path)
			if tc.name == "wrong type" && (err == nil || !strings.Contains(err.Error(), "line ")) {
				t.Errorf("error %v does not give the line", err)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestLacks(t *testing.T) {
	p := Reference()
	if got := p.Lacks(append(NeedTags(), "@WA-OPTOUT-01")); len(got) != 0 {
		t.Errorf("the reference assistant lacks %q", got)
	}
	p.Capabilities = Capabilities{DataRequests: DataRequestsLink}
	p.Hooks = []string{HookNotify}
	got := p.Lacks([]string{"@optout", "@needs-marketing", "@hook-notify", "@needs-data-requests", "@hook-consent", "@needs-marketing"})
	want := []string{"marketing", "data requests in the chat", "consent hook"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Lacks = %q, want %q", got, want)
	}
	for _, tag := range NeedTags() {
		if !IsNeedTag(tag) {
			t.Errorf("%s is not a need tag", tag)
		}
	}
	if IsNeedTag("@WA-OPTOUT-01") {
		t.Error("a rule tag is a need tag")
	}
}

// TestTestOrder: the first order of the test data, when it names its code and its customer.
func TestTestOrder(t *testing.T) {
	if o, ok := Reference().TestOrder(); !ok || o.Code != "TE-1001" || o.Customer != "+34 600 000 001" {
		t.Errorf("the reference profile's test order is %+v, %v", o, ok)
	}
	for _, orders := range [][]Order{nil, {{Code: " ", Customer: "+34 600 000 001"}}, {{Code: "X-1"}}} {
		p := Reference()
		p.TestData.Orders = orders
		if o, ok := p.TestOrder(); ok {
			t.Errorf("orders %+v gave a test order %+v", orders, o)
		}
	}
}

// TestFIFOAndSymlinks: a FIFO is refused without waiting for a writer (opening one blocks), a symlink
// to a device is refused, and a symlink to a profile is read.
func TestFIFOAndSymlinks(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := Load(fifo); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("a FIFO: error %v, want \"not a regular file\"", err)
		}
	case <-time.After(10 * time.Second): // a guard against hanging the suite, not a measure of speed
		f, _ := os.OpenFile(fifo, os.O_WRONLY, 0) // unblock the reader so the goroutine ends
		f.Close()
		t.Fatal("reading a FIFO as a profile blocked waiting for a writer")
	}
	zero := filepath.Join(dir, "zero.yaml")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(zero); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a symlink to /dev/zero: error %v, want \"not a regular file\"", err)
	}
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink(write(t, "real.yaml", Init()), link); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(link); err != nil {
		t.Errorf("a symlink to a profile: %v", err)
	}
}
