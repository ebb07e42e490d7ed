package harbour

import (
	"strings"
	"testing"

	"github.com/parley-dev/parley/profile"
)

// readProfile reads a profile as parley certify --profile does.
func readProfile(t *testing.T, path string) profile.Profile {
	t.Helper()
	p, err := profile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestProfileDescribesTheAssistant: the profile parley certifies against says what the assistant does.
func TestProfileDescribesTheAssistant(t *testing.T) {
	p := readProfile(t, "profile.yaml")
	if p.Version != profile.Version || p.Business.Name != businessName || p.Business.Controller != controller {
		t.Errorf("identity: %+v", p)
	}
	if p.Privacy.NoticeURL != privacyPage || !strings.Contains(english.notice, p.Privacy.NoticeURL) {
		t.Errorf("the notice URL %q is not the one the assistant gives", p.Privacy.NoticeURL)
	}
	if len(p.Languages) == 0 || p.Languages[0] != "en" {
		t.Errorf("languages %v, want English first", p.Languages)
	}
	orders := testOrders()
	if len(p.TestData.Orders) != len(orders) {
		t.Fatalf("the profile declares %d orders, the backend holds %d", len(p.TestData.Orders), len(orders))
	}
	for _, o := range p.TestData.Orders {
		digits := strings.NewReplacer("+", "", " ", "").Replace(o.Customer)
		if orders[o.Code].waID != digits {
			t.Errorf("order %s: the profile says %s, the backend %q", o.Code, o.Customer, orders[o.Code].waID)
		}
	}
	for _, h := range []string{profile.HookConsent, profile.HookNotify, profile.HookCampaign, profile.HookHandoffRelease} {
		if !strings.Contains(strings.Join(p.Hooks, " "), h) {
			t.Errorf("hook %s not declared", h)
		}
	}
}

// TestNaiveProfileFits: the naive assistant's profile fits package profile and names the business its
// reply names.
func TestNaiveProfileFits(t *testing.T) {
	p := readProfile(t, "../naive/profile.yaml")
	if p.Business.Name != "Papelería Lupe" {
		t.Errorf("business %q", p.Business.Name)
	}
}
