package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"syscall"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/dlp"
	"github.com/parley-dev/parley/mocks/stack"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

// serveConfig is what `parley serve` runs: the mocks' configuration (package stack), with the flags
// that set it.
type serveConfig struct {
	stack.Config
	logLevel     string
	tokenFile    string // --control-token-file, read into Config.ControlToken by check
	tlsHosts     string // comma-separated, into Config.TLSHosts
	webhookHosts string // comma-separated, into Config.WebhookHosts
}

func (c *serveConfig) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&c.WhatsAppAddr, "whatsapp", "127.0.0.1:4010", "address of the WhatsApp Cloud API mock (host:port)")
	fs.StringVar(&c.PublicURL, "public-url", "", "base URL the assistant reaches the WhatsApp mock at, if not where it listens (e.g. http://whatsapp:4010 in a container network)")
	fs.StringVar(&c.Webhook, "webhook", "", "the assistant's webhook URL, e.g. http://bot:8080/webhook (also settable later with POST /_parley/webhook)")
	fs.StringVar(&c.AppSecret, "app-secret", whatsapp.DefaultAppSecret, "app secret that signs webhooks (X-Hub-Signature-256)")
	fs.StringVar(&c.VerifyToken, "verify-token", whatsapp.DefaultVerifyToken, "token of the hub.challenge handshake")
	fs.StringVar(&c.AccessToken, "access-token", whatsapp.DefaultAccessToken, "bearer token the assistant must send")
	fs.StringVar(&c.PhoneNumberID, "phone-number-id", whatsapp.DefaultPhoneNumberID, "business phone number id")
	fs.StringVar(&c.WABAID, "waba-id", whatsapp.DefaultWABAID, "WhatsApp Business Account id")
	fs.StringVar(&c.Templates, "templates", "", "directory of message templates (*.json); default: the built-in fixtures")
	fs.IntVar(&c.MPS, "mps", whatsapp.DefaultMPS, "throughput limit in messages per second (0 = none)")
	fs.DurationVar(&c.PairRate, "pair-rate", whatsapp.DefaultPairRate, "minimum sustained gap between messages to one recipient (0 = none)")
	fs.StringVar(&c.WindowError, "window-error", string(whatsapp.WindowErrorStatus), "how 131047 is reported outside the 24-hour window: status (failed webhook) or sync (HTTP 400)")
	fs.Int64Var(&c.Seed, "seed", 1, "seed of fault injection and ids, so a run repeats")
	fs.StringVar(&c.DialogflowAddr, "dialogflow", dialogflow.DefaultAddr, "address of the Dialogflow mock, REST and gRPC on one port (empty = not started)")
	fs.StringVar(&c.DialogflowProject, "dialogflow-project", dialogflow.DefaultProject, "project id the agent is served under; other projects get NOT_FOUND")
	fs.StringVar(&c.Agent, "agent", "", "Dialogflow agent export, ES or CX (a folder or a .zip); default: the built-in Tienda Ejemplo agent. What was read and what is ignored is printed at start")
	fs.StringVar(&c.AgentWebhook, "agent-webhook", "", "the assistant's own fulfilment service (e.g. http://127.0.0.1:8080/fulfilment), called for intents and fulfillments with a webhook; the export's webhook URLs are never called, and without this flag those calls fail as an unreachable webhook does")
	fs.StringVar(&c.DLPAddr, "dlp", dlp.DefaultAddr, "address of the Cloud DLP mock, REST and gRPC on one port (empty = not started)")
	fs.StringVar(&c.ControlToken, "control-token", "", "bearer token every /_parley/ control call must send; required when a mock listens beyond loopback. Visible in the process list: prefer --control-token-file or PARLEY_CONTROL_TOKEN")
	fs.StringVar(&c.tokenFile, "control-token-file", "", "file holding the control token (its first line), so that it does not show in the process list")
	fs.BoolVar(&c.TLS, "tls", false, "serve every mock over HTTPS with a CA made for the run (see --tls-ca-out)")
	fs.StringVar(&c.TLSCAOut, "tls-ca-out", "parley-ca.pem", "with --tls: file the run's CA is written to; point the assistant's SSL_CERT_FILE at it")
	fs.StringVar(&c.tlsHosts, "tls-hosts", "", "with --tls: more names for the mocks' certificate, comma-separated (e.g. whatsapp,dialogflow in a container network)")
	fs.StringVar(&c.WebhookCA, "webhook-ca", "", "PEM file of the CA that https:// webhooks verify the assistant's certificate against (default: the system's roots)")
	fs.StringVar(&c.Production, "production", "", "also answer as the production hosts (graph.facebook.com, dialogflow.googleapis.com, dlp.googleapis.com, oauth2.googleapis.com, …) over HTTPS on this address, for an assistant whose names resolve here (docs/bot-contract.md)")
	fs.StringVar(&c.ProductionHTTP, "production-http", "", "with --production: answer as the metadata server (metadata.google.internal) over plain HTTP on this address")
	fs.StringVar(&c.ProductionDir, "production-dir", "", "with --production: the run's CA (ca.pem), certificate and Google service-account key (google-credentials.json), made there when it holds none")
	fs.StringVar(&c.Proxy, "proxy", "", "answer as the production hosts through an HTTPS proxy (CONNECT) on this loopback address, e.g. 127.0.0.1:4050, for an assistant on this machine given HTTPS_PROXY and the kit of --production-dir (certify --print-env prints them)")
	fs.StringVar(&c.Relay, "relay", "", "forward connections to LISTEN on to HOST:PORT (LISTEN=HOST:PORT), e.g. 0.0.0.0:4040=bot:8080")
	fs.StringVar(&c.webhookHosts, "webhook-hosts", "", "hosts webhooks may be sent to, comma-separated (host or host:port); default: any")
}

// maxTokenFile bounds what --control-token-file reads: a token is a line, not a file to load whole.
const maxTokenFile = 4 << 10

// check reads the control token file into c and checks the mocks' configuration as every command that
// starts mocks must, before anything starts (stack.Config.Check); what the user must change is a usage
// error.
func (c *serveConfig) check() error {
	if c.tokenFile != "" {
		if c.ControlToken != "" {
			return usageError("--control-token and --control-token-file both give the control token: give one, not both")
		}
		tok, err := readTokenFile(c.tokenFile)
		if err != nil {
			return usageError("--control-token-file: %v", err)
		}
		c.ControlToken = tok
	}
	var ce *stack.ConfigError
	if err := c.Config.Check(); errors.As(err, &ce) {
		return usageError("%v", err)
	} else if err != nil {
		return err
	}
	return nil
}

// readTokenFile returns the first line of file, without the line end.
func readTokenFile(file string) (string, error) {
	// Non-blocking, so that a FIFO is refused below as not a regular file instead of waiting for a writer.
	f, err := os.OpenFile(file, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return "", err
	} else if !st.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file", file)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxTokenFile+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxTokenFile {
		return "", fmt.Errorf("%s is over %d bytes: it should hold the token alone", file, maxTokenFile)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	t := strings.TrimRight(line, "\r")
	if strings.TrimSpace(t) == "" {
		return "", fmt.Errorf("%s: the token on its first line is blank", file)
	}
	return t, nil
}

// startStack starts the mocks of c on j; a configuration the user must change is a usage error.
func startStack(c serveConfig, j *journal.Journal, logger *slog.Logger) (*stack.Stack, error) {
	s, err := stack.Start(c.stackConfig(logger), j)
	var ce *stack.ConfigError
	if errors.As(err, &ce) {
		return nil, usageError("%v", err)
	}
	return s, err
}

// warmMocks readies, off the listeners' path, what the Google mocks of c would otherwise build during
// their first call, so that a run's first turn is as fast as the next.
func warmMocks(c stack.Config) {
	if c.DLPAddr != "" {
		dlp.WarmUp()
	}
	if c.DialogflowAddr != "" {
		dialogflow.WarmUp()
	}
}

// stackConfig is the mocks' configuration with the list flags read and logger set.
func (c serveConfig) stackConfig(logger *slog.Logger) stack.Config {
	cfg := c.Config
	cfg.TLSHosts, cfg.WebhookHosts, cfg.Logger = commaList(c.tlsHosts), commaList(c.webhookHosts), logger
	return cfg
}

// printAgentSummary prints to w what the mocks will read of the --agent export, ES or CX (intents,
// entity types, phrases, anything ignored) and where fulfilment goes; an export that cannot be read is a
// usage error, before anything starts.
func printAgentSummary(w io.Writer, c stack.Config) error {
	if c.Agent == "" || c.DialogflowAddr == "" {
		return nil
	}
	sum, err := dialogflow.ExportSummary(c.Agent)
	if err != nil {
		return usageError("--agent %s: %v", c.Agent, err)
	}
	fmt.Fprintf(w, "parley: --agent %s\n%s", c.Agent, sum)
	if c.AgentWebhook != "" {
		fmt.Fprintf(w, "  fulfilment: calls go to %s\n", c.AgentWebhook)
	} else {
		fmt.Fprintln(w, "  fulfilment: no --agent-webhook given: webhook calls are not made and answer as a failed webhook (the journal says so)")
	}
	return nil
}

// commaList splits a comma-separated flag, dropping empty items.
func commaList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// envName is the environment variable that sets flag name: PARLEY_ and the name in upper case with
// dashes as underscores (--app-secret: PARLEY_APP_SECRET).
func envName(flagName string) string {
	return "PARLEY_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

const serveUsage = `Usage: parley serve [flags]

Runs the mocks standalone, on one journal and one simulated clock: the WhatsApp Cloud API (--whatsapp),
Dialogflow ES and CX (--dialogflow) and Cloud DLP (--dlp), REST and gRPC on each port. Point an assistant
at them with the bot contract (docs/bot-contract.md; 'parley certify --print-env' prints it) and drive
the customers through /_parley/ (docs/control-api.md).

Examples:
  parley serve                                              # 127.0.0.1:4010, :4020, :4030
  parley serve --webhook http://127.0.0.1:8080/webhook      # deliver customers' messages to your assistant
  parley serve --agent my-agent.zip --agent-webhook http://127.0.0.1:8081/fulfilment   # your export, your fulfilment
  parley serve --whatsapp 0.0.0.0:4010 --control-token-file token.txt   # reachable from other hosts: token required
  parley serve --tls --tls-ca-out ca.pem                    # HTTPS; trust it with SSL_CERT_FILE=ca.pem
  PARLEY_APP_SECRET=abc parley serve --mps 0 --pair-rate 0  # no platform rate limits

Every flag can also be set with PARLEY_<FLAG> (e.g. PARLEY_APP_SECRET); the command line wins.

Flags:
`

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg serveConfig
	cfg.flags(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, serveUsage)
		fs.PrintDefaults()
	}
	if err := flagsFromEnv(fs, getenv); err != nil {
		return err
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("serve takes no arguments, got %q", fs.Args())
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.logLevel)); err != nil {
		return usageError("--log-level %q: want debug, info, warn or error", cfg.logLevel)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	if err := cfg.check(); err != nil {
		return err
	}
	if err := printAgentSummary(stderr, cfg.Config); err != nil {
		return err
	}
	mocks, err := startStack(cfg, journal.New(nil), logger)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	go warmMocks(cfg.Config)
	for _, m := range mocks.Mocks {
		fmt.Fprintf(stdout, "parley: %s mock listening on %s\n", m.Name, m.URL)
	}
	<-ctx.Done()
	logger.Info("stopping", "reason", context.Cause(ctx))
	return mocks.Close()
}
