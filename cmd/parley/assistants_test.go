package main

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/report"
)

// TestOtherAssistantsByURL certifies the repository's two other assistants, each started as a separate
// process (`parley bot --assistant …`, over HTTPS) and reached through --bot-url with its own profile, as a
// vendor's would be: harbour (compliant, written in another company's words and flows) is CERTIFIED with
// every critical and high rule exercised; naive (answers everything the same way, ignores opt-outs) is
// NOT CERTIFIED with WA-OPTOUT-01 exercised and broken. Each rule's status is logged.
func TestOtherAssistantsByURL(t *testing.T) {
	builtParley(t)
	work := t.TempDir()
	cert, key, ca := writeRunCA(t, work)
	tests := []struct {
		assistant string
		check     func(t *testing.T, code int, stdout string, r report.Report)
	}{
		{"harbour", func(t *testing.T, code int, stdout string, r report.Report) {
			if code != 0 || r.Verdict != report.Certified {
				t.Errorf("harbour: exit %d, verdict %s, want 0 and certified\n%s", code, r.Verdict, stdout)
				for _, sc := range r.Scenarios {
					if sc.Status != report.ScenarioPassed {
						var b strings.Builder
						for _, tu := range sc.Transcript {
							fmt.Fprintf(&b, "  %s %s: %q %v\n", tu.At.Format("15:04:05.000"), tu.From, tu.Text, tu.Buttons)
						}
						t.Logf("%s (%s):\n%s", sc.Name, sc.Status, b.String())
					}
				}
			}
			for _, rr := range r.Rules {
				if (rr.Severity == audit.SeverityCritical || rr.Severity == audit.SeverityHigh) && rr.Status != audit.Passed {
					t.Errorf("harbour: %s (%s) is %s, want passed", rr.ID, rr.Severity, rr.Status)
				}
			}
		}},
		{"naive", func(t *testing.T, code int, stdout string, r report.Report) {
			if code != 1 || r.Verdict != report.NotCertified {
				t.Errorf("naive: exit %d, verdict %s, want 1 and not certified\n%s", code, r.Verdict, stdout)
			}
			if s := ruleStatus(r, "WA-OPTOUT-01"); s != audit.Broken {
				t.Errorf("naive: WA-OPTOUT-01 is %s, want broken", s)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.assistant, func(t *testing.T) {
			wa, df, dl := freeAddr(t), freeAddr(t), freeAddr(t)
			mockFlags := []string{"--whatsapp", wa, "--dialogflow", df, "--dlp", dl}
			bot := startBot(t, contractEnv(t, mockFlags), "--assistant", tc.assistant, "--tls-cert", cert, "--tls-key", key)
			profile, err := filepath.Abs(filepath.Join("..", "..", "bots", tc.assistant, "profile.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(work, tc.assistant)
			began := time.Now()
			stdout, stderr, code := runBinary(t, work, append([]string{"certify", "--bot-url", bot, "--webhook-ca", ca,
				"--profile", profile, "--out", out}, mockFlags...)...)
			if code == 2 {
				t.Fatalf("%s could not run:\n%s%s", tc.assistant, stdout, lastLines(stderr, 10))
			}
			r := readReportFile(t, out)
			t.Logf("%s through --bot-url in %s: %s\n%s", tc.assistant, time.Since(began).Round(time.Second), r.Verdict, ruleTable(r))
			tc.check(t, code, stdout, r)
		})
	}
}

func ruleStatus(r report.Report, id string) audit.Status {
	for _, rr := range r.Rules {
		if rr.ID == id {
			return rr.Status
		}
	}
	return ""
}

// ruleTable lists each rule's status, one a line, broken rules with their first finding.
func ruleTable(r report.Report) string {
	var lines []string
	for _, rr := range r.Rules {
		l := fmt.Sprintf("%-17s %-9s %s", rr.ID, rr.Severity, rr.Status)
		if len(rr.Findings) > 0 {
			l += fmt.Sprintf(" (%d finding(s); first in %q: %s)", len(rr.Findings), rr.Findings[0].Scenario, rr.Findings[0].Explanation)
		}
		lines = append(lines, l)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestHarbourOwnScenariosByURL plays harbour's own QA scenarios (bots/harbour/testdata/features, in its
// own words) against it started as a separate process over HTTPS and reached through --bot-url with its
// profile: every step holds, no rule is broken, and the rules they exercise pass.
func TestHarbourOwnScenariosByURL(t *testing.T) {
	builtParley(t)
	work := t.TempDir()
	cert, key, ca := writeRunCA(t, work)
	wa, df, dl := freeAddr(t), freeAddr(t), freeAddr(t)
	mockFlags := []string{"--whatsapp", wa, "--dialogflow", df, "--dlp", dl}
	bot := startBot(t, contractEnv(t, mockFlags), "--assistant", "harbour", "--tls-cert", cert, "--tls-key", key)
	features, err := filepath.Abs(filepath.Join("..", "..", "bots", "harbour", "testdata", "features"))
	if err != nil {
		t.Fatal(err)
	}
	profile := filepath.Join(filepath.Dir(filepath.Dir(features)), "profile.yaml")
	stdout, stderr, code := runBinary(t, work, append([]string{"certify", "--bot-url", bot, "--webhook-ca", ca,
		"--features", features, "--profile", profile, "--out", "r", "--quiet", "150ms"}, mockFlags...)...)
	if code == 2 {
		t.Fatalf("could not run:\n%s%s", stdout, lastLines(stderr, 10))
	}
	r := readReportFile(t, filepath.Join(work, "r"))
	t.Logf("harbour's own scenarios through --bot-url:\n%s", ruleTable(r))
	for _, rr := range r.Rules {
		for _, f := range rr.Findings {
			if rr.Status == audit.Broken {
				t.Errorf("%s broken in %q: %s", rr.ID, f.Scenario, f.Explanation)
			}
		}
	}
	for _, s := range r.Scenarios {
		if s.Error != "" {
			t.Errorf("scenario %q: %s", s.Name, s.Error)
		}
	}
	for _, id := range []string{"AI-DISC-01", "ES-CS-01", "WA-OPTOUT-01", "WA-OPTOUT-02", "WA-OPTOUT-03", "GDPR-CONSENT-01",
		"GDPR-DSR-01", "GDPR-DSR-02", "GDPR-ACCESS-01", "GDPR-PORT-01", "GDPR-RECT-01", "GDPR-ERASE-01", "GDPR-ERASE-02",
		"GDPR-OBJECT-01", "GDPR-RESTRICT-01", "GDPR-RET-01", "GDPR-VERIFY-01", "WA-XCUST-01", "PII-NLU-01", "PII-NLU-02",
		"GDPR-PROC-01", "PRIV-3P-01", "PRIV-JIT-01", "WA-ESC-01", "WA-ESC-02", "WA-SEC-01", "WA-SENS-01", "WA-WINDOW-01"} {
		if s := ruleStatus(r, id); s != audit.Passed {
			t.Errorf("%s is %s, want passed", id, s)
		}
	}
}

// TestNaiveIgnoresOptOutByURL: the naive assistant, started as a separate process and reached through
// --bot-url, is NOT CERTIFIED with WA-OPTOUT-01 broken when a customer who opted in on the web asks in the
// chat to stop and the next campaign reaches them (bots/naive/testdata/features).
func TestNaiveIgnoresOptOutByURL(t *testing.T) {
	builtParley(t)
	work := t.TempDir()
	wa, df, dl := freeAddr(t), freeAddr(t), freeAddr(t)
	mockFlags := []string{"--whatsapp", wa, "--dialogflow", df, "--dlp", dl}
	bot := startBot(t, contractEnv(t, mockFlags), "--assistant", "naive")
	features, err := filepath.Abs(filepath.Join("..", "..", "bots", "naive", "testdata", "features"))
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runBinary(t, work, append([]string{"certify", "--bot-url", bot, "--features", features,
		"--profile", filepath.Join(filepath.Dir(filepath.Dir(features)), "profile.yaml"), "--out", "r", "--quiet", "150ms"}, mockFlags...)...)
	if code != 1 || !strings.Contains(stdout, "NOT CERTIFIED") {
		t.Fatalf("exit %d, want 1 and NOT CERTIFIED\n%s%s", code, stdout, lastLines(stderr, 10))
	}
	r := readReportFile(t, filepath.Join(work, "r"))
	t.Logf("naive through --bot-url:\n%s", ruleTable(r))
	if s := ruleStatus(r, "WA-OPTOUT-01"); s != audit.Broken {
		t.Errorf("WA-OPTOUT-01 is %s, want broken", s)
	}
}
