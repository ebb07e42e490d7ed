package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/certify"
)

const rulesUsage = `Usage: parley rules [flags] [RULE-ID]

Prints the compliance rule catalogue the auditor judges every run against: WhatsApp Business Messaging
Policy, GDPR, LSSI, LOPDGDD and the AI Act, one rule per line with its severity. With a rule's id, that
rule in full: its sources, what its check looks at, what makes it judgeable, and the built-in scenarios
that exercise it.

Examples:
  parley rules                      # the catalogue, English titles
  parley rules WA-OPTOUT-01         # one rule in full
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
	if fs.NArg() > 1 {
		return usageError("rules takes at most one rule id, got %q", fs.Args())
	}
	if *lang != "en" && *lang != "es" {
		return usageError("rules: --lang must be en or es, got %q", *lang)
	}
	rules := audit.Catalogue()
	if fs.NArg() == 1 {
		r, err := findRule(rules, fs.Arg(0))
		if err != nil {
			return err
		}
		return printRule(stdout, r, *lang, *asJSON)
	}
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
	footer := "\n%d rules. 'parley rules RULE-ID' shows one in full: its sources, what its check looks at, the scenarios that exercise it.\n"
	if *lang == "es" {
		footer = "\n%d reglas. 'parley rules ID-REGLA' muestra una entera: sus fuentes, qué mira su comprobación, los escenarios que la ejercitan.\n"
	}
	fmt.Fprintf(tw, footer, len(rules))
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing the catalogue: %w", err)
	}
	return nil
}

// findRule is the rule of the catalogue with id (any case), or a usage error naming the closest ids.
func findRule(rules []audit.Rule, id string) (audit.Rule, error) {
	var near []string
	// The family is the id without its number: WA-OPTOUT for WA-OPTOUT-09.
	prefix := strings.ToUpper(id)
	if i := strings.LastIndex(prefix, "-"); i > 0 {
		prefix = prefix[:i]
	}
	for _, r := range rules {
		if strings.EqualFold(r.ID, id) {
			return r, nil
		}
		if strings.HasPrefix(r.ID, prefix+"-") {
			near = append(near, r.ID)
		}
	}
	hint := "parley rules lists them"
	if len(near) > 0 {
		hint = "rules of that family: " + strings.Join(near, ", ")
	}
	return audit.Rule{}, usageError("rules: no rule %q (%s)", id, hint)
}

// ruleScenarios are the scenarios of the built-in features that declare, by their tags, that they
// exercise rule id: "file:line  name", the file under the repository's features folder.
func ruleScenarios(id string) []string {
	suite, err := certify.BuiltinFeatures()
	if err != nil {
		return nil // the built-in features are linted by their own tests; a rule is shown without them
	}
	var out []string
	for _, sc := range suite.Scenarios() {
		if slices.Contains(sc.Rules, id) {
			out = append(out, fmt.Sprintf("features/%s  %s", sc.Path, sc.Name))
		}
	}
	return out
}

// printRule shows one rule in full, for people or as JSON (the rule and its scenarios).
func printRule(w io.Writer, r audit.Rule, lang string, asJSON bool) error {
	scenarios := ruleScenarios(r.ID)
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(struct {
			audit.Rule
			Scenarios []string `json:"scenarios"`
		}{r, scenarios})
	}
	title, t := r.Title, ruleHeadings["en"]
	if lang == "es" {
		title, t = r.TitleES, ruleHeadings["es"]
	}
	fmt.Fprintf(w, "%s  %s\n%s\n\n", r.ID, r.Severity, title)
	fmt.Fprintf(w, "%s:\n  %s\n\n", t[0], strings.Join(r.Sources, "\n  "))
	fmt.Fprintf(w, "%s:\n%s\n\n", t[1], indent(wrap(r.Checks, 100), "  "))
	fmt.Fprintf(w, t[2]+"\n\n", r.ExercisedBy)
	if len(scenarios) == 0 {
		fmt.Fprintf(w, t[3]+"\n", r.ID)
		return nil
	}
	fmt.Fprintf(w, t[4]+":\n  %s\n", r.ID, len(scenarios), strings.Join(scenarios, "\n  "))
	return nil
}

// ruleHeadings are printRule's headings by language; what a check looks at is written in English only.
var ruleHeadings = map[string][5]string{
	"en": {"Sources", "What the check looks at", "Exercised by: %s (without it the rule is reported as not exercised)",
		"No built-in feature scenario is tagged @%s.", "Built-in scenarios tagged @%s (%d)"},
	"es": {"Fuentes", "Qué mira la comprobación (en inglés)", "La ejercita: %s (sin ello la regla consta como no ejercitada)",
		"Ningún escenario de las features incluidas lleva la etiqueta @%s.", "Escenarios incluidos con la etiqueta @%s (%d)"},
}

// wrap breaks text into lines of at most width characters, at spaces.
func wrap(text string, width int) string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len([]rune(line))+1+len([]rune(word)) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" {
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func indent(text, prefix string) string {
	return prefix + strings.ReplaceAll(text, "\n", "\n"+prefix)
}
