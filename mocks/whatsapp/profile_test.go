package whatsapp

import (
	"strings"
	"testing"
)

// TestBusinessProfile: the profile answers Meta's shape, an update changes what it answers, every
// refusal is Graph's code 100 in its envelope, and /_parley/reset brings the profile back.
func TestBusinessProfile(t *testing.T) {
	s := RunT(t, fixedWall())
	path := "/v24.0/" + s.PhoneNumberID() + "/whatsapp_business_profile"
	get := path + "?fields=about,address,description,email,profile_picture_url,websites,vertical"

	if res := call(t, s, "GET", get, "", nil); res.Status != 200 || string(res.Raw) != `{"data":[{"about":"Parley Demo","messaging_product":"whatsapp","vertical":"OTHER"}]}` {
		t.Fatalf("a new profile: HTTP %d %s", res.Status, res.Raw)
	}
	// The update body as Meta's business-profiles page gives it.
	update := `{"messaging_product":"whatsapp","about":"Especialistas en suculentas 🌵","address":"Calle Mayor 1, 28013 Madrid","description":"Plantas de interior y exterior.","email":"hola@example.com","websites":["https://www.example.com/","http://example.com/tienda"],"vertical":"RETAIL"}`
	if res := call(t, s, "POST", path, update, nil); res.Status != 200 || string(res.Raw) != `{"success":true}` {
		t.Fatalf("update: HTTP %d %s", res.Status, res.Raw)
	}
	want := `{"data":[{"about":"Especialistas en suculentas 🌵","address":"Calle Mayor 1, 28013 Madrid","description":"Plantas de interior y exterior.","email":"hola@example.com","messaging_product":"whatsapp","vertical":"RETAIL","websites":["https://www.example.com/","http://example.com/tienda"]}]}`
	if res := call(t, s, "GET", get, "", nil); res.Status != 200 || string(res.Raw) != want {
		t.Errorf("after the update: HTTP %d %s\nwant %s", res.Status, res.Raw, want)
	}
	if res := call(t, s, "GET", "/"+s.PhoneNumberID()+"/whatsapp_business_profile?fields=email", "", nil); string(res.Raw) != `{"data":[{"email":"hola@example.com","messaging_product":"whatsapp"}]}` {
		t.Errorf("one field without a version: HTTP %d %s", res.Status, res.Raw)
	}
	if res := call(t, s, "POST", path, `{"messaging_product":"whatsapp","about":"Nuevo"}`, nil); res.Status != 200 {
		t.Fatalf("partial update: HTTP %d %s", res.Status, res.Raw)
	}
	if res := call(t, s, "GET", path+"?fields=about,vertical", "", nil); string(res.Raw) != `{"data":[{"about":"Nuevo","messaging_product":"whatsapp","vertical":"RETAIL"}]}` {
		t.Errorf("a partial update keeps the other fields: %s", res.Raw)
	}

	if res := call(t, s, "POST", "/_parley/reset", "", nil); res.Status != 200 {
		t.Fatalf("reset: HTTP %d %s", res.Status, res.Raw)
	}
	if res := call(t, s, "GET", get, "", nil); string(res.Raw) != `{"data":[{"about":"Parley Demo","messaging_product":"whatsapp","vertical":"OTHER"}]}` {
		t.Errorf("after reset: %s", res.Raw)
	}
}

// TestBusinessProfileRefusals: each of Meta's limits on an update is refused with Graph's code 100,
// naming the parameter, and nothing of a refused update is kept.
func TestBusinessProfileRefusals(t *testing.T) {
	s := RunT(t, fixedWall())
	path := "/v24.0/" + s.PhoneNumberID() + "/whatsapp_business_profile"
	body := func(fields string) string { return `{"messaging_product":"whatsapp",` + fields + `}` }
	for _, tc := range []struct {
		name, body string
		wantHTTP   int
		wantCode   int
		want       string // in error.message
	}{
		{"no messaging_product", `{"about":"Hola"}`, 400, 100, "The parameter messaging_product is required."},
		{"another product", `{"messaging_product":"sms","about":"Hola"}`, 400, 100, "messaging_product"},
		{"about empty", body(`"about":""`), 400, 100, "Param about"},
		{"about 140 characters", body(`"about":"` + strings.Repeat("ñ", 140) + `"`), 400, 100, "Param about must be at most 139"},
		{"address 257 characters", body(`"address":"` + strings.Repeat("a", 257) + `"`), 400, 100, "Param address must be at most 256"},
		{"description 513 characters", body(`"description":"` + strings.Repeat("d", 513) + `"`), 400, 100, "Param description must be at most 512"},
		{"email not an address", body(`"email":"hola-at-example.com"`), 400, 100, "Param email must be a valid email"},
		{"email with a display name", body(`"email":"Hola <hola@example.com>"`), 400, 100, "Param email must be a valid email"},
		{"email 129 characters", body(`"email":"` + strings.Repeat("e", 117) + `@example.com"`), 400, 100, "Param email must be at most 128"},
		{"three websites", body(`"websites":["https://a.example","https://b.example","https://c.example"]`), 400, 100, "Param websites must have at most 2"},
		{"website without its scheme", body(`"websites":["www.example.com"]`), 400, 100, "Param websites[0]"},
		{"website over 256", body(`"websites":["https://example.com/` + strings.Repeat("p", 240) + `"]`), 400, 100, "Param websites[0] must be at most 256"},
		{"ftp website", body(`"websites":["https://example.com","ftp://example.com"]`), 400, 100, "Param websites[1]"},
		{"vertical not Meta's", body(`"vertical":"BAKERY"`), 400, 100, `Param vertical must be one of {UNDEFINED, OTHER, AUTO`},
		{"websites not an array", body(`"websites":"https://example.com"`), 400, 100, "Param websites has the wrong type"},
		{"profile picture handle", body(`"profile_picture_handle":"4::aW1hZ2U="`), 400, 131009, "Parameter value is not valid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := call(t, s, "POST", path, tc.body, nil)
			if res.Status != tc.wantHTTP || res.code() != tc.wantCode || !strings.Contains(string(res.Raw), tc.want) {
				t.Errorf("HTTP %d code %d %q, want HTTP %d code %d with %q", res.Status, res.code(), string(res.Raw), tc.wantHTTP, tc.wantCode, tc.want)
			}
		})
	}
	if res := call(t, s, "GET", path, "", nil); string(res.Raw) != `{"data":[{"about":"Parley Demo","messaging_product":"whatsapp","vertical":"OTHER"}]}` {
		t.Errorf("refused updates changed the profile: %s", res.Raw)
	}
	for _, tc := range []struct{ name, method, path, want string }{
		{"another phone number", "GET", "/v24.0/123/whatsapp_business_profile", "does not exist"},
		{"an unknown field", "GET", path + "?fields=about,hours", "Tried accessing nonexisting field (hours) on node type (WhatsAppBusinessProfile)"},
		{"without a token", "GET", path, "Invalid OAuth access token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.name == "without a token" {
				hdr["Authorization"] = ""
			}
			if res := call(t, s, tc.method, tc.path, "", hdr); res.Status == 200 || !strings.Contains(string(res.Raw), tc.want) {
				t.Errorf("HTTP %d %s, want an error with %q", res.Status, res.Raw, tc.want)
			}
		})
	}
}
