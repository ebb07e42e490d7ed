package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/parley-dev/parley/bots/reference"
)

// runBot serves the reference assistant standalone. It is configured by the bot contract's environment
// (docs/bot-contract.md) like any vendor's assistant; its own flags default from PARLEY_* variables.
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
	addr := fs.String("addr", defAddr, "listen address (env PARLEY_BOT_ADDR; default :$PORT, else 127.0.0.1:8080)")
	violate := fs.String("violate", getenv("PARLEY_VIOLATE"), "comma-separated rule ids to break on purpose (env PARLEY_VIOLATE)")
	list := fs.Bool("list-violations", false, "list the violation switches and exit")
	clock := fs.String("clock", botEnvOr(getenv("PARLEY_BOT_CLOCK"), "observed"),
		"time source: observed (follow webhook and hook timestamps, for parley serve's simulated clock) or wall (env PARLEY_BOT_CLOCK)")
	certFile := fs.String("tls-cert", getenv("PARLEY_BOT_TLS_CERT"), "serve HTTPS with this certificate (env PARLEY_BOT_TLS_CERT)")
	keyFile := fs.String("tls-key", getenv("PARLEY_BOT_TLS_KEY"), "key of --tls-cert (env PARLEY_BOT_TLS_KEY)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: parley bot [flags]\n\nRuns the reference assistant. It reads the bot contract from the environment:")
		fmt.Fprintln(stderr, "  WHATSAPP_API_URL WHATSAPP_API_VERSION WHATSAPP_PHONE_NUMBER_ID WHATSAPP_TOKEN WHATSAPP_APP_SECRET")
		fmt.Fprintln(stderr, "  WHATSAPP_VERIFY_TOKEN DIALOGFLOW_ENDPOINT DIALOGFLOW_PROJECT DIALOGFLOW_LANGUAGE DLP_ENDPOINT PORT")
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError("bot: %v", err)
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
	opts := []reference.Option{
		reference.WithLogger(slog.New(slog.NewTextHandler(stderr, nil))),
		reference.WithViolations(strings.Split(*violate, ",")...),
	}
	switch *clock {
	case "observed":
		opts = append(opts, reference.WithObservedClock())
	case "wall":
	default:
		return usageError("bot: --clock %q must be observed or wall", *clock)
	}
	cfg, err := reference.ConfigFromEnv(getenv)
	if err != nil {
		return usageError("bot: %v", err)
	}
	bot, err := reference.New(cfg, opts...)
	if err != nil {
		return usageError("bot: %v", err)
	}
	defer bot.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("bot: %w", err)
	}
	srv := &http.Server{Handler: bot.Handler(), ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10, TLSConfig: bot.TLSConfig()}
	scheme := "http"
	if *certFile != "" {
		scheme = "https"
	}
	served := make(chan error, 1)
	go func() {
		if *certFile != "" {
			served <- srv.ServeTLS(ln, *certFile, *keyFile)
			return
		}
		served <- srv.Serve(ln)
	}()
	fmt.Fprintf(stdout, "reference assistant listening on %s://%s (webhook /webhook, hooks /parley/)\n", scheme, ln.Addr())

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

func botEnvOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
