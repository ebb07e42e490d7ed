package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/parley-dev/parley/mocks/dialogflow"
)

const agentUsage = `Usage: parley agent <test|summary> --agent DIR|ZIP [flags]

Reads a Dialogflow agent export (a folder or a .zip of agent.json, intents/, …; CX: flows/ too).

  summary   print what the export holds (ES or CX: intents, entity types, phrases; CX: flows, pages,
            test cases) and what parley ignores in it; a construct parley does not model is refused
            with its file
  test      play a CX export's own test cases (testCases/) against parley's mock Dialogflow, as the
            console runs them, and print each one's result with its first differing turn

Exit status: 0 every test case passed (or the summary was printed), 1 a test case failed, 2 the export
could not be loaded or the command was misused.

Examples:
  parley agent summary --agent ./my-agent
  parley agent test --agent my-agent.zip
  parley agent test --agent ./my-agent --agent-webhook http://127.0.0.1:8081/fulfilment

Flags:
`

func runAgent(ctx context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, agentUsage)
		return nil
	}
	sub := args[0]
	if sub != "test" && sub != "summary" {
		return usageError("agent: unknown subcommand %q; want test or summary", sub)
	}
	fs := flag.NewFlagSet("agent "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("agent", "", "the export: a folder or a .zip file (required)")
	url := fs.String("agent-webhook", "", "the assistant's fulfilment service, called for fulfillments with a webhook; the export's own webhook URLs are never called")
	fs.StringVar(url, "fulfillment-url", "", "the former name of --agent-webhook")
	fs.Usage = func() {
		fmt.Fprint(stderr, agentUsage)
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args[1:]); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("agent %s takes no arguments, got %q", sub, fs.Args())
	}
	if *dir == "" {
		return usageError("agent %s: --agent DIR|ZIP is required", sub)
	}
	var opts []dialogflow.Option
	if *url != "" {
		opts = append(opts, dialogflow.WithFulfillmentURL(*url))
	}
	if sub == "summary" {
		sum, err := dialogflow.ExportSummary(*dir)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		fmt.Fprint(stdout, sum)
		return nil
	}
	a, err := dialogflow.LoadCXAgentDir(*dir)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	fmt.Fprint(stdout, a.Summary())
	if len(a.TestCases) == 0 {
		fmt.Fprintln(stdout, "no test cases in testCases/")
		return nil
	}
	fmt.Fprintln(stdout)
	results, err := dialogflow.RunCXTestCases(ctx, a, opts...)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if passed := dialogflow.WriteCXTestReport(stdout, results); passed < len(results) {
		return &exitError{code: 1, err: fmt.Errorf("%d of %d test cases failed", len(results)-passed, len(results))}
	}
	return nil
}
