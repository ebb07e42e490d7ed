package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/bots/reference"
	"github.com/parley-dev/parley/certify"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/harness/containers"
	"github.com/parley-dev/parley/harness/embedded"
	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/production"
	"github.com/parley-dev/parley/mocks/stack"
	"github.com/parley-dev/parley/profile"
	"github.com/parley-dev/parley/report"
	"github.com/parley-dev/parley/steps"
)

// `parley certify` parses and checks its flags, wires an environment factory (the reference assistant
// embedded, an assistant by URL against mocks listening where parley serve would, or containers), and
// hands the run to package certify; it prints the progress and the verdict and writes the report.

// certifyConfig is what `parley certify` runs.
type certifyConfig struct {
	mocks     serveConfig // where the mocks listen with --bot-url: the same flags as parley serve
	botURL    string
	botImage  string
	image     string
	mode      string
	features  string
	tags      string
	lang      string
	violate   string
	out       string
	failOn    string
	shard     string
	signKey   string
	profile   string
	rerun     string
	initProf  bool
	printEnv  bool
	asProd    bool
	allIfaces bool
	parallel  int
	maxScen   int
	quiet     time.Duration
	replyWait time.Duration
	timeout   time.Duration
	latency   float64
}

func (c *certifyConfig) flags(fs *flag.FlagSet) {
	c.mocks.flags(fs)
	fs.StringVar(&c.botURL, "bot-url", "", "certify the assistant running at this base URL (webhooks go to URL/webhook); start it with the environment of --print-env")
	fs.StringVar(&c.botImage, "bot-image", "", "certify the assistant in this container image, next to the mocks in containers (implies --mode containers)")
	fs.StringVar(&c.image, "image", "", "with --mode containers: the parley image running the mocks (default: build parley.local/parley from the source tree)")
	fs.BoolVar(&c.asProd, "as-production", false, "with --bot-image: run the image unchanged, as in production: parley answers as graph.facebook.com and the Google APIs with a CA and a service-account key made for the run, and the assistant has no other route out (docs/bot-contract.md)")
	fs.StringVar(&c.mode, "mode", "embedded", "where the mocks run: embedded (in this process) or containers (Docker; honours DOCKER_HOST)")
	fs.BoolVar(&c.allIfaces, "publish-all-interfaces", false, "with --mode containers: publish the containers' ports on every interface of the Docker host, not on its loopback only; a remote DOCKER_HOST needs it, and its network then reaches the mocks and the assistant's unauthenticated hooks")
	fs.StringVar(&c.features, "features", "builtin", "the suite: builtin (parley's Gherkin features, compiled into the binary), a folder of .feature files, or journeys (the same rules as Go journeys)")
	fs.StringVar(&c.tags, "tags", "", "tag expression choosing scenarios, e.g. '@WA-OPTOUT-01 or @GDPR-ERASE-01', 'not @wip'")
	fs.StringVar(&c.lang, "lang", "en", "language of the report: en or es")
	fs.StringVar(&c.violate, "violate", "", "comma-separated rule ids the reference assistant breaks on purpose (see parley bot --list-violations)")
	fs.StringVar(&c.out, "out", "parley-report", "folder the report is written to")
	fs.StringVar(&c.failOn, "fail-on", "low", "lowest severity of a finding that denies certification: critical, high, medium or low")
	fs.StringVar(&c.shard, "shard", "", "run only shard i of n (i/n, 1 <= i <= n); join the shards' reports with parley report merge")
	fs.StringVar(&c.signKey, "sign-key", "", "sign the report with this Ed25519 private key (PEM, PKCS #8): a manifest of the SHA-256 of every file written, and its signature; check with parley report verify")
	fs.StringVar(&c.rerun, "rerun", "", "play again only the scenarios that failed, could not run or missed their goal in this earlier report.json, of the same suite, assistant and parley; the new report joins them to the earlier scenarios and says it is a rerun (certified only if the earlier report passed everything else, and then for the two runs together)")
	fs.StringVar(&c.profile, "profile", "", "the assistant's profile (YAML or JSON, docs/profile.md): its business, languages, privacy notice, capabilities, test data and hooks; default: the reference assistant's")
	fs.BoolVar(&c.initProf, "init-profile", false, "write a commented profile to start from to the file given after the flags (stdout without one, or with -), and exit; an existing file is never overwritten")
	fs.BoolVar(&c.printEnv, "print-env", false, "print the bot-contract environment that points an assistant at the mocks, and exit")
	fs.IntVar(&c.maxScen, "max-scenarios", steps.DefaultScenarios, "most scenarios a --features folder may hold, counting each row of an outline (its files are also limited to 4 MiB each and 32 MiB together)")
	fs.IntVar(&c.parallel, "parallel", 4, "scenarios played at once (with --bot-url or --mode containers, against the one assistant; scenarios that move the clock, send a campaign or inject a fault still play alone)")
	fs.DurationVar(&c.quiet, "quiet", 0, "how long the assistant must stay silent to count as done, once every message is answered (default 150ms with --bot-url, where only the scenario's own customers count; 300ms in containers)")
	fs.DurationVar(&c.replyWait, "reply-wait", 3*time.Second, "how long a step waits for a reply it expects once the assistant has settled; with --bot-url also how long a customer's message may stay unanswered before a silent assistant counts as done")
	fs.Float64Var(&c.latency, "latency-factor", 1, "scale every \"within N seconds\" step's budget by this factor (1 or more), for a runner slower than the assistant's production, e.g. a loaded CI job; the report records each budget, the factor and the time measured")
	fs.DurationVar(&c.timeout, "scenario-timeout", 2*time.Minute, "longest a scenario may take")
}

func certifyUsage(fs *flag.FlagSet, w io.Writer) func() {
	return func() {
		fmt.Fprint(w, `Usage: parley certify [flags]

Runs the certification suite and writes the report (report.json, report.html, report.md, junit.xml,
cucumber.json) to --out. By default it certifies the built-in reference assistant with embedded mocks.
Certified needs every scenario passed and every critical and high rule exercised by the whole suite;
when nothing failed but the run was a subset (--tags, --shard) or left such a rule unexercised, the
verdict is INCOMPLETE: not a certification.
Exit status: 0 certified (or an incomplete subset you chose with --tags or --shard), 1 not certified,
2 could not run, 3 incomplete on the whole suite.

Examples:
  parley certify                                   # the reference assistant, embedded, the built-in features
  parley certify --violate WA-OPTOUT-01            # watch a broken rule get caught
  parley certify --print-env > bot.env             # the environment your assistant needs
  parley certify --init-profile acme.yaml          # a commented profile of your assistant to fill in
  parley certify --bot-url http://127.0.0.1:8080 --profile acme.yaml
  parley certify --bot-url http://127.0.0.1:8080   # your assistant, against mocks on :4010/:4020/:4030
  parley certify --bot-image acme/bot:1.4          # your assistant's image, next to the mocks in containers
  parley certify --bot-image acme/bot:1.4 --as-production   # the image unchanged: parley is graph.facebook.com and googleapis.com
  parley certify --print-env --proxy 127.0.0.1:4050 --production-dir kit > bot.env   # the same for an assistant on this machine:
  parley certify --bot-url http://127.0.0.1:8080 --proxy 127.0.0.1:4050 --production-dir kit   # started with bot.env, through HTTPS_PROXY
  parley certify --features ./my-features          # your own feature files (documented steps only)
  parley certify --features journeys               # the suite as Go journeys instead of Gherkin
  parley certify --shard 1/3 --out shard1          # one of three CI jobs; then: parley report merge
  parley certify --rerun parley-report/report.json --out rerun   # only what failed there, joined to the rest
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
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if cfg.initProf {
		return initProfile(fs.Args(), stdout)
	}
	if fs.NArg() > 0 {
		return usageError("certify takes no arguments, got %q (flags go before nothing else; see parley certify -h)", fs.Args())
	}
	if cfg.mocks.Proxy != "" && cfg.mocks.PublicURL == "" {
		// Through the proxy the assistant reaches the WhatsApp mock as graph.facebook.com, so the media
		// URLs of its webhooks name that host, as Meta's do.
		cfg.mocks.PublicURL = "https://" + production.HostGraph
	}
	if cfg.printEnv {
		return printBotEnv(stdout, cfg)
	}
	plan, err := planCertify(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	return plan.run(ctx, stdout, stderr)
}

// initProfile writes profile.Init to the file args name, or to stdout when they name none or "-". It
// never overwrites a file.
func initProfile(args []string, stdout io.Writer) error {
	if len(args) > 1 {
		return usageError("--init-profile writes one file, got %q", args)
	}
	if len(args) == 0 || args[0] == "-" {
		_, err := io.WriteString(stdout, profile.Init())
		return err
	}
	f, err := os.OpenFile(args[0], os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return usageError("--init-profile: %s already exists; parley does not overwrite it (choose another name, or remove it first)", args[0])
	}
	if err != nil {
		return usageError("--init-profile: %v", err)
	}
	if _, err := io.WriteString(f, profile.Init()); err != nil {
		f.Close()
		return fmt.Errorf("--init-profile: writing %s: %w", args[0], err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--init-profile: writing %s: %w", args[0], err)
	}
	fmt.Fprintf(stdout, "wrote %s: fill it in and certify with --profile %s\n", args[0], args[0])
	return nil
}

// loadProfile reads --profile: the profile and what the report records of it (its business and the
// file's SHA-256).
func loadProfile(path string) (profile.Profile, *report.ProfileInfo, error) {
	b, err := profile.ReadFile(path)
	if err == nil {
		var p profile.Profile
		if p, err = profile.Parse(b, path); err == nil {
			sum := sha256.Sum256(b)
			return p, &report.ProfileInfo{Business: p.Business.Name, Controller: p.Business.Controller, SHA256: hex.EncodeToString(sum[:])}, nil
		}
	}
	// One line: every problem of the file, separated.
	return profile.Profile{}, nil, usageError("%s (docs/profile.md)", strings.ReplaceAll(err.Error(), "\n", "; "))
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
	api := cfg.mocks.PublicURL
	if api == "" {
		api = "http://" + cfg.mocks.WhatsAppAddr
	}
	return [][2]string{
		{"WHATSAPP_API_URL", strings.TrimRight(api, "/")},
		{"WHATSAPP_API_VERSION", "v23.0"},
		{"WHATSAPP_PHONE_NUMBER_ID", cfg.mocks.PhoneNumberID},
		{"WHATSAPP_TOKEN", cfg.mocks.AccessToken},
		{"WHATSAPP_APP_SECRET", cfg.mocks.AppSecret},
		{"WHATSAPP_VERIFY_TOKEN", cfg.mocks.VerifyToken},
		{"DIALOGFLOW_ENDPOINT", cfg.mocks.DialogflowAddr},
		{"DIALOGFLOW_PROJECT", cfg.mocks.DialogflowProject},
		{"DIALOGFLOW_LANGUAGE", "es"},
		{"DLP_ENDPOINT", cfg.mocks.DLPAddr},
		{"PORT", port},
	}
}

// proxyRoute is the environment that sends an assistant on this machine to the production hosts
// through the proxy of --proxy, with the kit of --production-dir made there if it holds none, so that
// `certify --bot-url` started after with the same two flags serves the same CA and key: the CA for TLS
// libraries (SSL_CERT_FILE alone makes it the only root Go and OpenSSL trust, as in production mode's
// containers), the service-account key for Google's, and loopback left direct (NO_PROXY).
func proxyRoute(cfg certifyConfig) ([][2]string, error) {
	if cfg.mocks.Proxy == "" {
		return nil, nil
	}
	if cfg.mocks.ProductionDir == "" {
		return nil, usageError("--proxy needs --production-dir DIR: where the run's CA and service-account key are kept for the assistant (made there when it holds none); give the same two flags to certify --print-env and certify --bot-url")
	}
	if !control.IsLoopback(cfg.mocks.Proxy) {
		return nil, usageError("--proxy %s: the proxy serves an assistant on this machine and listens on loopback only (e.g. 127.0.0.1:4050)", cfg.mocks.Proxy)
	}
	if _, port, err := net.SplitHostPort(cfg.mocks.Proxy); err != nil || port == "0" {
		return nil, usageError("--proxy %s: want a fixed loopback address, e.g. 127.0.0.1:4050, that the assistant is told before the run", cfg.mocks.Proxy)
	}
	dir, err := filepath.Abs(cfg.mocks.ProductionDir)
	if err != nil {
		return nil, usageError("--production-dir: %v", err)
	}
	if _, err := production.EnsureKit(dir, cfg.mocks.DialogflowProject); err != nil {
		return nil, usageError("--production-dir: %v", err)
	}
	proxy := "http://" + cfg.mocks.Proxy
	ca := filepath.Join(dir, production.FileCA)
	route := [][2]string{{"HTTPS_PROXY", proxy}, {"https_proxy", proxy}, {"NO_PROXY", "localhost,127.0.0.1,::1"}, {"no_proxy", "localhost,127.0.0.1,::1"}}
	for _, v := range []string{"SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"} {
		route = append(route, [2]string{v, ca})
	}
	return append(route, [2]string{"GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(dir, production.FileCredentials)}), nil
}

// printBotEnv prints the bot contract, and with --proxy the proxy route, with the production endpoints
// in the contract: the assistant reaches every mock by its production name.
func printBotEnv(w io.Writer, cfg certifyConfig) error {
	route, err := proxyRoute(cfg)
	if err != nil {
		return err
	}
	env := botContract(cfg)
	if route != nil {
		for i, kv := range env {
			switch kv[0] {
			case "WHATSAPP_API_URL":
				env[i][1] = "https://" + production.HostGraph
			case "DIALOGFLOW_ENDPOINT":
				env[i][1] = production.HostDialogflow + ":443"
			case "DLP_ENDPOINT":
				env[i][1] = production.HostDLP + ":443"
			}
		}
	}
	for _, kv := range append(env, route...) {
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
	plan      *certify.Plan
	failOn    audit.Severity
	signKey   []byte
	assistant report.Assistant
	violate   []string
	profile   profile.Profile
	profInfo  *report.ProfileInfo // nil: the reference assistant's built-in profile
	binHash   string              // the SHA-256 of this parley binary, empty when it cannot be read
	earlier   *certify.Rerun      // --rerun: the earlier report
}

func planCertify(ctx context.Context, cfg certifyConfig, stderr io.Writer) (*certifyPlan, error) {
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
	if cfg.mocks.Proxy != "" {
		if cfg.botURL == "" {
			return nil, usageError("--proxy is the production route of an assistant on this machine (--bot-url); an image runs as production with --bot-image IMAGE --as-production")
		}
		if _, err := proxyRoute(cfg); err != nil {
			return nil, err
		}
	}
	if cfg.asProd && cfg.botImage == "" {
		return nil, usageError("--as-production runs an assistant's image as it runs in production; give the image with --bot-image")
	}
	if err := cfg.mocks.check(); err != nil {
		return nil, err
	}
	p.cfg.mocks = cfg.mocks // with the token read from its file
	if cfg.parallel < 1 {
		return nil, usageError("--parallel %d: want 1 or more", cfg.parallel)
	}
	if !(cfg.latency >= 1) || math.IsInf(cfg.latency, 0) {
		return nil, usageError("--latency-factor %g: want 1 or more; it loosens the budgets the features state, never tightens them", cfg.latency)
	}
	if cfg.maxScen < 1 {
		return nil, usageError("--max-scenarios %d: want 1 or more", cfg.maxScen)
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
			if cfg.asProd {
				p.assistant.Name += ", as in production"
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		p.binHash, _ = report.HashFile(exe)
	}
	if cfg.rerun != "" {
		if p.earlier, err = readRerun(cfg); err != nil {
			return nil, err
		}
	}
	if err := checkWritable(cfg.out); err != nil {
		return nil, usageError("--out %s is not writable (%v); choose another folder with --out", cfg.out, err)
	}
	if cfg.profile != "" {
		if p.profile, p.profInfo, err = loadProfile(cfg.profile); err != nil {
			return nil, err
		}
		if p.cfg.mocks.AgentWebhook == "" {
			p.cfg.mocks.AgentWebhook = p.profile.Agent.Webhook // the flag wins over the profile
		}
	}
	if cfg.signKey != "" {
		b, err := report.ReadFileMax(cfg.signKey, report.MaxKeyBytes)
		if err != nil {
			return nil, usageError("--sign-key: %v", err)
		}
		if _, err := report.ParsePrivateKey(b); err != nil {
			return nil, usageError("--sign-key %s: %v", cfg.signKey, err)
		}
		p.signKey = b
	}
	if p.earlier != nil {
		// Checked before --out is emptied, as the other flags are; the suite is checked once loaded.
		if err := report.CheckRerun(p.earlier.Report, p.header("")); err != nil {
			return nil, usageError("--rerun %s: %v", cfg.rerun, err)
		}
	}
	// An earlier run's report must not stay in --out while this one loads and runs: if this run is
	// stopped, no verdict is left there that it did not give.
	if err := report.RemoveStale(cfg.out); err != nil {
		return nil, usageError("--out %s: removing the earlier report: %v", cfg.out, err)
	}
	var suite *certify.Suite
	switch cfg.features {
	case "journeys":
		suite = certify.Journeys()
	case certify.Builtin:
		suite, err = certify.BuiltinFeatures()
	default:
		st, statErr := os.Stat(cfg.features)
		if statErr != nil || !st.IsDir() {
			return nil, usageError("--features %s: no such folder; give a folder of .feature files, or --features builtin for parley's own", cfg.features)
		}
		suite, err = certify.LoadFeatures(ctx, steps.DirFS(cfg.features), "features "+cfg.features, certify.LoadOptions{
			Limits: steps.Limits{Scenarios: cfg.maxScen}, Progress: loadProgress(stderr)})
	}
	if ctx.Err() != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("certify: stopped while loading --features %s: %w", cfg.features, ctx.Err())}
	}
	if err != nil {
		return nil, featuresError(cfg.features, err)
	}
	if p.earlier != nil {
		if p.plan, err = certify.SelectRerun(suite, *p.earlier); err != nil {
			return nil, usageError("--rerun %s: %v", cfg.rerun, err)
		}
		return p, nil
	}
	if p.plan, err = certify.Select(suite, cfg.tags, cfg.shard); err != nil {
		return nil, usageError("%v", err)
	}
	return p, nil
}

// readRerun reads the earlier report of --rerun, before --out is emptied: it must not be in --out, which
// this run replaces, since the earlier report (and its signature) is what backs the scenarios the rerun
// carries.
func readRerun(cfg certifyConfig) (*certify.Rerun, error) {
	if cfg.tags != "" || cfg.shard != "" {
		return nil, usageError("--rerun plays what the earlier report failed; it takes no --tags or --shard")
	}
	abs, err := filepath.Abs(cfg.rerun)
	if err != nil {
		return nil, usageError("--rerun: %v", err)
	}
	out, err := filepath.Abs(cfg.out)
	if err != nil {
		return nil, usageError("--out: %v", err)
	}
	if rel, err := filepath.Rel(out, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, usageError("--rerun %s is inside --out %s, which this run replaces: keep the earlier report and write the rerun elsewhere, e.g. --out %s-rerun",
			cfg.rerun, cfg.out, filepath.Clean(cfg.out))
	}
	b, err := report.ReadFileMax(cfg.rerun, report.MaxReportBytes)
	if err != nil {
		return nil, usageError("--rerun: %v", err)
	}
	r, err := report.Read(bytes.NewReader(b))
	if err != nil {
		return nil, usageError("--rerun %s: %v", cfg.rerun, err)
	}
	if err := r.Recheck(); err != nil {
		return nil, usageError("--rerun %s: %v", cfg.rerun, err)
	}
	return &certify.Rerun{Report: r, Of: report.RerunOf{Report: cfg.rerun, SHA256: report.HashString(string(b))}}, nil
}

// header is the report's header as far as the plan knows it (the suite and the times come from the run).
func (p *certifyPlan) header(mode string) report.Header {
	return report.Header{FailOn: p.failOn, Lang: p.cfg.lang, Assistant: p.assistant, Seed: p.cfg.mocks.Seed, Profile: p.profInfo,
		Parley: report.Parley{Version: parleyVersion(), BinarySHA256: p.binHash, Mode: mode}}
}

// loadProgress shows how loading a feature folder goes: a line at most every second, so a large folder
// shows it is being read and a small one prints nothing.
func loadProgress(w io.Writer) func(string) {
	last := time.Now()
	return func(s string) {
		if now := time.Now(); now.Sub(last) >= time.Second {
			last = now
			fmt.Fprintf(w, "parley: loading features: %s\n", s)
		}
	}
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
	logger := slog.New(slog.DiscardHandler)
	if err := printAgentSummary(stderr, p.cfg.mocks.Config); err != nil {
		return err
	}
	var (
		envs     harness.Factory
		parallel = p.cfg.parallel
		mode     = "embedded"
	)
	if p.cfg.botURL != "" {
		vendor, err := startByURL(p.cfg, logger, stderr)
		if err != nil {
			return err
		}
		defer vendor.Close()
		for _, m := range vendor.Mocks() {
			fmt.Fprintf(stderr, "parley: %s mock listening on %s\n", m.Name, m.URL)
		}
		// One assistant, one journal, one clock: scenarios play at once, each on its own customers, and
		// those that change what every scenario sees play alone (certify.Run).
		envs = vendor
	} else if p.cfg.mode == "containers" {
		c, err := newContainersEnvs(ctx, p, logger, stderr)
		if err != nil {
			return err
		}
		defer c.Close()
		envs, mode = c, "containers"
	} else {
		envs = embedded.Factory{Seed: p.cfg.mocks.Seed, Violations: p.violate, Logger: logger,
			Agent: p.cfg.mocks.Agent, AgentWebhook: p.cfg.mocks.AgentWebhook}
	}
	prog := newProgress(stderr, len(p.plan.Selected), p.cfg.lang)
	rep, err := certify.Run(ctx, certify.Config{
		Plan: p.plan, Envs: envs, Parallel: parallel, Timeout: p.cfg.timeout, ReplyWait: p.cfg.replyWait, LatencyFactor: p.cfg.latency, Progress: prog.done, Profile: p.profile,
		Header: p.header(mode),
	})
	prog.finish()
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("certify: could not run: %w", err)}
	}
	var key ed25519.PrivateKey
	if p.signKey != nil {
		if key, err = report.ParsePrivateKey(p.signKey); err != nil {
			return &exitError{code: 2, err: fmt.Errorf("certify: signing: %w", err)}
		}
	}
	if _, err := report.WriteDir(p.cfg.out, rep, key); err != nil {
		return &exitError{code: 2, err: fmt.Errorf("certify: writing the report to %s: %w", p.cfg.out, err)}
	}
	printVerdict(stdout, rep, p.cfg.out)
	return verdictExit(rep)
}

// verdictExit is the exit status of a verdict: 0 certified; 1 not certified; for an incomplete run, 0
// when it was a subset the user chose (--tags, one shard: nothing failed, and the report says it is not a
// certification) and 3 when the whole suite left critical or high rules unexercised.
func verdictExit(r report.Report) error {
	switch {
	case r.Certified():
		return nil
	case r.Incomplete() && r.Summary.Subset != "":
		return nil
	case r.Incomplete():
		return &exitError{code: 3, err: errSilent}
	}
	return &exitError{code: 1, err: errSilent}
}

// printVerdict writes the end of a run: the verdict, what broke, and where the report is, in the
// report's language (report.Console).
func printVerdict(w io.Writer, r report.Report, dir string) {
	_ = report.Console(w, r, dir) // a terminal that cannot be written to changes nothing of the run
}

// progress shows how far a run is: a line rewritten in place on a terminal, one plain line per scenario
// otherwise (CI logs).
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	lang     string // en or es
	tty      bool
	total    int
	n        int
	findings int
}

func newProgress(w io.Writer, total int, lang string) *progress {
	p := &progress{w: w, total: total, lang: lang}
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
		fmt.Fprint(p.w, "\r\033[K"+report.ProgressLive(p.lang, p.n, p.total, p.findings, s.Name))
		return
	}
	fmt.Fprint(p.w, report.ProgressLine(p.lang, p.n, p.total, s))
}

func (p *progress) finish() {
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K"+report.ProgressDone(p.lang, p.n, p.total, p.findings))
	}
}

// startByURL starts the mocks around the assistant at --bot-url (embedded.ByURL), where parley serve
// would.
func startByURL(cfg certifyConfig, logger *slog.Logger, stderr io.Writer) (*embedded.ByURL, error) {
	v, err := embedded.StartByURL(embedded.ByURLOptions{
		Assistant: cfg.botURL, Mocks: cfg.mocks.stackConfig(logger), Quiet: cfg.quiet, ReplyWait: cfg.replyWait,
		Warn: func(w string) { fmt.Fprintf(stderr, "parley: warning: %s\n", w) },
	})
	var ce *stack.ConfigError
	switch {
	case errors.As(err, &ce):
		return nil, usageError("%v", err)
	case err != nil:
		return nil, usageError("starting the mocks: %v; free the port or move the mock with --whatsapp, --dialogflow, --dlp", err)
	}
	return v, nil
}

// containersEnvs is the environment factory of --mode containers: one network for the run with the mocks
// (and the reference assistant, or --bot-image) in containers, every scenario played in it on customers
// of its own (containers.Shared).
type containersEnvs struct {
	*containers.Shared
	images []string
}

func newContainersEnvs(ctx context.Context, p *certifyPlan, logger *slog.Logger, stderr io.Writer) (*containersEnvs, error) {
	if err := containers.DockerAvailable(ctx); err != nil {
		return nil, usageError("--mode containers needs a Docker engine (%v); start Docker or point DOCKER_HOST at one", err)
	}
	image := p.cfg.image
	if image == "" {
		fmt.Fprintln(stderr, "parley: building the parley image from the source tree (give --image to use a published one)")
		built, err := containers.BuildImage(ctx, containers.BuildOptions{Shared: true})
		if err != nil {
			first, _, _ := strings.Cut(err.Error(), "\n")
			return nil, usageError("--mode containers: no --image given and the parley image could not be built here (%s); pass --image parley.local/parley:dev or a published tag", first)
		}
		image = built.Ref
	}
	images := []string{image}
	if p.cfg.botImage != "" {
		images = append(images, p.cfg.botImage)
	}
	return &containersEnvs{images: images, Shared: containers.NewShared(containers.Options{
		Image: image, BotImage: p.cfg.botImage, Violations: p.violate, Seed: p.cfg.mocks.Seed, Quiet: p.cfg.quiet, ReplyWait: p.cfg.replyWait,
		Agent: p.cfg.mocks.Agent, AgentWebhook: p.cfg.mocks.AgentWebhook,
		Logger: logger, Audit: audit.Options{CertifyDeployed: p.cfg.botImage != ""}, AsProduction: p.cfg.asProd,
		AllInterfaces: p.cfg.allIfaces,
	})}, nil
}

// Preflight checks, before the first scenario, what would otherwise fail every scenario alike: the images
// must be on the engine (parley pulls nothing), and the run's containers must start, the assistant's
// included, and pass the webhook handshake. So an image that exits at once, never listens or fails the
// handshake is reported once, with its last log lines (containers.ContainerError), and no scenario is
// played. Each wait is bounded by the options' StartupTimeout and HandshakeTimeout.
func (c *containersEnvs) Preflight(ctx context.Context) error {
	if err := containers.ImagesPresent(ctx, c.images...); err != nil {
		return err
	}
	return c.Shared.Preflight(ctx)
}
