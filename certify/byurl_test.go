package certify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/parley-dev/parley/bots/reference"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/harness/embedded"
	"github.com/parley-dev/parley/mocks/stack"
	"github.com/parley-dev/parley/report"
)

// referenceByURL starts the reference assistant as an external assistant: its own HTTPS server on a
// loopback port, with a certificate from a CA made for the run, configured with the bot contract of
// mocks started by URL around it (as `parley bot --tls-cert` next to `parley certify --bot-url
// --webhook-ca`). Both stop when the test ends.
func referenceByURL(tb testing.TB, violations ...string) *embedded.ByURL {
	tb.Helper()
	ca, err := stack.NewCA([]string{"127.0.0.1"})
	if err != nil {
		tb.Fatal(err)
	}
	caFile := filepath.Join(tb.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, ca.PEM, 0o600); err != nil {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	free := stack.Config{WhatsAppAddr: "127.0.0.1:0", DialogflowAddr: "127.0.0.1:0", DLPAddr: "127.0.0.1:0", Seed: 1, WebhookCA: caFile}
	v, err := embedded.StartByURL(embedded.ByURLOptions{Assistant: "https://" + ln.Addr().String(), Mocks: free})
	if err != nil {
		ln.Close()
		tb.Fatal(err)
	}
	cfg, err := reference.ConfigFromEnv(v.Contract().Getenv)
	if err != nil {
		tb.Fatal(err)
	}
	bot, err := reference.New(cfg, reference.WithObservedClock(), reference.WithViolations(violations...), reference.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		tb.Fatal(err)
	}
	tlsConf := bot.TLSConfig()
	if tlsConf == nil {
		tlsConf = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tlsConf.Certificates = []tls.Certificate{ca.Cert}
	srv := &http.Server{Handler: bot.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(tls.NewListener(ln, tlsConf)) }()
	tb.Cleanup(func() {
		_ = srv.Close()
		_ = bot.Close()
		_ = v.Close()
	})
	return v
}

// certifyByURL plays the plan against the reference assistant by URL, parallel scenarios at once.
func certifyByURL(tb testing.TB, v harness.Factory, plan *Plan, parallel int) report.Report {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	began := time.Now()
	progress := func(s report.Scenario) {
		tb.Logf("%6.1fs %-6s %5dms %s", time.Since(began).Seconds(), s.Status, s.Timings.WallMS, s.Name)
	}
	if _, ok := tb.(*testing.B); ok {
		progress = nil
	}
	rep, err := Run(ctx, Config{Plan: plan, Envs: v, Parallel: parallel, Timeout: time.Minute, Progress: progress})
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

// overlaps watches a shared assistant's scenarios and notes every time one that must play alone plays
// with another.
type overlaps struct {
	*embedded.ByURL
	alone map[string]bool

	mu     sync.Mutex
	active map[string]bool
	seen   []string
	most   int // the most scenarios seen playing at once
}

func (o *overlaps) Start(ctx context.Context, s harness.Scenario) (harness.Environment, error) {
	env, err := o.ByURL.Start(ctx, s)
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for other := range o.active {
		if o.alone[s.Name] || o.alone[other] {
			o.seen = append(o.seen, fmt.Sprintf("%q with %q", s.Name, other))
		}
	}
	o.active[s.Name] = true
	o.most = max(o.most, len(o.active))
	return &watchedEnv{Environment: env, o: o, name: s.Name}, nil
}

type watchedEnv struct {
	harness.Environment
	o    *overlaps
	name string
}

func (e *watchedEnv) Close() error {
	e.o.mu.Lock()
	delete(e.o.active, e.name)
	e.o.mu.Unlock()
	return e.Environment.Close()
}

// movingClock is a suite where two scenarios move the simulated clock and others do not.
var movingClock = fstest.MapFS{"clock.feature": {Data: []byte(`Feature: scenarios that share an assistant

  Scenario Outline: a customer says hello
    Given a customer "<name>" with phone "+34 612 345 678" who speaks Spanish
    When "<name>" says "Hola"

    Examples:
      | name   |
      | Lucía  |
      | Marta  |
      | Jorge  |
      | Carmen |

  Scenario: a day passes
    Given a customer "Ana" with phone "+34 612 345 678" who speaks Spanish
    When "Ana" says "Hola"
    And 25 hours pass

  Scenario: a campaign for everyone
    Given a customer "Pilar" with phone "+34 612 345 678" who speaks Spanish
    When the business sends the campaign "promo_verano"

  Scenario: another customer says hello
    Given a customer "Luis" with phone "+34 612 345 678" who speaks Spanish
    When "Luis" says "Buenas"
`)}}

// TestAloneScenariosNeverOverlap: against one assistant by URL, scenarios play at once, but one that moves
// the clock or sends a campaign to everyone never plays while another does.
func TestAloneScenariosNeverOverlap(t *testing.T) {
	if testing.Short() {
		t.Skip("plays scenarios against the reference assistant")
	}
	s, err := Features(movingClock, "clock")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Select(s, "", "")
	if err != nil {
		t.Fatal(err)
	}
	o := &overlaps{ByURL: referenceByURL(t), alone: map[string]bool{}, active: map[string]bool{}}
	var alone []string
	for _, sc := range plan.Selected {
		if sc.Alone {
			o.alone[sc.Name] = true
			alone = append(alone, sc.Name)
		}
	}
	slices.Sort(alone)
	if want := []string{"a campaign for everyone", "a day passes"}; !slices.Equal(alone, want) {
		t.Fatalf("scenarios marked alone: %q, want %q", alone, want)
	}
	rep := certifyByURL(t, o, plan, 4)
	if len(o.seen) > 0 {
		t.Errorf("scenarios that must play alone played with others: %s", strings.Join(o.seen, "; "))
	}
	if o.most < 2 {
		t.Errorf("at most %d scenario(s) played at once, want the others in parallel", o.most)
	}
	if len(rep.Scenarios) != len(plan.Selected) {
		t.Errorf("%d scenarios in the report, want %d", len(rep.Scenarios), len(plan.Selected))
	}
	for _, sc := range rep.Scenarios {
		if sc.Error != "" {
			t.Errorf("%q: %s", sc.Name, sc.Error)
		}
	}
}

// TestReferenceCertifiedByURLInParallel: the reference assistant, reached by URL, is CERTIFIED by the
// whole built-in suite played eight scenarios at once, every rule exercised.
func TestReferenceCertifiedByURLInParallel(t *testing.T) {
	if testing.Short() {
		t.Skip("plays the whole suite against the reference assistant")
	}
	s, err := BuiltinFeatures()
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Select(s, "", "")
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	rep := certifyByURL(t, referenceByURL(t), plan, 8)
	t.Logf("the whole suite by URL, 8 at once: %s in %s", rep.Verdict, time.Since(started).Round(100*time.Millisecond))
	var problems []error
	for _, sc := range rep.Scenarios {
		if sc.Error != "" || sc.Status != report.ScenarioPassed {
			problems = append(problems, fmt.Errorf("%q %s: %s %+v", sc.Name, sc.Status, sc.Error, sc.Findings))
		}
	}
	if !rep.Certified() || rep.Summary.RulesUnseen > 0 {
		t.Fatalf("verdict %s, %d rules not exercised, want CERTIFIED with every rule exercised\n%v", rep.Verdict, rep.Summary.RulesUnseen, errors.Join(problems...))
	}
}
