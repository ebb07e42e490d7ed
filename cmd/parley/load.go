package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/parley-dev/parley/bots/reference"
	"github.com/parley-dev/parley/harness/containers"
	"github.com/parley-dev/parley/harness/embedded"
	"github.com/parley-dev/parley/load"
	"github.com/parley-dev/parley/mocks/stack"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

const loadUsage = `Usage: parley load [flags]
       parley load merge [--json] SUMMARY.json...

Drives many simulated customers at once through realistic journeys (greeting, order status, opt-in,
opt-out, data request) against the built-in reference assistant, or a running one with --bot-url, and
accounts for every message from the journal. Exit 0 when every journey finished, nothing was lost and no
rule was broken; 1 otherwise; 2 when the run could not be made.

The WhatsApp mock keeps the platform's throughput limit (--mps 80) and pair rate (--pair-rate 6s) unless
told otherwise; refused sends are counted with their code. Measure beyond the default tier with --mps 0.
With --bot-url the mocks listen where the mock flags say, as 'parley serve' does: point the assistant
there. --mode containers (implied by --bot-image) runs the mocks, and the reference assistant or the
vendor's image, in Docker as 'parley certify --mode containers' does; the mocks keep their default
limits. 'parley load merge' joins the --json summaries of the shards of one run.

Examples:
  parley load --customers 1000                               # within the platform's limits
  parley load --customers 10000 --rate 400 --think 30s --mps 0   # beyond them, ramped, with pauses
  parley load --customers 500 --mix mix.json --json > run.json   # your own journey weights, for CI
  parley load --shard 2/4 --json > s2.json && parley load merge s*.json

Every flag can also be set with PARLEY_<FLAG> (e.g. PARLEY_CUSTOMERS=1000); the command line wins.

Flags:
`

func runLoad(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "merge" {
		return runLoadMerge(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cfg         serveConfig
		customers   = fs.Int("customers", 100, "customers playing at once, across all shards")
		duration    = fs.Duration("duration", 0, "keep customers playing journeys (each time as a new person) this long; 0: one journey each")
		rate        = fs.Float64("rate", 0, "journeys started per second, across all shards; 0: all customers start at once")
		mixFile     = fs.String("mix", "", "JSON file of journey weights, e.g. {\"greeting\":1,\"order_status\":3}; default: the built-in mix")
		asJSON      = fs.Bool("json", false, "print the summary as JSON (for CI and 'parley load merge')")
		shardFlag   = fs.String("shard", "", "play only shard i of n, 1 <= i <= n (customers k, from 0, with k mod n = i-1); join the shards' --json summaries with 'parley load merge'; auto/n takes i from a Kubernetes Indexed Job's JOB_COMPLETION_INDEX")
		turnTimeout = fs.Duration("turn-timeout", 30*time.Second, "how long a customer waits for an answer")
		think       = fs.Duration("think", 0, "how long customers take between an answer and their next message, on average (0: at once)")
		botURL      = fs.String("bot-url", "", "base URL of a running assistant (its webhook is BOT-URL/webhook); default: the built-in reference assistant")
		mode        = fs.String("mode", "embedded", "embedded (mocks and reference assistant in this process) or containers (in Docker, as certify --mode containers)")
		image       = fs.String("image", "", "containers mode: the parley image of the mocks; default: built from the source tree")
		botImage    = fs.String("bot-image", "", "containers mode: a vendor's assistant image, given the bot contract's environment, listening on 8080")
		violations  = fs.String("violate", "", "comma-separated rule ids the reference assistant breaks on purpose (as certify --violate)")
	)
	cfg.flags(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, loadUsage)
		fs.PrintDefaults()
	}
	if err := flagsFromEnv(fs, getenv); err != nil {
		return err
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("load takes no arguments, got %q", fs.Args())
	}
	shard, err := parseLoadShard(*shardFlag, getenv)
	if err != nil {
		return usageError("--shard: %v", err)
	}
	if *customers < 1 {
		return usageError("--customers must be 1 or more")
	}
	lc := load.Config{Customers: *customers, Duration: *duration, Rate: *rate, Shard: shard, Seed: cfg.Seed, TurnTimeout: *turnTimeout, Think: *think}
	if *mixFile != "" {
		f, err := os.Open(*mixFile)
		if err != nil {
			return usageError("--mix: %v", err)
		}
		lc.Mix, err = load.ParseMix(f)
		f.Close()
		if err != nil {
			return usageError("--mix %s: %v", *mixFile, err)
		}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.logLevel)); err != nil {
		return usageError("--log-level %q: want debug, info, warn or error", cfg.logLevel)
	}
	// The mocks' logs would drown the progress line: only warnings and worse, unless asked.
	if cfg.logLevel == "info" {
		level = slog.LevelWarn
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	if *botImage != "" {
		*mode = "containers"
	}
	if err := cfg.check(); err != nil {
		return err
	}
	if err := printAgentSummary(stderr, cfg.Config); err != nil {
		return err
	}
	var target load.Environment
	var closeTarget func()
	switch *mode {
	case "embedded":
		target, closeTarget, err = loadTarget(ctx, cfg, *botURL, *violations, logger)
	case "containers":
		if *botURL != "" {
			return usageError("--bot-url runs the mocks in this process; leave out --mode containers or give --bot-image")
		}
		target, closeTarget, err = containersTarget(ctx, cfg, *image, *botImage, *violations, logger, stderr)
	default:
		return usageError("--mode %q: want embedded or containers", *mode)
	}
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("load: %w", err)}
	}
	defer closeTarget()

	tty := isTerminal(stderr)
	lc.ProgressEvery = 5 * time.Second
	if tty {
		lc.ProgressEvery = 250 * time.Millisecond
	}
	lc.Progress = func(p load.Progress) {
		line := fmt.Sprintf("%6.1fs  journeys %d/%d (%d active)  %6.0f turns/s  p50 %s  p99 %s  errors %d",
			p.Elapsed.Seconds(), p.Done, p.Started, p.Active, p.TurnsPerSecond, round(p.P50), round(p.P99), p.Errors)
		if tty {
			fmt.Fprintf(stderr, "\r\033[K%s", line)
		} else {
			fmt.Fprintln(stderr, line)
		}
	}
	sum, err := load.Run(ctx, target, lc)
	if tty {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("load: %w", err)}
	}
	lim := sendLimit{MPS: cfg.MPS}
	if *mode == "containers" {
		lim.MPS = whatsapp.DefaultMPS // the mocks in containers keep the platform's defaults
	}
	if *botURL == "" && *botImage == "" {
		lim.Paced = cfg.MPS * 7 / 8 // as loadTarget configures the reference assistant
	}
	if err := printSummary(stdout, sum, *asJSON, &lim); err != nil {
		return err
	}
	if !sum.Passed() {
		return &exitError{code: 1, err: errSilent}
	}
	return nil
}

// parseLoadShard reads --shard. "auto/N" takes the index from JOB_COMPLETION_INDEX, which a Kubernetes
// Indexed Job gives each pod counting from 0: the parley image has no shell to add the 1.
func parseLoadShard(s string, getenv func(string) string) (load.Shard, error) {
	if n, ok := strings.CutPrefix(s, "auto/"); ok {
		idx := getenv("JOB_COMPLETION_INDEX")
		k, err := strconv.Atoi(idx)
		if err != nil || k < 0 {
			return load.Shard{}, fmt.Errorf("shard %q: JOB_COMPLETION_INDEX is %q, want the Indexed Job's 0-based index", s, idx)
		}
		s = fmt.Sprintf("%d/%s", k+1, n)
	}
	return load.ParseShard(s)
}

// loadTarget starts the embedded environment, or the mocks alone around a running assistant.
func loadTarget(ctx context.Context, cfg serveConfig, botURL, violations string, logger *slog.Logger) (load.Environment, func(), error) {
	if botURL == "" {
		o := embedded.Options{Seed: cfg.Seed, Logger: logger, Agent: cfg.Agent, AgentWebhook: cfg.AgentWebhook,
			WhatsApp: []whatsapp.Option{whatsapp.WithMPS(cfg.MPS), whatsapp.WithPairRate(cfg.PairRate)},
			// The reference assistant paces itself a little under the mock's limit, as a well-behaved
			// business does; with no limit it does not pace at all.
			Bot: []reference.Option{reference.WithSendRate(cfg.MPS * 7 / 8)},
		}
		if violations != "" {
			o.Violations = strings.Split(violations, ",")
		}
		env, err := embedded.Start(ctx, o)
		if err != nil {
			return nil, nil, err
		}
		return env, func() { env.Close() }, nil
	}
	v, err := embedded.StartByURL(embedded.ByURLOptions{Assistant: botURL, Mocks: cfg.stackConfig(logger)})
	var ce *stack.ConfigError
	if errors.As(err, &ce) {
		return nil, nil, usageError("%v", err)
	}
	if err != nil {
		return nil, nil, err
	}
	env := v.Whole()
	return env, func() { env.Close() }, nil
}

// containersTarget starts the mocks (and the reference assistant, or botImage) in containers. The mocks
// run with their defaults, the platform's limits included; the customers play over the control API and
// the journal is fetched from the mocks as the run goes.
func containersTarget(ctx context.Context, cfg serveConfig, image, botImage, violations string, logger *slog.Logger, stderr io.Writer) (load.Environment, func(), error) {
	if err := containers.DockerAvailable(ctx); err != nil {
		return nil, nil, fmt.Errorf("--mode containers needs a Docker engine (%v); start Docker or point DOCKER_HOST at one", err)
	}
	if image == "" {
		fmt.Fprintln(stderr, "parley: building the parley image from the source tree (give --image to use a published one)")
		built, err := containers.BuildImage(ctx, containers.BuildOptions{Shared: true})
		if err != nil {
			first, _, _ := strings.Cut(err.Error(), "\n")
			return nil, nil, fmt.Errorf("the parley image could not be built here (%s); pass --image", first)
		}
		image = built.Ref
	}
	o := containers.Options{Image: image, BotImage: botImage, Seed: cfg.Seed, Logger: logger, Agent: cfg.Agent, AgentWebhook: cfg.AgentWebhook}
	if violations != "" {
		o.Violations = strings.Split(violations, ",")
	}
	env, err := containers.Start(ctx, o)
	if err != nil {
		return nil, nil, err
	}
	return env, func() { env.Close() }, nil
}

func round(d time.Duration) time.Duration {
	if d > 10*time.Millisecond {
		return d.Round(time.Millisecond)
	}
	return d.Round(10 * time.Microsecond)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// sendLimit is the WhatsApp mock's throughput limit during a run (messages per second, 0 for none) and
// the rate the reference assistant paced itself at under it (0 when another assistant played).
type sendLimit struct{ MPS, Paced int }

// Refusal reasons of the limits, as the load accounting names them: the Graph error code first.
const (
	reasonThroughput = "130429"
	reasonPairRate   = "131056"
)

// shapedBy says which limit shaped the turn latencies. The assistant's sends need at least
// (sent-MPS)/MPS seconds under the throughput limit (a bucket of MPS tokens refilled at MPS a second); when that is most of the run, replies queued behind the limit and
// the percentiles measure it, not the assistant. A limit that refused sends shaped them too.
func (l sendLimit) shapedBy(s load.Summary) string {
	out := s.Messages.Outbound
	refused := func(code string) int {
		n := 0
		for r, c := range out.Reasons {
			if strings.HasPrefix(r, code+":") {
				n += c
			}
		}
		return n
	}
	var lines []string
	if n := refused(reasonThroughput); n > 0 {
		lines = append(lines, fmt.Sprintf("the WhatsApp throughput limit (%d messages/s) refused %d sends (130429); the assistant must pace itself under it", l.MPS, n))
	}
	if n := refused(reasonPairRate); n > 0 {
		lines = append(lines, fmt.Sprintf("the pair rate limit refused %d sends to one customer too close together (131056); --pair-rate 0 lifts it", n))
	}
	need := 0.0
	if l.MPS > 0 && out.Sent > l.MPS {
		need = float64(out.Sent-l.MPS) / float64(l.MPS) // the first second's worth goes at once: the bucket starts full
	}
	switch {
	case l.MPS > 0 && float64(s.Wall) > 0 && need >= float64(s.Wall)/2:
		paced := ""
		if l.Paced > 0 {
			paced = fmt.Sprintf(" (the reference assistant paces itself at %d/s under it)", l.Paced)
		}
		which := "set with --mps"
		if l.MPS == whatsapp.DefaultMPS {
			which = "the default, as the Cloud API's"
		}
		lines = append([]string{fmt.Sprintf("the WhatsApp throughput limit, %d messages/s (%s): the assistant's %d messages need at least %.1fs of the %.1fs run, so replies queued behind it%s; --mps 0 lifts it, --mps N sets another",
			l.MPS, which, out.Sent, need, float64(s.Wall), paced)}, lines...)
	case len(lines) == 0 && l.MPS > 0:
		lines = append(lines, fmt.Sprintf("no platform limit: %d assistant messages in %.1fs, under the %d messages/s limit; the latencies are the assistant's, the mocks' and this machine's own",
			out.Sent, float64(s.Wall), l.MPS))
	case len(lines) == 0:
		lines = append(lines, "no platform limit (--mps 0): the latencies are the assistant's, the mocks' and this machine's own")
	}
	return strings.Join(lines, "\n    ")
}

// printSummary writes the run's summary, as JSON or for people; lim, when known, says which limit shaped
// the latencies (merged shards ran under limits this process does not know).
func printSummary(w io.Writer, s load.Summary, asJSON bool, lim *sendLimit) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	m := s.Messages
	fmt.Fprintf(w, "parley load: %d customers (shard %s; at most %d in a journey at once), %d journeys, %d turns in %.1fs: %.1f turns/s\n",
		s.Customers, s.Shard, s.PeakActive, sumValues(s.Journeys), s.Turns, float64(s.Wall), s.TurnsPerSecond)
	fmt.Fprintf(w, "  turn latency: p50 %.1fms  p95 %.1fms  p99 %.1fms  max %.1fms\n", s.P50, s.P95, s.P99, s.Max)
	if lim != nil {
		fmt.Fprintf(w, "    shaped by %s\n", lim.shapedBy(s))
	}
	fmt.Fprintf(w, "  journeys: %s\n", kv(s.Journeys))
	fmt.Fprintf(w, "  customers' messages: %d sent = %d delivered + %d refused; %d lost\n", m.Inbound.Sent, m.Inbound.Received, m.Inbound.Refused, m.Inbound.Lost)
	fmt.Fprintf(w, "  assistant's messages: %d sent = %d on the phones + %d refused; %d lost (phones hold %d)\n", m.Outbound.Sent, m.Outbound.Received, m.Outbound.Refused, m.Outbound.Lost, m.OnPhones)
	for _, f := range []load.Flow{m.Inbound, m.Outbound} {
		for _, r := range sortedKeys(f.Reasons) {
			fmt.Fprintf(w, "    refused %d× %s\n", f.Reasons[r], r)
		}
		for _, id := range f.LostIDs {
			fmt.Fprintf(w, "    lost: %s\n", id)
		}
	}
	fmt.Fprintf(w, "  webhook retries: %d; journal: %d events\n", m.WebhookRetries, s.Events)
	for _, e := range sortedKeys(s.Errors) {
		fmt.Fprintf(w, "  failed %d× %s\n", s.Errors[e], e)
	}
	passed := 0
	for _, r := range s.Audit.Rules {
		if r.Status == "passed" {
			passed++
		}
	}
	broken := ""
	if len(s.Audit.Broken) > 0 {
		broken = ": " + strings.Join(s.Audit.Broken, ", ")
	}
	fmt.Fprintf(w, "  audit: %d rules passed, %d broken%s\n", passed, len(s.Audit.Broken), broken)
	verdict := "PASS"
	if !s.Passed() {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "  %s\n", verdict)
	return nil
}

func sumValues(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func kv(m map[string]int) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func runLoadMerge(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("load merge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the merged summary as JSON")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError("load merge: name the shards' JSON summaries")
	}
	var parts []load.Summary
	for _, name := range fs.Args() {
		b, err := os.ReadFile(name)
		if err != nil {
			return usageError("load merge: %v", err)
		}
		var s load.Summary
		if err := json.Unmarshal(b, &s); err != nil {
			return usageError("load merge: %s is not a load summary: %v", name, err)
		}
		parts = append(parts, s)
	}
	sum, err := load.Merge(parts)
	if err != nil {
		return usageError("%v", err)
	}
	if err := printSummary(stdout, sum, *asJSON, nil); err != nil {
		return err
	}
	if !sum.Passed() {
		return &exitError{code: 1, err: errSilent}
	}
	return nil
}
