package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/parley-dev/parley/audit"
)

const rulesUsage = `Usage: parley rules [flags]

Prints the compliance rule catalogue the auditor judges every run against: WhatsApp Business Messaging
Policy, GDPR, LSSI, LOPDGDD and the AI Act, one rule per line with its severity.

Examples:
  parley rules                      # the catalogue, English titles
  parley rules --lang es            # Spanish titles
  parley rules --json | jq '.[] | select(.severity=="critical") | .id'

Every flag can also be set with PARLEY_<FLAG> (e.g. PARLEY_LANG=es).

Flags:
`

// runRules prints the compliance rule catalogue: a table for people (English titles, or Spanish with
// --lang es), JSON for machines.
func runRules(_ context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rules", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the catalogue as JSON, with each rule's sources, what it checks and what exercises it")
	lang := fs.String("lang", "en", "language of the titles: en or es")
	fs.Usage = func() {
		fmt.Fprint(stderr, rulesUsage)
		fs.PrintDefaults()
	}
	if err := flagsFromEnv(fs, getenv); err != nil {
		return err
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("rules takes no arguments, got %q", fs.Args())
	}
	if *lang != "en" && *lang != "es" {
		return usageError("rules: --lang must be en or es, got %q", *lang)
	}
	rules := audit.Catalogue()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(rules)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tTITLE")
	for _, r := range rules {
		title := r.Title
		if *lang == "es" {
			title = r.TitleES
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, title)
	}
	footer := "\n%d rules. 'parley rules --json' adds sources and what each check looks at.\n"
	if *lang == "es" {
		footer = "\n%d reglas. 'parley rules --json' añade las fuentes y qué mira cada comprobación.\n"
	}
	fmt.Fprintf(tw, footer, len(rules))
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing the catalogue: %w", err)
	}
	return nil
}
