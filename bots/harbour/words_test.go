package harbour

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/audit"
)

func TestUnderstand(t *testing.T) {
	tests := []struct {
		text string
		want want
	}{
		{"STOP", wantOptOut},
		{"please unsubscribe me", wantOptOut},
		{"no quiero más mensajes", wantOptOut},
		{"Por favor dejad de enviarme publicidad", wantOptOut},
		{"quiero darme de baja de las ofertas", wantOptOut},
		{"Stop promotions", wantOptOut},
		{"me opongo a que uséis mis datos para publicidad", wantObject},
		{"stop using my data for marketing", wantObject},
		{"Quiero una copia de todos los datos que tenéis sobre mí", wantAccess},
		{"Can I have a copy of my data?", wantAccess},
		{"quiero mis datos en un formato que pueda llevar a otra empresa (portabilidad)", wantPortability},
		{"borrad todos mis datos, por favor", wantErasure},
		{"please delete my data", wantErasure},
		{"my email has changed, it is now ana@example.test", wantRectify},
		{"quiero limitar el tratamiento de mis datos", wantRestrict},
		{"I want to file a complaint, my parcel arrived broken", wantComplaint},
		{"I'd like to talk to a person", wantPerson},
		{"quiero hablar con un agente", wantPerson},
		{"Where is my order?", wantOrder},
		{"I'd like your offers", wantOffers},
		{"Hello there", wantGreeting},
		{"yes please", wantYes},
		{"no, thanks", wantNo},
		{"thanks!", wantThanks},
		{"qwerty", wantNothing},
		{"", wantNothing},
	}
	for _, tc := range tests {
		if got := understand(tc.text); got != tc.want {
			t.Errorf("understand(%q) = %d, want %d", tc.text, got, tc.want)
		}
	}
}

func TestMenuChoice(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"1", 1}, {" 2 ", 2}, {"3.", 3}, {"option 4", 4}, {"Opción 2", 2}, {"#1", 1}, {"2 please", 2},
		{"12", 0}, {"0", 0}, {"I have 2 books", 0}, {"HB-50017", 0}, {"", 0},
	}
	for _, tc := range tests {
		if got := menuChoice(tc.text); got != tc.want {
			t.Errorf("menuChoice(%q) = %d, want %d", tc.text, got, tc.want)
		}
	}
}

func TestLanguage(t *testing.T) {
	tests := []struct{ text, want string }{
		{"Hello there", "en"},
		{"Where is my order?", "en"},
		{"please unsubscribe me", "en"},
		{"Hola", "es"},
		{"¿Dónde está mi pedido?", "es"},
		{"quiero darme de baja", "es"},
		{"1", ""},
		{"ok", ""},
	}
	for _, tc := range tests {
		if got := language(tc.text); got != tc.want {
			t.Errorf("language(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestReferenceFormat(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	format := regexp.MustCompile(`^HB-2026-[A-Z2-7]{6}$`)
	seen := map[string]bool{}
	for range 50 {
		r := newReference(at)
		if !format.MatchString(r) {
			t.Fatalf("reference %q is not HB-2026-XXXXXX", r)
		}
		if seen[r] {
			t.Fatalf("reference %q given twice", r)
		}
		seen[r] = true
	}
}

func TestMaskLeftovers(t *testing.T) {
	in := "mi DNI es 12345678Z, IBAN ES91 2100 0418 4502 0005 1332, tarjeta 4111 1111 1111 1111, correo ana@example.test, pedido HB-50017"
	out, n := maskLeftovers(in)
	for _, leak := range []string{"12345678Z", "2100 0418", "4111", "ana@example.test"} {
		if strings.Contains(out, leak) {
			t.Errorf("%q survived: %s", leak, out)
		}
	}
	if !strings.Contains(out, "HB-50017") {
		t.Errorf("the order code was masked: %s", out)
	}
	if n < 4 {
		t.Errorf("%d replacements, want at least 4", n)
	}
}

// TestRepliesMeanWhatTheySay: the replies the auditor and the goal-directed customers judge by meaning
// carry it, in both languages.
func TestRepliesMeanWhatTheySay(t *testing.T) {
	for _, l := range []lines{english, spanish} {
		checks := []struct {
			name, text string
			m          audit.Meaning
		}{
			{"greeting", l.greeting, audit.MeansAutomated},
			{"greeting", l.greeting, audit.MeansPersonOffered},
			{"notice", l.notice, audit.MeansPrivacy},
			{"opt-in question", l.optInQuestion, audit.MeansOptInQuestion},
			{"opt-out", l.optedOut, audit.MeansOptOutConfirmed},
			{"objection", fmt.Sprintf(l.objected, "HB-2026-ABCDEF"), audit.MeansOptOutConfirmed},
			{"objection", fmt.Sprintf(l.objected, "HB-2026-ABCDEF"), audit.MeansReference},
			{"handoff", l.handoff, audit.MeansHandoff},
			{"complaint", fmt.Sprintf(l.complaint, "HB-2026-ABCDEF"), audit.MeansReference},
			{"access", fmt.Sprintf(l.access, "HB-2026-ABCDEF"), audit.MeansRequestAcknowledged},
			{"erasure", fmt.Sprintf(l.erasure, "HB-2026-ABCDEF"), audit.MeansRequestAcknowledged},
			{"restriction", fmt.Sprintf(l.restricted, "HB-2026-ABCDEF"), audit.MeansRequestAcknowledged},
			{"not understood", l.notUnderst, audit.MeansClarification},
			{"privacy reminder", l.jit, audit.MeansPrivacy},
		}
		for _, c := range checks {
			if !audit.Means(c.text, c.m, privacyPage) {
				t.Errorf("%s does not mean %s: %q", c.name, c.m, c.text)
			}
		}
		for _, c := range []struct{ name, text string }{{"menu", l.menu}, {"notice", l.notice}, {"greeting", l.greeting}} {
			if audit.Means(c.text, audit.MeansOptInQuestion, privacyPage) {
				t.Errorf("the %s reads as an opt-in question: %q", c.name, c.text)
			}
		}
	}
}
