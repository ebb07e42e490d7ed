// Command parley is the WhatsApp and Dialogflow conversation simulator and certification harness.
//
// main only parses and wires: every subcommand is a function of run's arguments, so tests call run
// directly with their own arguments, environment and output.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, errSilent) {
			fmt.Fprintln(os.Stderr, "parley:", err)
		}
		os.Exit(exitCode(err))
	}
}

// errSilent marks an error whose message was already written to stderr.
var errSilent = errors.New("already reported")

// exitError carries an exit code other than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

// usageError is an error in how parley was called: exit code 2, as the certify contract asks.
func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// command is one subcommand of parley.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"certify", "run the certification suite and write the report (exit 0 certified, 1 not, 2 could not run)", runCertify},
		{"report", "re-render, merge, sign-check a certification report", runReport},
		{"lint", "check feature files before a run: every problem, with file:line and a fix", runLint},
		{"rules", "list the compliance rule catalogue, or show one rule in full", runRules},
		{"serve", "run the mocks (WhatsApp, Dialogflow, DLP) as a standalone process", runServe},
		{"bot", "run the reference assistant standalone", runBot},
		{"load", "drive many simulated customers at once and account for every message", runLoad},
		{"agent", "check a Dialogflow CX export and run its own test cases against the mock", runAgent},
		{"clean", "list and remove the containers, networks and test images that killed containers runs left", runClean},
		{"version", "print parley's version", runVersion},
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		// Without a command there is nothing to do: the list of commands, and the status of a wrong call.
		printUsage(stderr)
		return &exitError{code: 2, err: errSilent}
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], getenv, stdout, stderr)
		}
	}
	printUsage(stderr)
	return usageError("unknown command %q; run 'parley help' for the list", args[0])
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "parley: a conversation simulator and certification harness for WhatsApp assistants")
	fmt.Fprintln(w, "\nUsage: parley <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'parley <command> -h' for a command's flags.")
}
