package whatsapp

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/parley-dev/parley/fixtures"
	"github.com/parley-dev/parley/journal"
)

// Template is a message template in the Graph API's shape (GET /{waba-id}/message_templates).
type Template struct {
	ID              string              `json:"id"`
	Name            string              `json:"name"`
	Language        string              `json:"language"`
	Status          string              `json:"status"`
	Category        string              `json:"category"`
	SubCategory     string              `json:"sub_category,omitempty"`
	ParameterFormat string              `json:"parameter_format,omitempty"`
	Components      []TemplateComponent `json:"components"`
}

// TemplateComponent is a HEADER, BODY, FOOTER or BUTTONS component of a template.
type TemplateComponent struct {
	Type                      string           `json:"type"`
	Format                    string           `json:"format,omitempty"`
	Text                      string           `json:"text,omitempty"`
	Buttons                   []TemplateButton `json:"buttons,omitempty"`
	Example                   json.RawMessage  `json:"example,omitempty"`
	AddSecurityRecommendation bool             `json:"add_security_recommendation,omitempty"`
	CodeExpirationMinutes     int              `json:"code_expiration_minutes,omitempty"`
}

// TemplateButton is one button of a BUTTONS component.
type TemplateButton struct {
	Type        string          `json:"type"`
	Text        string          `json:"text"`
	URL         string          `json:"url,omitempty"`
	PhoneNumber string          `json:"phone_number,omitempty"`
	OTPType     string          `json:"otp_type,omitempty"`
	Example     json.RawMessage `json:"example,omitempty"`
}

// Template statuses and categories as the Graph API spells them.
const (
	StatusApproved = "APPROVED"
	StatusPending  = "PENDING"
	StatusRejected = "REJECTED"
	StatusPaused   = "PAUSED"
	StatusDisabled = "DISABLED"

	CategoryMarketing      = "MARKETING"
	CategoryUtility        = "UTILITY"
	CategoryAuthentication = "AUTHENTICATION"
)

var (
	templateNameRE  = regexp.MustCompile(`^[a-z0-9_]{1,512}$`)
	placeholderRE   = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)
	validStatuses   = map[string]bool{"APPROVED": true, "IN_APPEAL": true, "PENDING": true, "REJECTED": true, "PENDING_DELETION": true, "DELETED": true, "DISABLED": true, "PAUSED": true, "LIMIT_EXCEEDED": true}
	validCategories = map[string]bool{CategoryMarketing: true, CategoryUtility: true, CategoryAuthentication: true}
)

func (t Template) check() error {
	switch {
	case !templateNameRE.MatchString(t.Name):
		return fmt.Errorf("name %q: lowercase letters, digits and underscores only", t.Name)
	case t.Language == "":
		return fmt.Errorf("%s: no language", t.Name)
	case !validCategories[t.Category]:
		return fmt.Errorf("%s/%s: category %q is not MARKETING, UTILITY or AUTHENTICATION", t.Name, t.Language, t.Category)
	case !validStatuses[t.Status]:
		return fmt.Errorf("%s/%s: unknown status %q", t.Name, t.Language, t.Status)
	}
	return nil
}

func (t Template) clone() Template {
	c := t
	c.Components = make([]TemplateComponent, len(t.Components))
	for i, comp := range t.Components {
		comp.Buttons = append([]TemplateButton(nil), comp.Buttons...)
		c.Components[i] = comp
	}
	return c
}

func (t Template) component(typ string) (TemplateComponent, bool) {
	for _, c := range t.Components {
		if strings.EqualFold(c.Type, typ) {
			return c, true
		}
	}
	return TemplateComponent{}, false
}

// placeholders returns the distinct variables of text, in order of first appearance.
func placeholders(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

// LoadTemplates reads templates from fsys: every *.json file holds one Graph template object or an array.
func LoadTemplates(fsys fs.FS) ([]Template, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Template
	seen := map[string]string{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("reading template %s: %w", name, err)
		}
		var ts []Template
		if trimmed := strings.TrimSpace(string(b)); strings.HasPrefix(trimmed, "[") {
			err = json.Unmarshal(b, &ts)
		} else {
			var t Template
			err = json.Unmarshal(b, &t)
			ts = []Template{t}
		}
		if err != nil {
			return nil, fmt.Errorf("template file %s: %w", name, err)
		}
		for _, t := range ts {
			if err := t.check(); err != nil {
				return nil, fmt.Errorf("template file %s: %w", name, err)
			}
			key := t.Name + "/" + t.Language
			if prev, dup := seen[key]; dup {
				return nil, fmt.Errorf("template %s defined twice (%s and %s)", key, prev, name)
			}
			seen[key] = name
			out = append(out, t)
		}
	}
	return out, nil
}

func loadTemplates(cfg config) ([]Template, error) {
	switch {
	case cfg.templatesDir != "":
		if st, err := os.Stat(cfg.templatesDir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("templates directory %q: not a directory", cfg.templatesDir)
		}
		ts, err := LoadTemplates(os.DirFS(filepath.Clean(cfg.templatesDir)))
		if err == nil && len(ts) == 0 {
			err = fmt.Errorf("templates directory %q has no *.json templates", cfg.templatesDir)
		}
		return ts, err
	case cfg.templatesSet:
		return cfg.templates, nil
	default:
		sub, err := fs.Sub(fixtures.Templates, "templates")
		if err != nil {
			return nil, err
		}
		return LoadTemplates(sub)
	}
}

// Templates returns a copy of the template store.
func (s *Server) Templates() []Template {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Template, len(s.state.templates))
	for i, t := range s.state.templates {
		out[i] = t.clone()
	}
	return out
}

func (st *state) findTemplate(name, lang string) *Template {
	for i := range st.templates {
		if st.templates[i].Name == name && st.templates[i].Language == lang {
			return &st.templates[i]
		}
	}
	return nil
}

// --- sending a template ---

type templateRequest struct {
	Name     string `json:"name"`
	Language struct {
		Code   string `json:"code"`
		Policy string `json:"policy,omitempty"`
	} `json:"language"`
	Components []templateRequestComponent `json:"components"`
}

type templateRequestComponent struct {
	Type       string          `json:"type"`
	SubType    string          `json:"sub_type"`
	Index      flexInt         `json:"index"`
	Parameters []templateParam `json:"parameters"`
}

type templateParam struct {
	Type          string          `json:"type"`
	ParameterName string          `json:"parameter_name,omitempty"`
	Text          *string         `json:"text,omitempty"`
	Payload       string          `json:"payload,omitempty"`
	Image         *mediaRef       `json:"image,omitempty"`
	Video         *mediaRef       `json:"video,omitempty"`
	Document      *mediaRef       `json:"document,omitempty"`
	Currency      *fallbackValue  `json:"currency,omitempty"`
	DateTime      *fallbackValue  `json:"date_time,omitempty"`
	Location      json.RawMessage `json:"location,omitempty"`
}

type fallbackValue struct {
	FallbackValue string `json:"fallback_value"`
}

// flexInt accepts a number or a string holding one: Meta's examples use both for button "index".
type flexInt struct {
	N   int
	Set bool
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("index %s is not a number", b)
	}
	f.N, f.Set = n, true
	return nil
}

// paramValue is the text a parameter puts into the message.
func (p templateParam) value() (string, bool) {
	switch p.Type {
	case "text":
		if p.Text == nil {
			return "", false
		}
		return *p.Text, true
	case "currency":
		if p.Currency == nil {
			return "", false
		}
		return p.Currency.FallbackValue, true
	case "date_time":
		if p.DateTime == nil {
			return "", false
		}
		return p.DateTime.FallbackValue, true
	}
	return "", false
}

var fourSpacesRE = regexp.MustCompile(` {5,}`)

// templateSend is a validated template send.
type templateSend struct {
	tpl     Template
	text    string // hydrated body
	header  string // hydrated text header, if any
	footer  string
	buttons []offeredButton
}

// checkTemplateLocked validates a template send against the store, in the order Meta appears to (inferred
// from real error captures; Meta does not document it): lookup (exact language, no fallback), status,
// parameter count per component, parameter format, hydrated length, required button parameters.
func (s *Server) checkTemplateLocked(req *templateRequest) (templateSend, *graphError) {
	if req.Name == "" {
		return templateSend{}, errRequired("template[name]")
	}
	if req.Language.Code == "" {
		return templateSend{}, errRequired("template[language][code]")
	}
	t := s.state.findTemplate(req.Name, req.Language.Code)
	if t == nil {
		return templateSend{}, newError(CodeTemplateNotFound, fmt.Sprintf("template name (%s) does not exist in %s", req.Name, req.Language.Code))
	}
	switch t.Status {
	case StatusApproved:
	case StatusPaused:
		return templateSend{}, newError(CodeTemplatePaused, fmt.Sprintf("Template %s (%s) is paused because of low quality", t.Name, t.Language))
	case StatusDisabled:
		return templateSend{}, newError(CodeTemplateDisabled, fmt.Sprintf("Template %s (%s) is disabled", t.Name, t.Language))
	default:
		return templateSend{}, newError(CodeTemplateNotFound, fmt.Sprintf("template name (%s) does not exist in %s (status %s)", req.Name, req.Language.Code, t.Status))
	}

	sent := map[string]*templateRequestComponent{}
	buttonParams := map[int]*templateRequestComponent{}
	for i := range req.Components {
		c := &req.Components[i]
		typ := strings.ToLower(c.Type)
		switch typ {
		case "header", "body":
			sent[typ] = c
		case "button":
			if !c.Index.Set {
				return templateSend{}, errRequired("template[components][button][index]")
			}
			buttonParams[c.Index.N] = c
		case "":
			return templateSend{}, errRequired("template[components][type]")
		default:
			return templateSend{}, errInvalid("Param template['components'][%d]['type'] is not valid: %q", i, c.Type)
		}
	}
	out := templateSend{tpl: t.clone()}
	for _, typ := range []string{"header", "body"} {
		tc, has := t.component(typ)
		var vars []string
		if has {
			vars = placeholders(tc.Text)
		}
		var params []templateParam
		if c := sent[typ]; c != nil {
			params = c.Parameters
		}
		if has && typ == "header" && tc.Format != "" && tc.Format != "TEXT" {
			// A media header takes exactly one parameter of its media type.
			if len(params) != 1 {
				return templateSend{}, newError(CodeParamCountMismatch, fmt.Sprintf("header: number of localizable_params (%d) does not match the expected number of params (1)", len(params)))
			}
			if want := strings.ToLower(tc.Format); params[0].Type != want {
				return templateSend{}, newError(CodeParamFormat, fmt.Sprintf("header: Format mismatch, expected %s, received %s", tc.Format, strings.ToUpper(params[0].Type)))
			}
			continue
		}
		if len(params) != len(vars) {
			return templateSend{}, newError(CodeParamCountMismatch, fmt.Sprintf("%s: number of localizable_params (%d) does not match the expected number of params (%d)", typ, len(params), len(vars)))
		}
		values := map[string]string{}
		for i, p := range params {
			v, ok := p.value()
			if !ok {
				return templateSend{}, newError(CodeParamFormat, fmt.Sprintf("%s: parameter %d has type %q, expected text, currency or date_time", typ, i+1, p.Type))
			}
			if strings.TrimSpace(v) == "" {
				return templateSend{}, newError(CodeMissingParameter, fmt.Sprintf("%s: parameter %d is empty", typ, i+1))
			}
			if strings.ContainsAny(v, "\n\t") || fourSpacesRE.MatchString(v) {
				return templateSend{}, newError(CodeFormatCharPolicy, fmt.Sprintf("%s: Param text cannot have new-line/tab characters or more than 4 consecutive spaces", typ))
			}
			key := vars[i]
			if t.ParameterFormat == "NAMED" {
				if p.ParameterName == "" || !contains(vars, p.ParameterName) {
					return templateSend{}, newError(CodeParamFormat, fmt.Sprintf("%s: parameter_name %q is not a parameter of the template", typ, p.ParameterName))
				}
				key = p.ParameterName
			}
			values[key] = v
		}
		if typ == "header" && has {
			out.header = placeholderRE.ReplaceAllStringFunc(tc.Text, func(m string) string {
				return values[placeholderRE.FindStringSubmatch(m)[1]]
			})
		}
		if typ == "body" && has {
			text := placeholderRE.ReplaceAllStringFunc(tc.Text, func(m string) string {
				return values[placeholderRE.FindStringSubmatch(m)[1]]
			})
			if n := len([]rune(text)); n > 1024 {
				return templateSend{}, newError(CodeHydratedTooLong, fmt.Sprintf("body: hydrated text is %d characters, the limit is 1024", n))
			}
			out.text = text
		}
	}
	// The footer is what the customer sees under the body (often the business name and how to opt
	// out); the journal keeps it so that what the customer saw can be audited.
	if fc, ok := t.component("footer"); ok {
		out.footer = fc.Text
	}
	if bc, ok := t.component("buttons"); ok {
		for i, b := range bc.Buttons {
			p := buttonParams[i]
			switch b.Type {
			case "QUICK_REPLY":
				payload := b.Text
				if p != nil && len(p.Parameters) > 0 && p.Parameters[0].Payload != "" {
					payload = p.Parameters[0].Payload
				}
				out.buttons = append(out.buttons, offeredButton{Title: b.Text, ID: payload})
			case "URL":
				if len(placeholders(b.URL)) > 0 && (p == nil || len(p.Parameters) == 0) {
					return templateSend{}, newError(CodeMissingParameter, fmt.Sprintf("buttons: Button at index %d of type Url requires a parameter", i))
				}
			}
		}
		for idx := range buttonParams {
			if idx < 0 || idx >= len(bc.Buttons) {
				return templateSend{}, newError(CodeParameterInvalid, fmt.Sprintf("buttons: there is no button at index %d", idx))
			}
		}
	} else if len(buttonParams) > 0 {
		return templateSend{}, newError(CodeParamCountMismatch, "buttons: number of localizable_params does not match the expected number of params (0)")
	}
	return out, nil
}

// describeTemplateLocked fills the journal record of a refused template send with what it would have
// been: the name and language asked for, and from the registry the category, header, footer, buttons and
// body, the body's variables filled with the parameters given as far as they go (a variable no
// parameter fills stays as written, {{2}}). A template that lacks the language asked for takes the
// category its other languages share.
func (s *Server) describeTemplateLocked(req *templateRequest, out *journal.OutboundData) {
	out.Template, out.Language = req.Name, req.Language.Code
	t := s.state.findTemplate(req.Name, req.Language.Code)
	if t == nil {
		out.Category = s.state.categoryOf(req.Name)
		return
	}
	out.Category = t.Category
	params := map[string][]templateParam{}
	for _, c := range req.Components {
		if typ := strings.ToLower(c.Type); typ == "header" || typ == "body" {
			params[typ] = c.Parameters
		}
	}
	if hc, ok := t.component("header"); ok && (hc.Format == "" || hc.Format == "TEXT") {
		out.Header = t.fill(hc.Text, params["header"])
	}
	if bc, ok := t.component("body"); ok {
		out.Text = t.fill(bc.Text, params["body"])
	}
	if fc, ok := t.component("footer"); ok {
		out.Footer = fc.Text
	}
	if bc, ok := t.component("buttons"); ok {
		for _, b := range bc.Buttons {
			if b.Type == "QUICK_REPLY" {
				out.Buttons = append(out.Buttons, b.Text)
			}
		}
	}
}

// fill puts the parameters' values into text leniently, for the record of a refused send: positional
// parameters by position and named ones by name; a variable without a usable value stays as written.
func (t *Template) fill(text string, params []templateParam) string {
	vars := placeholders(text)
	values := map[string]string{}
	for i, p := range params {
		v, ok := p.value()
		if !ok {
			continue
		}
		switch {
		case t.ParameterFormat == "NAMED":
			values[p.ParameterName] = v
		case i < len(vars):
			values[vars[i]] = v
		}
	}
	return placeholderRE.ReplaceAllStringFunc(text, func(m string) string {
		if v, ok := values[placeholderRE.FindStringSubmatch(m)[1]]; ok {
			return v
		}
		return m
	})
}

// categoryOf returns the category the registry's templates named name share across their languages, or
// "" when there is none or they differ.
func (st *state) categoryOf(name string) string {
	cat := ""
	for _, t := range st.templates {
		if t.Name != name {
			continue
		}
		if cat != "" && cat != t.Category {
			return ""
		}
		cat = t.Category
	}
	return cat
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// --- management: GET/POST/DELETE /{waba-id}/message_templates ---

type templatePage struct {
	Data   []Template `json:"data"`
	Paging *paging    `json:"paging,omitempty"`
}

type paging struct {
	Cursors cursors `json:"cursors"`
	Next    string  `json:"next,omitempty"`
}

type cursors struct {
	Before string `json:"before"`
	After  string `json:"after"`
}

func cursor(i int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("idx:" + strconv.Itoa(i)))
}

func parseCursor(c string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), "idx:") {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "idx:"))
	return n, err == nil && n >= 0
}

func (s *Server) listTemplates(r *http.Request) (any, *graphError) {
	q := r.URL.Query()
	limit := 25
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, errInvalid("Param limit must be a number between 1 and 1000")
		}
		limit = n
	}
	start := 0
	if v := q.Get("after"); v != "" {
		n, ok := parseCursor(v)
		if !ok {
			return nil, errInvalid("Param after is not a valid cursor")
		}
		start = n + 1
	}
	name, status, category, lang := q.Get("name"), strings.ToUpper(q.Get("status")), strings.ToUpper(q.Get("category")), q.Get("language")
	s.mu.Lock()
	var match []Template
	for _, t := range s.state.templates {
		if (name == "" || strings.Contains(t.Name, name)) && (status == "" || t.Status == status) &&
			(category == "" || t.Category == category) && (lang == "" || t.Language == lang) {
			match = append(match, t.clone())
		}
	}
	s.mu.Unlock()
	page := templatePage{Data: []Template{}}
	if start < len(match) {
		end := min(start+limit, len(match))
		page.Data = match[start:end]
		page.Paging = &paging{Cursors: cursors{Before: cursor(start), After: cursor(end - 1)}}
		if end < len(match) {
			page.Paging.Next = requestBase(r) + r.URL.Path + "?limit=" + strconv.Itoa(limit) + "&after=" + cursor(end-1)
		}
	}
	return page, nil
}

type createTemplateRequest struct {
	Name            string              `json:"name"`
	Language        string              `json:"language"`
	Category        string              `json:"category"`
	ParameterFormat string              `json:"parameter_format"`
	Components      []TemplateComponent `json:"components"`
}

func (s *Server) createTemplate(r *http.Request, body []byte) (any, *graphError) {
	var req createTemplateRequest
	if gerr := decodeJSON(body, &req); gerr != nil {
		return nil, gerr
	}
	switch {
	case req.Name == "":
		return nil, errRequired("name")
	case !templateNameRE.MatchString(req.Name):
		return nil, errInvalid("Param name must contain only lowercase characters, numbers and underscores")
	case req.Language == "":
		return nil, errRequired("language")
	case req.Category == "":
		return nil, errRequired("category")
	case !validCategories[strings.ToUpper(req.Category)]:
		return nil, errInvalid("Param category must be one of {AUTHENTICATION, MARKETING, UTILITY}")
	case len(req.Components) == 0:
		return nil, errRequired("components")
	}
	hasBody := false
	for i, c := range req.Components {
		typ := strings.ToUpper(c.Type)
		if typ == "BODY" {
			hasBody = true
			if len([]rune(c.Text)) > 1024 {
				return nil, errInvalid("Param components[%d][text] must be at most 1024 characters long", i)
			}
		}
		if typ != "HEADER" && typ != "BODY" && typ != "FOOTER" && typ != "BUTTONS" {
			return nil, errInvalid("Param components[%d][type] must be one of {HEADER, BODY, FOOTER, BUTTONS}", i)
		}
		req.Components[i].Type = typ
	}
	if !hasBody {
		return nil, errInvalid("Param components must contain a BODY component")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state.findTemplate(req.Name, req.Language) != nil {
		e := errInvalid("Content in this language already exists")
		e.Subcode = 2388024
		e.Details = fmt.Sprintf("Message template %q already exists in %s", req.Name, req.Language)
		return nil, e
	}
	s.state.tplSeq++
	t := Template{
		ID: strconv.FormatUint(1200000000000000+s.state.tplSeq, 10), Name: req.Name, Language: req.Language,
		Status: StatusPending, Category: strings.ToUpper(req.Category), ParameterFormat: strings.ToUpper(req.ParameterFormat),
		Components: req.Components,
	}
	if t.ParameterFormat == "" {
		t.ParameterFormat = "POSITIONAL"
	}
	s.state.templates = append(s.state.templates, t)
	return map[string]string{"id": t.ID, "status": t.Status, "category": t.Category}, nil
}

func (s *Server) deleteTemplate(r *http.Request) (any, *graphError) {
	q := r.URL.Query()
	name, hsmID := q.Get("name"), q.Get("hsm_id")
	if name == "" {
		return nil, errRequired("name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := s.state.templates[:0:0]
	deleted := 0
	for _, t := range s.state.templates {
		if t.Name == name && (hsmID == "" || t.ID == hsmID) {
			if t.Status == StatusDisabled {
				return nil, errInvalid("Disabled message templates cannot be deleted")
			}
			deleted++
			continue
		}
		kept = append(kept, t)
	}
	if deleted == 0 {
		e := errInvalid("Message template not found")
		e.Subcode = 2593002
		e.Details = fmt.Sprintf("Message template %q was not found", name)
		return nil, e
	}
	s.state.templates = kept
	return map[string]bool{"success": true}, nil
}

// setTemplateStatus changes a template's status (APPROVED, PAUSED, DISABLED, REJECTED, …) and sends the
// message_template_status_update webhook, as Meta does when a template is paused or reinstated.
func (s *Server) setTemplateStatus(name, lang, status string) error {
	status = strings.ToUpper(status)
	if !validStatuses[status] {
		return fmt.Errorf("unknown template status %q", status)
	}
	s.mu.Lock()
	t := s.state.findTemplate(name, lang)
	if t == nil {
		s.mu.Unlock()
		return fmt.Errorf("%w: template %s/%s", errNotFound, name, lang)
	}
	t.Status = status
	id := t.ID
	s.enqueueLocked(webhookJob{kind: jobTemplateStatus, template: templateStatusEvent{id: id, name: name, lang: lang, event: status}})
	s.mu.Unlock()
	s.journal.Record(journal.SourceHarness, "template.status", "", map[string]string{"name": name, "language": lang, "status": status})
	return nil
}

var errNotFound = errors.New("not found")
