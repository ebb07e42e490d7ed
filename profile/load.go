package profile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"

	"go.yaml.in/yaml/v3"
)

// MaxSize is the largest profile Load reads: a profile is a page of settings, not data.
const MaxSize = 1 << 20

// The places data-protection requests are handled (Capabilities.DataRequests).
const (
	DataRequestsChat = "chat"
	DataRequestsLink = "link"
	DataRequestsNone = "none"
)

// Languages are the languages parley's simulated customers speak.
var Languages = []string{"es", "en"}

// Hooks are the certification hooks of the bot contract, in the order the documentation gives them.
var Hooks = []string{HookConsent, HookNotify, HookCampaign, HookHandoffRelease}

// Load reads the profile at path: YAML or JSON (by the extension .yaml, .yml or .json, otherwise by its
// content), strictly, and checks it (Validate). It reads only a regular file of at most MaxSize bytes.
func Load(path string) (Profile, error) {
	b, err := ReadFile(path)
	if err != nil {
		return Profile{}, err
	}
	return Parse(b, path)
}

// ReadFile reads the bytes of a profile file, refusing anything but a regular file of at most MaxSize
// bytes, so that a device, a pipe or a huge file never blocks or exhausts the run.
func ReadFile(path string) ([]byte, error) {
	// Non-blocking, so that a FIFO is opened without waiting for a writer and then refused below as not
	// a regular file; a regular file reads as ever.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("profile %s is not a regular file", path)
	}
	if st.Size() > MaxSize {
		return nil, fmt.Errorf("profile %s is %d bytes, more than the %d a profile may have", path, st.Size(), MaxSize)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", path, err)
	}
	if len(b) > MaxSize {
		return nil, fmt.Errorf("profile %s grew beyond %d bytes while it was read", path, MaxSize)
	}
	return b, nil
}

// Parse decodes and checks a profile. name (a file name) chooses the format by its extension; with
// another extension, content that begins with "{" is JSON and anything else YAML. Fields the format does
// not know are refused, naming the field (and, in YAML and JSON alike, the line).
func Parse(data []byte, name string) (Profile, error) {
	var (
		p   Profile
		err error
	)
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		p, err = parseJSON(data)
	case ".yaml", ".yml":
		p, err = parseYAML(data)
	default:
		if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
			p, err = parseJSON(data)
		} else {
			p, err = parseYAML(data)
		}
	}
	if err != nil {
		return Profile{}, fmt.Errorf("profile %s: %w", name, err)
	}
	if err := p.Validate(); err != nil {
		return Profile{}, fmt.Errorf("profile %s: %w", name, err)
	}
	return p, nil
}

func parseYAML(data []byte) (Profile, error) {
	var p Profile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			return Profile{}, errors.New("the file is empty; 'parley certify --init-profile' writes one to start from")
		}
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return Profile{}, fmt.Errorf("not a valid profile: %s", strings.Join(readable(te.Errors), "; "))
		}
		return Profile{}, fmt.Errorf("not a valid YAML profile: %w", err)
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return Profile{}, errors.New("the file holds more than one YAML document; a profile is one")
	}
	return p, nil
}

// unknownField is how the YAML library names a field the profile does not have.
var unknownField = regexp.MustCompile(`field (\S+) not found in type profile\.\w+`)

// readable rewords the YAML library's errors for a vendor: "line 3: unknown field "nmae"".
func readable(errs []string) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = unknownField.ReplaceAllString(e, `unknown field "$1"`)
	}
	return out
}

func parseJSON(data []byte) (Profile, error) {
	var p Profile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			return Profile{}, errors.New("the file is empty; 'parley certify --init-profile' writes one to start from")
		}
		return Profile{}, fmt.Errorf("line %d: not a valid JSON profile: %w", lineAt(data, dec.InputOffset()), err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Profile{}, fmt.Errorf("line %d: more follows the profile's closing brace", lineAt(data, dec.InputOffset()))
	}
	return p, nil
}

// lineAt is the 1-based line of byte offset off.
func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// Validate checks a profile's values, naming the first field that is wrong and what it may hold.
func (p Profile) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if p.Version != Version {
		bad("version is %q: this parley reads profiles of version %q", p.Version, Version)
	}
	if strings.TrimSpace(p.Business.Name) == "" {
		bad("business.name is missing: the name customers know the business by")
	}
	if strings.TrimSpace(p.Business.Controller) == "" {
		bad("business.controller is missing: the data controller's legal name, as the privacy notice gives it")
	}
	if len(p.Languages) == 0 {
		bad("languages is empty: list the languages the assistant speaks, its default first (%s)", strings.Join(Languages, ", "))
	}
	for i, l := range p.Languages {
		switch {
		case !slices.Contains(Languages, l):
			bad("languages[%d] is %q: parley's customers speak %s", i, l, strings.Join(Languages, " and "))
		case slices.Index(p.Languages, l) < i:
			bad("languages[%d]: %q is listed twice", i, l)
		}
	}
	if err := checkNoticeURL(p.Privacy.NoticeURL); err != nil {
		errs = append(errs, err)
	}
	if r := p.Privacy.Region; r != "" && r != "EU" && r != "any" {
		bad("privacy.region is %q: want EU (personal data stay in the European Union) or any (no region declared)", r)
	}
	if p.Privacy.RetentionDays < 0 {
		bad("privacy.retention_days is %d: want the days transcripts are kept (0 or absent: 90)", p.Privacy.RetentionDays)
	}
	switch p.Capabilities.DataRequests {
	case DataRequestsChat, DataRequestsLink, DataRequestsNone:
	default:
		bad("capabilities.data_requests is %q: want chat (handled in the conversation), link (a web page the assistant points to) or none",
			p.Capabilities.DataRequests)
	}
	for i, o := range p.TestData.Orders {
		if strings.TrimSpace(o.Code) == "" {
			bad("test_data.orders[%d].code is missing: an order code the assistant's backend knows", i)
		}
		if !isPhone(o.Customer) {
			bad("test_data.orders[%d].customer is %q: want the WhatsApp number of the order's customer, e.g. +34 600 000 001", i, o.Customer)
		}
	}
	if p.Capabilities.OrderStatus && len(p.TestData.Orders) == 0 {
		bad("capabilities.order_status is true but test_data.orders is empty: the order-status scenarios need an order the assistant's backend knows")
	}
	for i, h := range p.Hooks {
		switch {
		case !slices.Contains(Hooks, h):
			bad("hooks[%d] is %q: the bot contract's hooks are %s", i, h, strings.Join(Hooks, ", "))
		case slices.Index(p.Hooks, h) < i:
			bad("hooks[%d]: %q is listed twice", i, h)
		}
	}
	if w := p.Agent.Webhook; w != "" {
		if u, err := url.Parse(w); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("agent.webhook is %q: want the http:// or https:// URL of the assistant's fulfilment service, e.g. http://127.0.0.1:8081/fulfilment", w)
		}
	}
	return errors.Join(errs...)
}

func checkNoticeURL(s string) error {
	if s == "" {
		return errors.New("privacy.notice_url is missing: the https address of the full privacy notice")
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("privacy.notice_url is %q: want the https address of the full privacy notice, e.g. https://example.com/privacy", s)
	}
	return nil
}

// isPhone says whether s is an international number: a + and 8 to 15 digits, spaces allowed between.
func isPhone(s string) bool {
	rest, ok := strings.CutPrefix(s, "+")
	if !ok {
		return false
	}
	digits := 0
	for _, r := range rest {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ':
		default:
			return false
		}
	}
	return digits >= 8 && digits <= 15
}
