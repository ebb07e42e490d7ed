package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/bots/reference"
	"github.com/parley-dev/parley/features"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/report"
	"github.com/parley-dev/parley/sim"
	"github.com/parley-dev/parley/steps"
)

// A certification run has two seams:
//
//   - a suite is the list of scenarios to play: Gherkin features (--features: the ones compiled into parley
//     by default, or a folder), or the same rules as the Go journeys of package sim (--features journeys).
//   - an environment factory (steps.EnvFactory) says where each scenario plays: the reference assistant
//     embedded with the mocks (the default), a vendor's running assistant (--bot-url) against mocks that
//     listen where `parley serve` would, or containers (--mode containers, --bot-image).
//
// Every scenario, whatever its suite, is played the same way: a fresh environment from the factory, the
// scenario's steps, the auditor over that environment's journal, and one report.Outcome.

// suite is a certification suite: what it is (name, version, hash of its content) and its scenarios, in
// a stable order.
type suite interface {
	describe() report.Suite
	scenarios() []scenario
}

// scenario is one runnable scenario of a suite.
type scenario struct {
	name  string
	tags  []string // with their @, as in Gherkin; the Go journeys are tagged with the rule ids they exercise
	rules []string // the rule ids it declares it exercises
	run   func(ctx context.Context, envs steps.EnvFactory) report.Outcome
}

// journeySuite is the built-in suite: sim.Journeys().
type journeySuite struct{ journeys []sim.Journey }

// journeySuiteVersion changes when the journeys change what they certify.
const journeySuiteVersion = "1"

func (s journeySuite) describe() report.Suite {
	// The journeys are Go code inside this binary, so their hash is the listing of what they are and
	// claim; the binary's own hash, also in the report, covers their code.
	var b strings.Builder
	for _, j := range s.journeys {
		fmt.Fprintf(&b, "%s\t%s\n", j.Name, strings.Join(j.Rules, ","))
	}
	return report.Suite{Name: "parley journeys", Version: journeySuiteVersion, SHA256: report.HashString(b.String())}
}

func (s journeySuite) scenarios() []scenario {
	var out []scenario
	for _, j := range s.journeys {
		tags := []string{"@journey"}
		for _, r := range j.Rules {
			tags = append(tags, "@"+r)
		}
		out = append(out, scenario{name: j.Name, tags: tags, rules: j.Rules, run: func(ctx context.Context, envs steps.EnvFactory) report.Outcome {
			return playJourney(ctx, envs, j, tags)
		}})
	}
	return out
}

// playJourney plays one Go journey in a fresh environment and audits what its journal recorded.
func playJourney(ctx context.Context, envs steps.EnvFactory, j sim.Journey, tags []string) (out report.Outcome) {
	out = report.Outcome{Name: j.Name, Tags: tags, Exercises: j.Rules, Started: time.Now()}
	defer func() { out.Duration = time.Since(out.Started) }()
	env, err := envs.Start(ctx, steps.Scenario{Name: j.Name, Tags: tags})
	if err != nil {
		out.Err = fmt.Errorf("starting the environment: %w", err)
		return out
	}
	out.Err = j.Run(ctx, env.World())
	if settle := env.World().Settle; settle != nil {
		if err := settle(ctx); err != nil && out.Err == nil {
			out.Err = fmt.Errorf("the run did not settle: %w", err)
		}
	}
	events, err := env.Events(ctx)
	if err != nil {
		out.Err = errors.Join(out.Err, fmt.Errorf("reading the journal: %w", err))
	}
	out.Events = events
	out.Audit = auditScenario(env, events)
	if err := env.Close(); err != nil {
		out.Err = errors.Join(out.Err, fmt.Errorf("closing the environment: %w", err))
	}
	return out
}

// historyAuditor is an environment whose scenarios share their assistant and journal with the scenarios
// before them (--bot-url): it audits a scenario over the whole history, keeping the findings the
// scenario's own events caused.
type historyAuditor interface {
	auditScenario() audit.Report
}

// auditScenario audits what a scenario recorded in env.
func auditScenario(env steps.Environment, events []journal.Event) audit.Report {
	if h, ok := env.(historyAuditor); ok {
		return h.auditScenario()
	}
	return audit.Run(events, env.AuditOptions())
}

// certifyConfig is what `parley certify` runs.
type certifyConfig struct {
	mocks    serveConfig // where the mocks listen with --bot-url: the same flags as parley serve
	botURL   string
	botImage string
	image    string
	mode     string
	features string
	tags     string
	lang     string
	violate  string
	out      string
	failOn   string
	shard    string
	signKey  string
	printEnv bool
	parallel int
	quiet    time.Duration
	timeout  time.Duration
}

func (c *certifyConfig) flags(fs *flag.FlagSet) {
	c.mocks.flags(fs)
	fs.StringVar(&c.botURL, "bot-url", "", "certify the assistant running at this base URL (webhooks go to URL/webhook); start it with the environment of --print-env")
	fs.StringVar(&c.botImage, "bot-image", "", "certify the assistant in this container image, next to the mocks in containers (implies --mode containers)")
	fs.StringVar(&c.image, "image", "", "with --mode containers: the parley image running the mocks (default: build parley.local/parley from the source tree)")
	fs.StringVar(&c.mode, "mode", "embedded", "where the mocks run: embedded (in this process) or containers (Docker; honours DOCKER_HOST)")
	fs.StringVar(&c.features, "features", "builtin", "the suite: builtin (parley's Gherkin features, compiled into the binary), a folder of .feature files, or journeys (the same rules as Go journeys)")
	fs.StringVar(&c.tags, "tags", "", "tag expression choosing scenarios, e.g. '@WA-OPTOUT-01 or @GDPR-ERASE-01', 'not @wip'")
	fs.StringVar(&c.lang, "lang", "en", "language of the report: en or es")
	fs.StringVar(&c.violate, "violate", "", "comma-separated rule ids the reference assistant breaks on purpose (see parley bot --list-violations)")
	fs.StringVar(&c.out, "out", "parley-report", "folder the report is written to")
	fs.StringVar(&c.failOn, "fail-on", "low", "lowest severity of a finding that denies certification: critical, high, medium or low")
	fs.StringVar(&c.shard, "shard", "", "run only shard i of n (i/n, 1 <= i <= n); join the shards' reports with parley report merge")
	fs.StringVar(&c.signKey, "sign-key", "", "sign report.json with this Ed25519 private key (PEM, PKCS #8); check with parley report verify")
	fs.BoolVar(&c.printEnv, "print-env", false, "print the bot-contract environment that points an assistant at the mocks, and exit")
	fs.IntVar(&c.parallel, "parallel", 4, "scenarios played at once with the embedded reference assistant (--bot-url plays one at a time)")
	fs.DurationVar(&c.quiet, "quiet", 300*time.Millisecond, "with --bot-url: how long the assistant must stay silent to count as done")
	fs.DurationVar(&c.timeout, "scenario-timeout", 2*time.Minute, "longest a scenario may take")
}

func certifyUsage(fs *flag.FlagSet, w io.Writer) func() {
	return func() {
		fmt.Fprint(w, `Usage: parley certify [flags]

Runs the certification suite and writes the report (report.json, report.html, report.md, junit.xml,
cucumber.json) to --out. By default it certifies the built-in reference assistant with embedded mocks.
Exit status: 0 certified, 1 not certified, 2 could not run.

Examples:
  parley certify                                   # the reference assistant, embedded, the built-in features
  parley certify --violate WA-OPTOUT-01            # watch a broken rule get caught
  parley certify --print-env > bot.env             # the environment your assistant needs
  parley certify --bot-url http://127.0.0.1:8080   # your assistant, against mocks on :4010/:4020/:4030
  parley certify --bot-image acme/bot:1.4          # your assistant's image, next to the mocks in containers
  parley certify --features ./my-features          # your own feature files (documented steps only)
  parley certify --features journeys               # the suite as Go journeys instead of Gherkin
  parley certify --shard 1/3 --out shard1          # one of three CI jobs; then: parley report merge
  parley certify --tags '@WA-OPTOUT-01' --lang es --sign-key key.pem

Every flag can also be set with PARLEY_<FLAG> (e.g. PARLEY_BOT_URL, PARLEY_FAIL_ON).

Flags:
`)
		fs.PrintDefaults()
	}
}

func runCertify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("certify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg certifyConfig
	cfg.flags(fs)
	fs.Usage = certifyUsage(fs, stderr)
	if err := flagsFromEnv(fs, getenv); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		// The flag package has already printed the error and the usage; end with the one line to act on.
		return usageError("certify: %v (see parley certify -h)", err)
	}
	if fs.NArg() > 0 {
		return usageError("certify takes no arguments, got %q (flags go before nothing else; see parley certify -h)", fs.Args())
	}
	if cfg.printEnv {
		return printBotEnv(stdout, cfg)
	}
	plan, err := planCertify(cfg)
	if err != nil {
		return err
	}
	return plan.run(ctx, stdout, stderr)
}

// flagsFromEnv sets every flag of fs from its PARLEY_* variable, before the command line overrides them.
func flagsFromEnv(fs *flag.FlagSet, getenv func(string) string) error {
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if v := getenv(envName(f.Name)); v != "" && envErr == nil {
			if err := fs.Set(f.Name, v); err != nil {
				envErr = usageError("%s=%q: %v", envName(f.Name), v, err)
			}
		}
	})
	return envErr
}

// botContract is the environment that points an assistant at mocks listening as cfg says.
func botContract(cfg certifyConfig) [][2]string {
	port := "8080"
	if u, err := url.Parse(cfg.botURL); err == nil && u.Port() != "" {
		port = u.Port()
	}
	api := cfg.mocks.publicURL
	if api == "" {
		api = "http://" + cfg.mocks.whatsappAddr
	}
	return [][2]string{
		{"WHATSAPP_API_URL", strings.TrimRight(api, "/")},
		{"WHATSAPP_API_VERSION", "v23.0"},
		{"WHATSAPP_PHONE_NUMBER_ID", cfg.mocks.phoneNumberID},
		{"WHATSAPP_TOKEN", cfg.mocks.accessToken},
		{"WHATSAPP_APP_SECRET", cfg.mocks.appSecret},
		{"WHATSAPP_VERIFY_TOKEN", cfg.mocks.verifyToken},
		{"DIALOGFLOW_ENDPOINT", cfg.mocks.dialogflowAddr},
		{"DIALOGFLOW_PROJECT", cfg.mocks.dialogflowProject},
		{"DIALOGFLOW_LANGUAGE", "es"},
		{"DLP_ENDPOINT", cfg.mocks.dlpAddr},
		{"PORT", port},
	}
}

func printBotEnv(w io.Writer, cfg certifyConfig) error {
	for _, kv := range botContract(cfg) {
		if _, err := fmt.Fprintf(w, "%s=%s\n", kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// certifyPlan is a checked configuration: everything that can be refused has been, before any scenario
// runs.
type certifyPlan struct {
	cfg       certifyConfig
	suite     suite
	selected  []scenario
	total     int // after tags, before sharding
	failOn    audit.Severity
	signKey   []byte
	assistant report.Assistant
	violate   []string
}

func planCertify(cfg certifyConfig) (*certifyPlan, error) {
	p := &certifyPlan{cfg: cfg}
	var err error
	if p.failOn, err = report.ParseFailOn(cfg.failOn); err != nil {
		return nil, usageError("--fail-on %v", err)
	}
	if cfg.lang != "en" && cfg.lang != "es" {
		return nil, usageError("--lang %q: the report speaks en or es", cfg.lang)
	}
	if cfg.botImage != "" {
		cfg.mode = "containers" // an image runs only in containers
		p.cfg.mode = cfg.mode
	}
	switch cfg.mode {
	case "embedded":
	case "containers":
		if cfg.botURL != "" {
			return nil, usageError("--bot-url runs with the mocks in this process (embedded mode); in containers mode give the assistant's image with --bot-image")
		}
	default:
		return nil, usageError("--mode %q: want embedded or containers", cfg.mode)
	}
	if cfg.parallel < 1 {
		return nil, usageError("--parallel %d: want 1 or more", cfg.parallel)
	}
	for _, v := range strings.Split(cfg.violate, ",") {
		if v = strings.TrimSpace(v); v != "" {
			p.violate = append(p.violate, v)
		}
	}
	if cfg.botURL != "" {
		if len(p.violate) > 0 {
			return nil, usageError("--violate switches rules of the reference assistant only; it cannot be combined with --bot-url")
		}
		u, err := url.Parse(cfg.botURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, usageError("--bot-url %q: want the assistant's base URL, e.g. http://127.0.0.1:8080", cfg.botURL)
		}
		p.assistant = report.Assistant{Kind: "url", Name: "assistant at " + cfg.botURL, URL: strings.TrimRight(cfg.botURL, "/")}
	} else {
		known := map[string]bool{}
		for _, v := range reference.Violations() {
			known[v.Rule] = true
		}
		for _, v := range p.violate {
			if !known[v] {
				return nil, usageError("--violate %s: the reference assistant has no such switch (parley bot --list-violations lists them)", v)
			}
		}
		p.assistant = report.Assistant{Kind: "reference", Name: "parley reference assistant", Violations: p.violate}
		if cfg.botImage != "" {
			if len(p.violate) > 0 {
				return nil, usageError("--violate switches rules of the reference assistant only; it cannot be combined with --bot-image")
			}
			p.assistant = report.Assistant{Kind: "image", Name: "assistant in " + cfg.botImage, Image: cfg.botImage}
		}
	}
	usesFeatures := cfg.features != "journeys"
	if usesFeatures {
		s, err := newFeatureSuite(cfg.features)
		if err != nil {
			return nil, err
		}
		p.suite = s
	} else {
		p.suite = journeySuite{journeys: sim.Journeys()}
	}
	if usesFeatures && cfg.tags == "" {
		cfg.tags = features.DefaultTags // scenarios marked work-in-progress are not part of a certification
		p.cfg.tags = cfg.tags
	}
	expr, err := parseTagExpr(cfg.tags)
	if err != nil {
		return nil, usageError("--tags %q: %v", cfg.tags, err)
	}
	var chosen []scenario
	names := map[string]int{}
	for _, s := range p.suite.scenarios() {
		// Names identify scenarios in the report and when shards merge, so they must be unique.
		if names[s.name]++; names[s.name] > 1 {
			s.name = fmt.Sprintf("%s (%d)", s.name, names[s.name])
		}
		if expr.match(s.tags) {
			chosen = append(chosen, s)
		}
	}
	if len(chosen) == 0 {
		return nil, usageError("--tags %q selects no scenario of the suite; tags are @<rule id> (e.g. @WA-OPTOUT-01) and @journey, or the features' own tags", cfg.tags)
	}
	p.total = len(chosen)
	i, n, err := parseShard(cfg.shard)
	if err != nil {
		return nil, usageError("--shard %q: %v", cfg.shard, err)
	}
	for k, s := range chosen {
		if k%n == i-1 {
			p.selected = append(p.selected, s)
		}
	}
	if len(p.selected) == 0 {
		return nil, usageError("--shard %s is empty: the suite has only %d scenario(s) after --tags; use fewer shards", cfg.shard, len(chosen))
	}
	if err := checkWritable(cfg.out); err != nil {
		return nil, usageError("--out %s is not writable (%v); choose another folder with --out", cfg.out, err)
	}
	if cfg.signKey != "" {
		b, err := os.ReadFile(cfg.signKey)
		if err != nil {
			return nil, usageError("--sign-key: %v", err)
		}
		if _, err := report.ParsePrivateKey(b); err != nil {
			return nil, usageError("--sign-key %s: %v", cfg.signKey, err)
		}
		p.signKey = b
	}
	return p, nil
}

// parseShard reads i/n; the empty string is the whole suite (1/1).
func parseShard(s string) (i, n int, err error) {
	if s == "" {
		return 1, 1, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return 0, 0, errors.New("want i/n with 1 <= i <= n, e.g. 2/4")
	}
	return i, n, nil
}

// checkWritable makes dir and proves a file can be written in it, so an unwritable --out fails before
// the run rather than after it.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".parley-write-check-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

func (p *certifyPlan) run(ctx context.Context, stdout, stderr io.Writer) error {
	started := time.Now()
	logger := slog.New(slog.DiscardHandler)
	var (
		envs     steps.EnvFactory
		parallel = p.cfg.parallel
		mode     = "embedded"
	)
	if p.cfg.botURL != "" {
		vendor, err := startVendorMocks(ctx, p.cfg, logger)
		if err != nil {
			return err
		}
		defer vendor.close()
		for _, m := range vendor.mocks {
			fmt.Fprintf(stderr, "parley: %s mock listening on %s\n", m.name, m.url)
		}
		envs, parallel = vendor, 1 // one assistant, one journal: scenarios take turns
	} else if p.cfg.mode == "containers" {
		c, err := newContainersEnvs(ctx, p, logger, stderr)
		if err != nil {
			return err
		}
		envs, mode = c, "containers"
		parallel = min(parallel, 2) // each scenario starts its own containers
	} else {
		envs = steps.Embedded{Options: harness.Options{Seed: p.cfg.mocks.seed, Violations: p.violate, Logger: logger}}
	}

	prog := newProgress(stderr, len(p.selected))
	outcomes := make([]report.Scenario, len(p.selected))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(parallel, len(p.selected)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				sctx, cancel := context.WithTimeout(ctx, p.cfg.timeout)
				o := p.selected[i].run(sctx, envs)
				o.Name = p.selected[i].name // made unique by planCertify
				cancel()
				outcomes[i] = report.NewScenario(o)
				prog.done(outcomes[i])
			}
		}()
	}
	for i := range p.selected {
		select {
		case work <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	prog.finish()
	if ctx.Err() != nil {
		return &exitError{code: 2, err: fmt.Errorf("certify: interrupted (%v); no report written", context.Cause(ctx))}
	}

	s := p.suite.describe()
	s.Tags, s.Total = p.cfg.tags, p.total
	if p.cfg.shard != "" && p.cfg.shard != "1/1" {
		s.Shard = p.cfg.shard
	}
	binHash := ""
	if exe, err := os.Executable(); err == nil {
		binHash, _ = report.HashFile(exe)
	}
	rep := report.Build(report.Header{
		FailOn: p.failOn, Lang: p.cfg.lang, Assistant: p.assistant, Seed: p.cfg.mocks.seed, Suite: s,
		Parley:    report.Parley{Version: parleyVersion(), BinarySHA256: binHash, Mode: mode},
		StartedAt: started, FinishedAt: time.Now(),
	}, report.Catalogue(), outcomes)
	if _, err := report.WriteDir(p.cfg.out, rep); err != nil {
		return &exitError{code: 2, err: fmt.Errorf("certify: writing the report to %s: %w", p.cfg.out, err)}
	}
	if p.signKey != nil {
		if err := signReportFile(filepath.Join(p.cfg.out, report.FileJSON), p.signKey); err != nil {
			return &exitError{code: 2, err: fmt.Errorf("certify: signing: %w", err)}
		}
	}
	printVerdict(stdout, rep, p.cfg.out)
	if !rep.Certified() {
		return &exitError{code: 1, err: errSilent}
	}
	return nil
}

func signReportFile(path string, keyPEM []byte) error {
	key, err := report.ParsePrivateKey(keyPEM)
	if err != nil {
		return err
	}
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path+".sig", report.Sign(doc, key), 0o644)
}

// printVerdict writes the end of a run: the verdict, what broke, and where the report is.
func printVerdict(w io.Writer, r report.Report, dir string) {
	s := r.Summary
	v := "CERTIFIED"
	if !r.Certified() {
		v = "NOT CERTIFIED"
	}
	fmt.Fprintf(w, "%s: %s\n", r.Assistant.Name, v)
	fmt.Fprintf(w, "  %d scenarios: %d passed, %d failed, %d could not run\n", s.Scenarios, s.Passed, s.Failed, s.Errors)
	fmt.Fprintf(w, "  %d rules: %d passed, %d broken, %d not exercised\n", len(r.Rules), s.RulesPassed, s.RulesBroken, s.RulesUnseen)
	for _, rr := range r.Rules {
		if rr.Status == audit.Broken {
			fmt.Fprintf(w, "  ✗ %-16s %-8s %s (%d finding(s))\n", rr.ID, rr.Severity, rr.Title, len(rr.Findings))
		}
	}
	for _, sc := range r.Scenarios {
		if sc.Error != "" {
			// The first line says what failed; the transcript that follows it is in the report.
			first, _, _ := strings.Cut(sc.Error, "\n")
			fmt.Fprintf(w, "  ✗ scenario %q: %s\n", sc.Name, first)
		}
	}
	fmt.Fprintf(w, "  report: %s (also report.json, report.md, junit.xml, cucumber.json)\n", filepath.Join(dir, report.FileHTML))
}

// progress shows how far a run is: a line rewritten in place on a terminal, one plain line per scenario
// otherwise (CI logs).
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	total    int
	n        int
	findings int
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) done(s report.Scenario) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	p.findings += len(s.Findings)
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K[%d/%d] %d finding(s) · %s", p.n, p.total, p.findings, s.Name)
		return
	}
	fmt.Fprintf(p.w, "[%d/%d] %-6s %s (%d finding(s), %s)\n", p.n, p.total, s.Status, s.Name, len(s.Findings), time.Duration(s.Timings.WallMS)*time.Millisecond)
}

func (p *progress) finish() {
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K[%d/%d] done, %d finding(s)\n", p.n, p.total, p.findings)
	}
}

// vendorEnvs is the environment factory of --bot-url: the mocks listen where parley serve would, on one
// journal, for the whole run, and each scenario is a slice of that journal. The assistant is the vendor's
// and has no idle signal, so a scenario has settled when the WhatsApp mock has nothing in flight and the
// journal has been still for --quiet.
type vendorEnvs struct {
	cfg     certifyConfig
	mc      serveConfig // the mocks' configuration, webhook included
	logger  *slog.Logger
	played  int // scenarios started so far
	journal *journal.Journal
	mocks   []runningMock
	wa      *whatsapp.ControlClient
	hooks   *harness.Hooks
	hc      *http.Client
	df      *dialogflow.ControlClient
}

// controlHTTP is a client of the mocks' control API with its own connections, carrying the control
// token when there is one.
func (v *vendorEnvs) controlHTTP() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if v.mc.tlsRoots != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: v.mc.tlsRoots, MinVersion: tls.VersionTLS12}
	}
	var rt http.RoundTripper = tr
	if v.mc.controlToken != "" {
		rt = bearer{token: v.mc.controlToken, next: rt}
	}
	return &http.Client{Transport: rt}
}

// bearer adds the control token to every control call.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

func startVendorMocks(ctx context.Context, cfg certifyConfig, logger *slog.Logger) (*vendorEnvs, error) {
	base := strings.TrimRight(cfg.botURL, "/")
	if err := probeAssistant(ctx, base); err != nil {
		return nil, usageError("cannot reach the assistant at --bot-url %s (%v); start it with the environment of 'parley certify --print-env' and try again", cfg.botURL, err)
	}
	mc := cfg.mocks
	if mc.webhook == "" {
		mc.webhook = base + "/webhook"
	}
	if err := mc.checkExposure(); err != nil {
		return nil, err
	}
	if err := mc.setupTLS(); err != nil { // --tls: the mocks over HTTPS, the run's CA in --tls-ca-out
		return nil, err
	}
	j := journal.New(nil)
	mocks, err := startMocks(mc, j, logger)
	if err != nil {
		return nil, usageError("starting the mocks: %v; free the port or move the mock with --whatsapp, --dialogflow, --dlp", err)
	}
	v := &vendorEnvs{cfg: cfg, mc: mc, logger: logger, journal: j, mocks: mocks, hooks: &harness.Hooks{BaseURL: base, Journal: j}}
	v.hc = v.controlHTTP()
	v.wa = whatsapp.NewControlClient(mocks[0].url, whatsapp.WithControlHTTPClient(v.hc))
	for _, m := range mocks {
		if m.name == "dialogflow" {
			v.df = dialogflow.NewControlClient(m.url, v.hc)
		}
	}
	return v, nil
}

// probeAssistant checks that something answers HTTP at the assistant's base URL (any status will do: the
// point is a refused connection or a timeout before the run, not twenty failed scenarios after it).
func probeAssistant(ctx context.Context, base string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/webhook", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) {
			return op
		}
		return err
	}
	resp.Body.Close()
	return nil
}

func (v *vendorEnvs) close() {
	for _, m := range v.mocks {
		_ = m.close()
	}
}

// Start begins a scenario: its journal starts here, with a fresh WhatsApp mock on the same address (a
// new seed, so new message ids). Fresh, because the scenario's customers are new to WhatsApp (their
// inboxes empty); a new seed, because an assistant rightly ignores a message id it has already handled,
// as it would after a reset that restarted the ids. The assistant itself remembers its customers across
// scenarios, which is why scenarios take turns and each is audited with the whole run's history
// (auditScenario). Dialogflow and DLP keep running: their state is the assistant's sessions.
func (v *vendorEnvs) Start(_ context.Context, _ steps.Scenario) (steps.Environment, error) {
	if v.played > 0 {
		if err := v.mocks[0].close(); err != nil {
			return nil, fmt.Errorf("restarting the WhatsApp mock: %w", err)
		}
		mc := v.mc
		mc.dialogflowAddr, mc.dlpAddr = "", "" // startMocks starts WhatsApp always, the others when addressed
		mc.seed += int64(v.played)
		wa, err := startMocks(mc, v.journal, v.logger)
		if err != nil {
			return nil, fmt.Errorf("restarting the WhatsApp mock: %w", err)
		}
		v.mocks[0] = wa[0]
		// A new client: the old one's idle connections led to the mock that just closed.
		v.hc.CloseIdleConnections()
		v.hc = v.controlHTTP()
		v.wa = whatsapp.NewControlClient(wa[0].url, whatsapp.WithControlHTTPClient(v.hc))
	}
	v.played++
	e := &vendorEnv{v: v, from: v.journal.Last()}
	e.world = &sim.World{WhatsApp: v.wa, Journal: v.journal, Hooks: v.hooks, Settle: e.settle}
	return e, nil
}

type vendorEnv struct {
	v     *vendorEnvs
	from  uint64
	world *sim.World
}

func (e *vendorEnv) World() *sim.World              { return e.world }
func (e *vendorEnv) Dialogflow() dialogflow.Control { return e.v.df }
func (e *vendorEnv) WebhookURL() string             { return strings.TrimRight(e.v.cfg.botURL, "/") + "/webhook" }
func (e *vendorEnv) AuditOptions() audit.Options {
	return audit.Options{CertifyDeployed: true}
}
func (e *vendorEnv) Close() error { return nil }

// auditScenario judges the journal from the start of the run to now, so that what the assistant knows
// from earlier scenarios (a notice already given, a consent already collected) is known to the auditor
// too, and keeps the findings whose offending act (their first event) belongs to this scenario. A rule
// whose only findings belong to earlier scenarios counts as passed here: this scenario exercised it.
func (e *vendorEnv) auditScenario() audit.Report {
	rep := audit.Run(e.v.journal.After(0), e.AuditOptions())
	for i, res := range rep.Results {
		var kept []audit.Finding
		for _, f := range res.Findings {
			if len(f.Seqs) > 0 && f.Seqs[0] > e.from {
				kept = append(kept, f)
			}
		}
		res.Findings = kept
		if res.Status == audit.Broken && !slices.ContainsFunc(kept, func(f audit.Finding) bool { return f.Severity != audit.SeverityInfo }) {
			res.Status = audit.Passed
		}
		rep.Results[i] = res
	}
	return rep
}

func (e *vendorEnv) Events(context.Context) ([]journal.Event, error) {
	return e.v.journal.After(e.from), nil
}

func (e *vendorEnv) settle(ctx context.Context) error {
	for {
		if err := e.v.wa.AwaitIdle(ctx); err != nil {
			return err
		}
		before := e.v.journal.Last()
		t := time.NewTimer(e.v.cfg.quiet)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		if e.v.journal.Last() == before {
			return nil
		}
	}
}

// containersEnvs is the environment factory of --mode containers: every scenario gets its own network
// with the mocks (and the reference assistant, or --bot-image) in containers (harness.StartContainers).
type containersEnvs struct {
	o        harness.ContainersOptions
	deployed bool
}

func newContainersEnvs(ctx context.Context, p *certifyPlan, logger *slog.Logger, stderr io.Writer) (*containersEnvs, error) {
	if err := harness.DockerAvailable(ctx); err != nil {
		return nil, usageError("--mode containers needs a Docker engine (%v); start Docker or point DOCKER_HOST at one", err)
	}
	image := p.cfg.image
	if image == "" {
		fmt.Fprintln(stderr, "parley: building the parley image from the source tree (give --image to use a published one)")
		built, err := harness.BuildImage(ctx, nil)
		if err != nil {
			first, _, _ := strings.Cut(err.Error(), "\n")
			return nil, usageError("--mode containers: no --image given and the parley image could not be built here (%s); pass --image parley.local/parley:dev or a published tag", first)
		}
		image = built.Ref
	}
	return &containersEnvs{deployed: p.cfg.botImage != "", o: harness.ContainersOptions{
		Image: image, BotImage: p.cfg.botImage, Violations: p.violate, Seed: p.cfg.mocks.seed, Quiet: p.cfg.quiet, Logger: logger,
	}}, nil
}

func (c *containersEnvs) Start(ctx context.Context, _ steps.Scenario) (steps.Environment, error) {
	env, err := harness.StartContainers(ctx, c.o)
	if err != nil {
		return nil, err
	}
	return &containersEnv{env: env, deployed: c.deployed}, nil
}

type containersEnv struct {
	env      *harness.ContainersEnv
	deployed bool
}

func (e *containersEnv) World() *sim.World              { return e.env.World }
func (e *containersEnv) Dialogflow() dialogflow.Control { return e.env.Dialogflow }
func (e *containersEnv) WebhookURL() string             { return e.env.BotURL + "/webhook" }
func (e *containersEnv) AuditOptions() audit.Options {
	return audit.Options{CertifyDeployed: e.deployed}
}
func (e *containersEnv) Close() error { return e.env.Close() }
func (e *containersEnv) Events(ctx context.Context) ([]journal.Event, error) {
	if err := e.env.Sync(ctx); err != nil {
		return e.env.Journal.Events(), err
	}
	return e.env.Journal.Events(), nil
}

// tagExpr is a parsed --tags expression.
type tagExpr interface{ match(tags []string) bool }

type (
	tagAny  struct{}
	tagName string
	tagNot  struct{ x tagExpr }
	tagAnd  struct{ a, b tagExpr }
	tagOr   struct{ a, b tagExpr }
)

func (tagAny) match([]string) bool         { return true }
func (t tagName) match(tags []string) bool { return slices.Contains(tags, string(t)) }
func (t tagNot) match(tags []string) bool  { return !t.x.match(tags) }
func (t tagAnd) match(tags []string) bool  { return t.a.match(tags) && t.b.match(tags) }
func (t tagOr) match(tags []string) bool   { return t.a.match(tags) || t.b.match(tags) }

// parseTagExpr reads a Cucumber tag expression ("@a and not (@b or @c)"), also in godog's older
// spellings (&&, ||, ~ and a comma for or).
func parseTagExpr(s string) (tagExpr, error) {
	toks := tokenizeTags(s)
	if len(toks) == 0 {
		return tagAny{}, nil
	}
	p := &tagParser{toks: toks}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.i])
	}
	return e, nil
}

func tokenizeTags(s string) []string {
	var toks []string
	cur := ""
	flush := func() {
		if cur != "" {
			toks = append(toks, cur)
			cur = ""
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			flush()
		case c == '(' || c == ')' || c == ',' || c == '~' || c == '!':
			flush()
			toks = append(toks, string(c))
		case (c == '&' || c == '|') && i+1 < len(s) && s[i+1] == c:
			flush()
			toks = append(toks, s[i:i+2])
			i++
		default:
			cur += string(c)
		}
	}
	flush()
	return toks
}

type tagParser struct {
	toks []string
	i    int
}

func (p *tagParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *tagParser) or() (tagExpr, error) {
	a, err := p.and()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t == "or" || t == "||" || t == ","; t = p.peek() {
		p.i++
		b, err := p.and()
		if err != nil {
			return nil, err
		}
		a = tagOr{a, b}
	}
	return a, nil
}

func (p *tagParser) and() (tagExpr, error) {
	a, err := p.unary()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t == "and" || t == "&&"; t = p.peek() {
		p.i++
		b, err := p.unary()
		if err != nil {
			return nil, err
		}
		a = tagAnd{a, b}
	}
	return a, nil
}

func (p *tagParser) unary() (tagExpr, error) {
	t := p.peek()
	p.i++
	switch {
	case t == "":
		return nil, errors.New("the expression ends too early")
	case t == "not" || t == "~" || t == "!":
		x, err := p.unary()
		return tagNot{x}, err
	case t == "(":
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, errors.New("a ( is not closed")
		}
		p.i++
		return x, nil
	case strings.HasPrefix(t, "@") && len(t) > 1:
		return tagName(t), nil
	}
	return nil, fmt.Errorf("%q is not a tag: tags start with @", t)
}

// featureSuite is a folder of Gherkin features played with the step library (package steps): each
// scenario is its own godog run (file:line), so it fits the same runner, progress and report as the Go
// journeys. Scenarios tagged @wip are left out unless --tags says otherwise.
type featureSuite struct {
	name  string
	fsys  fs.FS
	hash  string
	files int
	list  []scenario
}

// builtinFeatures names the feature files compiled into parley (package features).
const builtinFeatures = "builtin"

func newFeatureSuite(dir string) (*featureSuite, error) {
	s := &featureSuite{name: "features " + dir}
	if dir == builtinFeatures {
		s.fsys, s.name = features.FS(), "parley features"
	} else {
		st, err := os.Stat(dir)
		if err != nil || !st.IsDir() {
			return nil, usageError("--features %s: no such folder; give a folder of .feature files, or --features builtin for parley's own", dir)
		}
		s.fsys = os.DirFS(dir)
	}
	runnable, problems := steps.Lint(s.fsys, ".")
	if len(problems) > 0 {
		first := strings.Join(strings.Fields(problems[0].String()), " ") // one line: the problem and its fix
		return nil, usageError("--features %s: %d problem(s) in the feature files (run go test ./features for all), the first: %s", dir, len(problems), first)
	}
	if len(runnable) == 0 {
		return nil, usageError("--features %s holds no .feature file", dir)
	}
	var err error
	if s.hash, s.files, err = report.HashFS(s.fsys, ".feature"); err != nil {
		return nil, usageError("--features %s: %v", dir, err)
	}
	feats, err := godog.TestSuite{Options: &godog.Options{FS: s.fsys, Paths: runnable}}.RetrieveFeatures()
	if err != nil {
		return nil, usageError("--features %s: %v", dir, err)
	}
	for _, f := range feats {
		lines := map[string]int64{} // scenario id → line
		for _, c := range f.Feature.Children {
			if c.Scenario != nil {
				lines[c.Scenario.Id] = c.Scenario.Location.Line
			}
			if c.Rule != nil {
				for _, rc := range c.Rule.Children {
					if rc.Scenario != nil {
						lines[rc.Scenario.Id] = rc.Scenario.Location.Line
					}
				}
			}
		}
		seen := map[string]bool{}
		for _, p := range f.Pickles {
			line := lines[p.AstNodeIds[0]]
			path := fmt.Sprintf("%s:%d", p.Uri, line)
			if seen[path] {
				continue // an outline's rows run together, as one scenario of the report
			}
			seen[path] = true
			var tags, rules []string
			for _, t := range p.Tags {
				tags = append(tags, t.Name)
				if id := strings.TrimPrefix(t.Name, "@"); ruleIDs()[id] {
					rules = append(rules, id)
				}
			}
			name := p.Name
			if name == "" {
				name = path
			}
			s.list = append(s.list, scenario{name: name, tags: tags, rules: rules, run: func(ctx context.Context, envs steps.EnvFactory) report.Outcome {
				return s.play(ctx, envs, path, name, tags, rules)
			}})
		}
	}
	return s, nil
}

func ruleIDs() map[string]bool {
	ids := map[string]bool{}
	for _, r := range audit.Catalogue() {
		ids[r.ID] = true
	}
	return ids
}

func (s *featureSuite) describe() report.Suite {
	return report.Suite{Name: s.name, Version: fmt.Sprintf("%d files", s.files), SHA256: s.hash}
}

func (s *featureSuite) scenarios() []scenario { return s.list }

// play runs one scenario of the features with godog, capturing its environment's journal when the step
// library closes it.
func (s *featureSuite) play(ctx context.Context, envs steps.EnvFactory, path, name string, tags, rules []string) report.Outcome {
	out := report.Outcome{Name: name, Tags: tags, Exercises: rules, Started: time.Now()}
	rec := &recordingEnvs{next: envs}
	var stepErr error
	opts := godog.Options{FS: s.fsys, Paths: []string{path}, Format: "progress", Output: io.Discard, NoColors: true,
		Concurrency: 1, DefaultContext: ctx}
	status := godog.TestSuite{Name: "parley", Options: &opts, ScenarioInitializer: func(sc *godog.ScenarioContext) {
		// Registered before the step library's own After, so it sees the steps' error alone: the rules are
		// judged below, over the journal, like every other suite's.
		sc.After(func(ctx context.Context, _ *godog.Scenario, err error) (context.Context, error) {
			stepErr = err
			return ctx, nil
		})
		steps.Register(sc, rec)
	}}.Run()
	out.Duration = time.Since(out.Started)
	out.Events, out.Err = rec.events, errors.Join(stepErr, rec.err)
	if status != 0 && out.Err == nil && rec.started == 0 {
		out.Err = fmt.Errorf("godog could not run %s (status %d)", path, status)
	}
	out.Audit = rec.report
	return out
}

// recordingEnvs hands out environments whose journal is kept when they close.
type recordingEnvs struct {
	next    steps.EnvFactory
	started int
	events  []journal.Event
	report  audit.Report
	err     error
}

func (r *recordingEnvs) Start(ctx context.Context, s steps.Scenario) (steps.Environment, error) {
	env, err := r.next.Start(ctx, s)
	if err != nil {
		r.err = fmt.Errorf("starting the environment: %w", err)
		return nil, err
	}
	r.started++
	return &recordingEnv{Environment: env, r: r}, nil
}

type recordingEnv struct {
	steps.Environment
	r *recordingEnvs
}

func (e *recordingEnv) Close() error {
	events, err := e.Environment.Events(context.Background())
	e.r.events = events
	if err != nil {
		e.r.err = fmt.Errorf("reading the journal: %w", err)
	}
	e.r.report = auditScenario(e.Environment, events)
	return e.Environment.Close()
}
