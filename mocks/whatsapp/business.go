package whatsapp

import (
	"net/http"
	"net/url"
	"strings"
)

// The Graph nodes of the business: its phone number (GET /{phone-number-id}) and its WhatsApp Business
// Account (GET /{waba-id}, its phone_numbers and subscribed_apps edges), which SDKs read at start-up. A
// node answers its default fields, or those fields= names (comma-separated; a field's modifiers, as in
// analytics.start(…).end(…), and subfields in braces are accepted and ignored) with its id, as Graph reads
// any node (https://developers.facebook.com/docs/graph-api/using-graph-api#fields).

// phoneNumberNode is every field of the business phone number the mock knows.
func (s *Server) phoneNumberNode() map[string]any {
	return map[string]any{
		"verified_name": "Parley Demo", "display_phone_number": "+" + s.cfg.displayNumber, "id": s.cfg.phoneNumberID,
		"quality_rating": "GREEN", "code_verification_status": "VERIFIED", "platform_type": "CLOUD_API",
		"throughput": map[string]string{"level": "STANDARD"}, "name_status": "APPROVED", "messaging_limit_tier": "TIER_1K",
		"is_official_business_account": false, "account_mode": "LIVE",
	}
}

// phoneNumberDefaults are the fields GET /{phone-number-id} answers without fields=.
var phoneNumberDefaults = []string{"verified_name", "display_phone_number", "id", "quality_rating", "code_verification_status", "platform_type", "throughput"}

// wabaNode is every field of the WhatsApp Business Account the mock knows. analytics has Meta's shape
// with no data points: the mock keeps no message counts by country and day.
func (s *Server) wabaNode() map[string]any {
	return map[string]any{
		"id": s.cfg.wabaID, "name": "Parley Demo", "timezone_id": "1", "message_template_namespace": "parley_demo_templates",
		"currency": "EUR", "account_review_status": "APPROVED", "business_verification_status": "verified",
		"ownership_type": "SELF", "primary_business_location": "ES",
		"analytics": map[string]any{"phone_numbers": []string{s.cfg.displayNumber}, "granularity": "DAY", "data_points": []any{}},
	}
}

var wabaDefaults = []string{"id", "name", "timezone_id", "message_template_namespace"}

// selectFields answers node with the fields r asks for (and its id), or with defaults; a field the node
// does not have is Graph's error.
func selectFields(r *http.Request, node map[string]any, defaults []string, nodeType string) (map[string]any, *graphError) {
	names := defaults
	if f := rawParam(r.URL.RawQuery, "fields"); f != "" {
		names = append(graphFields(f), "id")
	}
	out := map[string]any{}
	for _, n := range names {
		v, ok := node[n]
		if !ok {
			return nil, errInvalid("Tried accessing nonexisting field (%s) on node type (%s)", n, nodeType)
		}
		out[n] = v
	}
	return out, nil
}

// rawParam is the query parameter name of raw, read by hand: Go's url.Query drops a parameter holding a
// ";", which Graph takes as part of the value (fields=a;b names one field, "a;b").
func rawParam(raw, name string) string {
	for _, kv := range strings.Split(raw, "&") {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			if u, err := url.QueryUnescape(v); err == nil {
				return u
			}
			return v
		}
	}
	return ""
}

// graphFields are the field names of a fields= value: split at the commas outside parentheses and
// braces, each name up to its first modifier or subfield list.
func graphFields(f string) []string {
	var names []string
	depth, start := 0, 0
	for i := 0; i <= len(f); i++ {
		if i < len(f) {
			switch f[i] {
			case '(', '{':
				depth++
				continue
			case ')', '}':
				depth--
				continue
			case ',':
				if depth > 0 {
					continue
				}
			default:
				continue
			}
		}
		name := strings.TrimSpace(f[start:i])
		if j := strings.IndexAny(name, ".{("); j >= 0 {
			name = name[:j]
		}
		if name != "" {
			names = append(names, name)
		}
		start = i + 1
	}
	return names
}

// wabaEdge serves the phone_numbers and subscribed_apps edges of the business account, and the
// whatsapp_business_profile edge of the phone number (profile.go), whose id is then in waba.
func (s *Server) wabaEdge(w http.ResponseWriter, r *http.Request) {
	s.graphRequest(w, r, func() (any, *graphError) {
		waba, edge := r.PathValue("waba"), r.PathValue("edge")
		if !wabaEdges[edge] {
			return nil, s.unmodelled(r, "")
		}
		if edge == "whatsapp_business_profile" {
			return s.businessProfileEdge(w, r, waba)
		}
		if gerr := s.authorize(r); gerr != nil {
			return nil, gerr
		}
		if waba != s.cfg.wabaID {
			return nil, errUnknownObject(strings.ToLower(r.Method), waba)
		}
		switch {
		case edge == "phone_numbers" && r.Method == http.MethodGet:
			n, gerr := selectFields(r, s.phoneNumberNode(), phoneNumberDefaults, "WhatsAppBusinessPhoneNumber")
			if gerr != nil {
				return nil, gerr
			}
			return map[string]any{"data": []any{n}, "paging": map[string]any{"cursors": map[string]string{"before": "QVFIUzEZD", "after": "QVFIUzEZD"}}}, nil
		case edge == "subscribed_apps" && r.Method == http.MethodGet:
			s.mu.Lock()
			off := s.unsubscribed
			s.mu.Unlock()
			if off {
				return map[string]any{"data": []any{}}, nil
			}
			return map[string]any{"data": []any{map[string]any{"whatsapp_business_api_data": map[string]string{
				"id": DefaultAppID, "link": "https://www.facebook.com/games/?app_id=" + DefaultAppID, "name": "Parley Demo App"}}}}, nil
		case edge == "subscribed_apps" && (r.Method == http.MethodPost || r.Method == http.MethodDelete):
			s.mu.Lock()
			s.unsubscribed = r.Method == http.MethodDelete
			s.mu.Unlock()
			return map[string]bool{"success": true}, nil
		}
		return nil, s.unmodelled(r, "")
	})
}

// DefaultAppID is the id of the Meta app the mock's webhooks come from.
const DefaultAppID = "1000000000000001"
