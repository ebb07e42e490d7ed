package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/bots/reference"
)

// matrixByURL are the switches the detection matrix through --bot-url plays by default, one per theme,
// among them an opt-out paraphrase caught by an Examples row; PARLEY_FULL_MATRIX=1 plays every switch.
var matrixByURL = []string{"WA-OPTOUT-02", "GDPR-ERASE-01", "GDPR-VERIFY-01", "WA-SEC-01", "WA-SEC-02"}

// TestDetectionMatrixByURL: for each violation switch, the reference assistant started as a separate
// process (`parley bot --violate RULE`, over HTTPS) and certified through --bot-url with the scenarios
// tagged with that rule is NOT CERTIFIED with the rule broken. The matrix is logged with the time it took.
func TestDetectionMatrixByURL(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the built binary against assistants started as processes")
	}
	builtParley(t)
	full := os.Getenv("PARLEY_FULL_MATRIX") != ""
	var switches []string
	for _, v := range reference.Violations() {
		if full || slices.Contains(matrixByURL, v.Rule) {
			switches = append(switches, v.Rule)
		}
	}
	work := t.TempDir()
	cert, key, ca := writeRunCA(t, work)
	started := time.Now()
	var mu sync.Mutex
	rows := map[string]string{}
	byRow := false
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for _, rule := range switches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			wa, df, dl := freeAddr(t), freeAddr(t), freeAddr(t)
			mockFlags := []string{"--whatsapp", wa, "--dialogflow", df, "--dlp", dl}
			bot := startBot(t, contractEnv(t, mockFlags), "--violate", rule, "--tls-cert", cert, "--tls-key", key)
			out := filepath.Join(work, rule)
			began := time.Now()
			stdout, stderr, code := runBinary(t, work, append([]string{"certify", "--bot-url", bot, "--webhook-ca", ca, "--tags", "@" + rule,
				"--out", out, "--quiet", "150ms"}, mockFlags...)...)
			mark := "MISSED"
			var by []string
			if code == 1 {
				r := readReportFile(t, out)
				for _, rr := range r.Rules {
					if rr.ID == rule && rr.Status == audit.Broken {
						mark = "detected"
					}
				}
				for _, s := range r.Scenarios {
					if s.RuleStatus[rule] == audit.Broken {
						by = append(by, s.Name)
					}
				}
				mu.Lock()
				if rule == "WA-OPTOUT-02" && slices.ContainsFunc(by, func(n string) bool { return strings.Contains(n, "(") && strings.Contains(n, ",") }) {
					byRow = true // an Examples row of an outline caught it
				}
				mu.Unlock()
			}
			if mark != "detected" {
				t.Errorf("--violate %s through --bot-url: exit %d, %s not broken\n%s%s", rule, code, rule, stdout, lastLines(stderr, 5))
			}
			mu.Lock()
			rows[rule] = fmt.Sprintf("%-17s %-9s %5.1fs  %d scenario(s)", rule, mark, time.Since(began).Seconds(), len(by))
			mu.Unlock()
		}()
	}
	wg.Wait()
	if slices.Contains(switches, "WA-OPTOUT-02") && !byRow {
		t.Error("no Examples row of an outline caught WA-OPTOUT-02 through --bot-url")
	}
	var lines []string
	for _, r := range rows {
		lines = append(lines, r)
	}
	sort.Strings(lines)
	t.Logf("detection matrix through --bot-url (%d switches, %s):\n%s", len(switches), time.Since(started).Round(time.Second), strings.Join(lines, "\n"))
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
