package whatsapp

import (
	"net/http"
	"net/mail"
	"net/url"
	"strings"
)

// The business profile of the phone number, as the WhatsApp Business Profile API reads and updates it
// (developers.facebook.com/documentation/business-messaging/whatsapp/business-phone-numbers/business-profiles):
// GET /{phone-number-id}/whatsapp_business_profile answers {"data":[{…,"messaging_product":"whatsapp"}]},
// POST updates the fields it names and answers {"success":true}. The limits are Meta's: about 1 to 139
// characters, address 256, description 512, email 128 and a valid address, at most 2 websites of 256
// characters each with their http:// or https:// prefix, and vertical one of Meta's industry values.

// Business profile limits, in characters.
const (
	MaxProfileAbout       = 139
	MaxProfileAddress     = 256
	MaxProfileDescription = 512
	MaxProfileEmail       = 128
	MaxProfileWebsite     = 256
	MaxProfileWebsites    = 2
)

// ProfileVerticals are the industry values Meta accepts for a business profile's vertical.
var ProfileVerticals = []string{
	"UNDEFINED", "OTHER", "AUTO", "BEAUTY", "APPAREL", "EDU", "ENTERTAIN", "EVENT_PLAN", "FINANCE", "GROCERY",
	"GOVT", "HOTEL", "HEALTH", "NONPROFIT", "PROF_SERVICES", "RETAIL", "TRAVEL", "RESTAURANT", "NOT_A_BIZ",
}

// businessProfile is the profile of the business phone number. A field never set is left out of the
// answer, as Graph leaves out empty fields.
type businessProfile struct {
	about, address, description, email, vertical string
	websites                                     []string
}

// newProfile is the profile a new phone number starts with.
func newProfile() businessProfile {
	return businessProfile{about: "Parley Demo", vertical: "OTHER"}
}

// node is every field of the profile that has a value, with messaging_product.
func (p businessProfile) node() map[string]any {
	n := map[string]any{"messaging_product": "whatsapp"}
	for k, v := range map[string]string{"about": p.about, "address": p.address, "description": p.description, "email": p.email, "vertical": p.vertical} {
		if v != "" {
			n[k] = v
		}
	}
	if len(p.websites) > 0 {
		n["websites"] = append([]string(nil), p.websites...)
	}
	return n
}

// profileFields are the fields of the WhatsAppBusinessProfile node a fields= may name.
var profileFields = map[string]bool{
	"about": true, "address": true, "description": true, "email": true, "profile_picture_url": true,
	"websites": true, "vertical": true, "messaging_product": true, "id": true,
}

// profileUpdate is the body of POST /{phone-number-id}/whatsapp_business_profile; nil is a field the
// request does not name.
type profileUpdate struct {
	MessagingProduct     *string   `json:"messaging_product"`
	About                *string   `json:"about"`
	Address              *string   `json:"address"`
	Description          *string   `json:"description"`
	Email                *string   `json:"email"`
	Vertical             *string   `json:"vertical"`
	Websites             *[]string `json:"websites"`
	ProfilePictureHandle *string   `json:"profile_picture_handle"`
}

// businessProfileEdge serves GET and POST /{phone-number-id}/whatsapp_business_profile.
func (s *Server) businessProfileEdge(w http.ResponseWriter, r *http.Request, phone string) (any, *graphError) {
	body, gerr := s.edgeRequest(w, r, phone, s.cfg.phoneNumberID)
	if gerr != nil {
		return nil, gerr
	}
	switch r.Method {
	case http.MethodGet:
		return s.getProfile(r)
	case http.MethodPost:
		return s.updateProfile(r, body)
	}
	return nil, s.unmodelled(r, "")
}

func (s *Server) getProfile(r *http.Request) (any, *graphError) {
	s.mu.Lock()
	node := s.state.profile.node()
	s.mu.Unlock()
	out := node
	if f := rawParam(r.URL.RawQuery, "fields"); f != "" {
		// Graph answers the fields asked for that have a value; messaging_product always comes.
		out = map[string]any{"messaging_product": "whatsapp"}
		for _, n := range graphFields(f) {
			if !profileFields[n] {
				return nil, errInvalid("Tried accessing nonexisting field (%s) on node type (WhatsAppBusinessProfile)", n)
			}
			if v, ok := node[n]; ok {
				out[n] = v
			}
		}
	}
	return map[string]any{"data": []any{out}}, nil
}

func (s *Server) updateProfile(r *http.Request, body []byte) (any, *graphError) {
	var req profileUpdate
	if gerr := decodeJSON(body, &req); gerr != nil {
		return nil, gerr
	}
	if req.MessagingProduct == nil || *req.MessagingProduct == "" {
		return nil, errRequired("messaging_product")
	}
	if *req.MessagingProduct != "whatsapp" {
		return nil, errInvalid("Param messaging_product must be one of {WHATSAPP} - got \"%s\".", *req.MessagingProduct)
	}
	if req.ProfilePictureHandle != nil {
		// A handle comes from the Resumable Upload API, which the mock does not have.
		return nil, s.unmodelled(r, "profile_picture_handle (the Resumable Upload API)")
	}
	if gerr := req.check(); gerr != nil {
		return nil, gerr
	}
	s.mu.Lock()
	p := &s.state.profile
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.about, req.About)
	set(&p.address, req.Address)
	set(&p.description, req.Description)
	set(&p.email, req.Email)
	set(&p.vertical, req.Vertical)
	if req.Websites != nil {
		p.websites = append([]string(nil), (*req.Websites)...)
	}
	s.mu.Unlock()
	return map[string]bool{"success": true}, nil
}

// check validates the fields an update names, in Meta's limits.
func (u profileUpdate) check() *graphError {
	if u.About != nil {
		if *u.About == "" {
			return errInvalid("Param about cannot be empty.")
		}
		if runes(*u.About) > MaxProfileAbout {
			return errInvalid("Param about must be at most %d characters long.", MaxProfileAbout)
		}
	}
	if u.Address != nil && runes(*u.Address) > MaxProfileAddress {
		return errInvalid("Param address must be at most %d characters long.", MaxProfileAddress)
	}
	if u.Description != nil && runes(*u.Description) > MaxProfileDescription {
		return errInvalid("Param description must be at most %d characters long.", MaxProfileDescription)
	}
	if u.Email != nil && *u.Email != "" {
		if runes(*u.Email) > MaxProfileEmail {
			return errInvalid("Param email must be at most %d characters long.", MaxProfileEmail)
		}
		if a, err := mail.ParseAddress(*u.Email); err != nil || a.Name != "" || a.Address != *u.Email {
			return errInvalid("Param email must be a valid email address.")
		}
	}
	if u.Websites != nil {
		ws := *u.Websites
		if len(ws) > MaxProfileWebsites {
			return errInvalid("Param websites must have at most %d elements.", MaxProfileWebsites)
		}
		for i, site := range ws {
			if runes(site) > MaxProfileWebsite {
				return errInvalid("Param websites[%d] must be at most %d characters long.", i, MaxProfileWebsite)
			}
			if p, err := url.Parse(site); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
				return errInvalid("Param websites[%d] must be a valid URL starting with http:// or https://.", i)
			}
		}
	}
	if u.Vertical != nil && !validVertical(*u.Vertical) {
		return errInvalid("Param vertical must be one of {%s} - got \"%s\".", strings.Join(ProfileVerticals, ", "), *u.Vertical)
	}
	return nil
}

func validVertical(v string) bool {
	for _, x := range ProfileVerticals {
		if v == x {
			return true
		}
	}
	return false
}
