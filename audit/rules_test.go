package audit

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// ruleCase is one hand-built journal and what one rule must decide about it. For Broken, build returns
// the seqs the first finding must cite.
type ruleCase struct {
	rule, name string
	opts       Options
	want       Status
	build      func(b *jb) []uint64
	says       string // for Broken, when set: what the first finding's explanation must say
}

const (
	card  = "4111111111111111"
	iban  = "ES9121000418450200051332"
	dni   = "12345678Z"
	promo = "Tienda Ejemplo: 20 % de descuento este verano. Responde BAJA para no recibir más."
	day   = 24 * time.Hour
)

func evid(s ...uint64) []uint64 { return s }

// ruleCases are every rule's table cases, theme by theme, each theme's cases in a file of their own
// (rules_optin_test.go, rules_gdpr_requests_test.go, …). TestAllCasesInOneJournal names each case's
// customers after its place in this list.
var ruleCases = slices.Concat(optinCases, windowCases, optoutCases, escalationCases, securityCases,
	noticeCases, requestCases, processingCases, customerServiceCases)

func TestRules(t *testing.T) {
	runRuleCases(t, ruleCases)
}

// runRuleCases checks each case's rule alone over its journal: the status, and for Broken the evidence
// and the explanation of the first finding.
func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			r, ok := Lookup(tc.rule)
			if !ok {
				t.Fatalf("no rule %s in the catalogue", tc.rule)
			}
			b := newJ()
			want := tc.build(b)
			rep := RunRules([]Rule{r}, b.evs, tc.opts)
			res := rep.Results[0]
			if res.Status != tc.want {
				t.Fatalf("status %s, want %s; findings %+v; notes %v; unjudged %v", res.Status, tc.want, res.Findings, res.Notes, rep.Unjudged)
			}
			if tc.want != Broken {
				for _, f := range res.Findings {
					if f.Severity != SeverityInfo {
						t.Errorf("unexpected finding %+v", f)
					}
				}
				return
			}
			f := res.Findings[0]
			slices.Sort(want)
			if !slices.Equal(f.Seqs, want) {
				t.Errorf("evidence %v, want %v (%s)", f.Seqs, want, f.Explanation)
			}
			if f.Rule != tc.rule || f.Explanation == "" {
				t.Errorf("finding %+v: wrong rule or no explanation", f)
			}
			if !strings.Contains(f.Explanation, tc.says) {
				t.Errorf("explanation %q does not say %q", f.Explanation, tc.says)
			}
		})
	}
}

// TestEveryRuleHasCases fails when a catalogue rule lacks a passing or a failing table case, so a rule
// cannot be added without tests.
func TestEveryRuleHasCases(t *testing.T) {
	pass, fail := map[string]bool{}, map[string]bool{}
	for _, tc := range ruleCases {
		switch tc.want {
		case Passed:
			pass[tc.rule] = true
		case Broken:
			fail[tc.rule] = true
		}
	}
	for _, r := range Catalogue() {
		if !pass[r.ID] || !fail[r.ID] {
			t.Errorf("%s: passing case %v, failing case %v", r.ID, pass[r.ID], fail[r.ID])
		}
	}
}
