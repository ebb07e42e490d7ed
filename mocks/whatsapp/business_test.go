package whatsapp

import (
	"strings"
	"testing"
)

// TestBusinessNodes: the phone number and the business account answer fields= as Graph does, their
// edges answer, and an unknown field is Graph's error.
func TestBusinessNodes(t *testing.T) {
	s := RunT(t, fixedWall())
	pn, waba := s.PhoneNumberID(), s.WABAID()
	for _, tc := range []struct {
		name, method, path string
		wantHTTP           int
		want               string // the raw body, or a substring of it with a leading "~"
	}{
		{"one field of the phone number", "GET", "/v24.0/" + pn + "?fields=verified_name", 200, `{"id":"` + pn + `","verified_name":"Parley Demo"}`},
		{"analytics with modifiers", "GET", "/v24.0/" + waba + "?fields=name,analytics.start(1680000000).end(1680500000).granularity(DAY)", 200, `~"granularity":"DAY"`},
		{"a field the node does not have", "GET", "/v24.0/" + pn + "?fields=verified_name;quality_rating", 400, `~Tried accessing nonexisting field (verified_name;quality_rating) on node type (WhatsAppBusinessPhoneNumber)`},
		{"the account's defaults", "GET", "/" + waba, 200, `~"message_template_namespace":"parley_demo_templates"`},
		{"phone numbers", "GET", "/v24.0/" + waba + "/phone_numbers", 200, `~"display_phone_number":"+`},
		{"phone numbers without a version", "GET", "/" + waba + "/phone_numbers?fields=id", 200, `~{"data":[{"id":"` + pn + `"}]`},
		{"subscribe", "POST", "/v24.0/" + waba + "/subscribed_apps", 200, `{"success":true}`},
		{"subscribed", "GET", "/v24.0/" + waba + "/subscribed_apps", 200, `~"whatsapp_business_api_data"`},
		{"unsubscribe", "DELETE", "/" + waba + "/subscribed_apps", 200, `{"success":true}`},
		{"unsubscribed", "GET", "/v24.0/" + waba + "/subscribed_apps", 200, `{"data":[]}`},
		{"another account", "GET", "/v24.0/123/phone_numbers", 400, `~does not exist`},
		{"an edge not modelled", "GET", "/v24.0/" + waba + "/flows", 400, `~"code":2500`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := call(t, s, tc.method, tc.path, "", nil)
			got := strings.TrimSpace(string(res.Raw))
			ok := got == tc.want
			if want, sub := strings.CutPrefix(tc.want, "~"); sub {
				ok = strings.Contains(got, want)
			}
			if res.Status != tc.wantHTTP || !ok {
				t.Errorf("HTTP %d %s, want %d %s", res.Status, got, tc.wantHTTP, tc.want)
			}
		})
	}
}

// TestLocationRequest: an interactive location_request_message with the action send_location is sent;
// another action is refused.
func TestLocationRequest(t *testing.T) {
	rcv := newReceiver(t)
	s := RunT(t, fixedWall(), WithWebhook(rcv.URL()))
	openWindow(t, s, lucia)
	msg := `{"messaging_product":"whatsapp","to":"` + lucia + `","type":"interactive","interactive":{"type":"location_request_message","body":{"text":"¿Dónde te entregamos el pedido?"},"action":{"name":"%s"}}}`
	if res := send(t, s, strings.Replace(msg, "%s", "send_location", 1)); res.Status != 200 {
		t.Errorf("send_location: HTTP %d %s", res.Status, res.Raw)
	}
	if res := send(t, s, strings.Replace(msg, "%s", "cta_url", 1)); res.Status != 400 || !strings.Contains(string(res.Raw), "send_location") {
		t.Errorf("another action: HTTP %d %s", res.Status, res.Raw)
	}
}
