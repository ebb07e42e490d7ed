package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/parley-dev/parley/bots/harbour"
	"github.com/parley-dev/parley/bots/naive"
	"github.com/parley-dev/parley/bots/reference"
)

// runBot serves one of the repository's assistants standalone: the reference (the default), harbour (a
// compliant assistant in another company's style) or naive (one that ignores opt-outs). Each is
// configured by the bot contract's environment (docs/bot-contract.md) like any vendor's assistant; the
// flags default from PARLEY_* variables.
func runBot(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	defAddr := getenv("PARLEY_BOT_ADDR")
	if defAddr == "" {
		defAddr = "127.0.0.1:8080"
		if p := getenv("PORT"); p != "" {
			defAddr = ":" + p
		}
	}
	which := fs.String("assistant", botEnvOr(getenv("PARLEY_BOT_ASSISTANT"), "reference"),
		"which assistant: reference, harbour or naive (env PARLEY_BOT_ASSISTANT)")
	addr := fs.String("addr", defAddr, "listen address (env PARLEY_BOT_ADDR; default :$PORT, else 127.0.0.1:8080)")
	violate := fs.String("violate", getenv("PARLEY_VIOLATE"), "comma-separated rule ids to break on purpose (env PARLEY_VIOLATE)")
	list := fs.Bool("list-violations", false, "list the violation switches and exit")
	clock := fs.String("clock", botEnvOr(getenv("PARLEY_BOT_CLOCK"), "observed"),
		"time source: observed (follow webhook and hook timestamps, for parley serve's simulated clock) or wall (env PARLEY_BOT_CLOCK)")
	certFile := fs.String("tls-cert", getenv("PARLEY_BOT_TLS_CERT"), "serve HTTPS with this certificate (env PARLEY_BOT_TLS_CERT)")
	keyFile := fs.String("tls-key", getenv("PARLEY_BOT_TLS_KEY"), "key of --tls-cert (env PARLEY_BOT_TLS_KEY)")
	await := fs.String("await", getenv("PARLEY_BOT_AWAIT"),
		"comma-separated host:port to wait for, each accepting connections, before the assistant connects to anything or listens; at most --await-timeout (env PARLEY_BOT_AWAIT)")
	awaitTimeout := fs.Duration("await-timeout", time.Minute, "how long --await waits")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: parley bot [flags]\n\nRuns one of parley's assistants (the reference by default). It reads the bot contract from the environment:")
		fmt.Fprintln(stderr, "  WHATSAPP_API_URL WHATSAPP_API_VERSION WHATSAPP_PHONE_NUMBER_ID WHATSAPP_TOKEN WHATSAPP_APP_SECRET")
		fmt.Fprintln(stderr, "  WHATSAPP_VERIFY_TOKEN DIALOGFLOW_ENDPOINT DIALOGFLOW_PROJECT DIALOGFLOW_LANGUAGE DLP_ENDPOINT PORT")
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("bot: unexpected arguments %q", fs.Args())
	}
	if *list {
		for _, v := range reference.Violations() {
			fmt.Fprintf(stdout, "%-17s %s\n", v.Rule, v.Description)
		}
		return nil
	}
	if (*certFile == "") != (*keyFile == "") {
		return usageError("bot: --tls-cert and --tls-key go together")
	}
	if *which == "reference" {
		go reference.WarmUp() // while it waits for the mocks; a customer's first turn would build the same
	}
	if err := awaitAddrs(ctx, splitList(*await), *awaitTimeout); err != nil {
		return fmt.Errorf("bot: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	var handler http.Handler
	var tlsConfig *tls.Config
	switch *which {
	case "reference":
		bot, err := referenceBot(getenv, logger, *violate, *clock)
		if err != nil {
			return err
		}
		defer bot.Close()
		handler, tlsConfig = bot.Handler(), bot.TLSConfig()
	case "harbour", "naive":
		if *violate != "" {
			return usageError("bot: --violate is for the reference assistant only")
		}
		h, closer, err := otherBot(*which, getenv, logger)
		if err != nil {
			return usageError("bot: %v", err)
		}
		defer closer()
		handler, tlsConfig = h, &tls.Config{MinVersion: tls.VersionTLS12}
	default:
		return usageError("bot: --assistant %q must be reference, harbour or naive", *which)
	}
	return serveBot(ctx, *addr, *which, handler, tlsConfig, *certFile, *keyFile, stdout)
}

// referenceBot builds the reference assistant with its violation switches and clock.
func referenceBot(getenv func(string) string, logger *slog.Logger, violate, clock string) (*reference.Bot, error) {
	opts := []reference.Option{
		reference.WithLogger(logger),
		reference.WithViolations(strings.Split(violate, ",")...),
	}
	switch clock {
	case "observed":
		opts = append(opts, reference.WithObservedClock())
	case "wall":
	default:
		return nil, usageError("bot: --clock %q must be observed or wall", clock)
	}
	cfg, err := reference.ConfigFromEnv(getenv)
	if err != nil {
		return nil, usageError("bot: %v", err)
	}
	bot, err := reference.New(cfg, opts...)
	if err != nil {
		return nil, usageError("bot: %v", err)
	}
	return bot, nil
}

// otherBot builds harbour or naive from the bot contract. Both follow the clock of the webhooks and hooks
// they are given, as the reference does with --clock observed.
func otherBot(which string, getenv func(string) string, logger *slog.Logger) (http.Handler, func(), error) {
	if which == "naive" {
		cfg, err := naive.ConfigFromEnv(getenv)
		if err != nil {
			return nil, nil, err
		}
		b := naive.New(cfg, logger)
		return b.Handler(), func() { _ = b.Close() }, nil
	}
	s, err := harbour.SettingsFromEnv(getenv)
	if err != nil {
		return nil, nil, err
	}
	a, err := harbour.New(s, harbour.WithLogger(logger))
	if err != nil {
		return nil, nil, err
	}
	return a.Handler(), func() { _ = a.Close() }, nil
}

// serveBot serves handler on addr until ctx ends, over TLS when a certificate is given.
func serveBot(ctx context.Context, addr, which string, handler http.Handler, tlsConfig *tls.Config, certFile, keyFile string, stdout io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("bot: %w", err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10, TLSConfig: tlsConfig}
	scheme := "http"
	if certFile != "" {
		scheme = "https"
	}
	served := make(chan error, 1)
	go func() {
		if certFile != "" {
			served <- srv.ServeTLS(ln, certFile, keyFile)
			return
		}
		served <- srv.Serve(ln)
	}()
	fmt.Fprintf(stdout, "%s assistant listening on %s://%s (webhook /webhook, hooks /parley/)\n", which, scheme, ln.Addr())

	select {
	case err := <-served:
		return fmt.Errorf("bot: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("bot: shutting down: %w", err)
	}
	<-served
	return nil
}

// awaitPoll is how often awaitAddrs tries an address that did not accept yet.
const awaitPoll = 10 * time.Millisecond

// awaitAddrs returns once every address accepts a TCP connection, or an error naming the first that did
// not within timeout. An assistant started beside its mocks (in containers, at the same time) waits for
// them so that its first connections to Dialogflow and DLP do not fail and back off for a second or more.
func awaitAddrs(ctx context.Context, addrs []string, timeout time.Duration) error {
	if len(addrs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	for _, a := range addrs {
		for {
			c, err := d.DialContext(ctx, "tcp", a)
			if err == nil {
				c.Close()
				break
			}
			t := time.NewTimer(awaitPoll)
			select {
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("%s did not accept a connection within %s: %w", a, timeout, err)
			case <-t.C:
			}
		}
	}
	return nil
}

// splitList splits a comma-separated list, leaving out empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func botEnvOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
