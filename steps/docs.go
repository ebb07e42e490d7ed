package steps

import (
	"fmt"
	"strings"
)

// Markdown is docs/steps.md: every step of the library in English and Spanish, generated from Defs.
func Markdown() string {
	var b strings.Builder
	b.WriteString(`# parley steps

<!-- Generated from steps.Defs() by 'go test ./steps -run TestDocs -update'. Do not edit by hand. -->

Every step below works in English feature files and, with ` + "`# language: es`" + ` on the first line, in
Spanish ones (Característica, Antecedentes, Escenario, Esquema del escenario, Ejemplos, Dado, Cuando,
Entonces, Y, Pero). Any keyword may introduce any step; the one shown is the usual one.

How the steps behave:

- Every scenario gets a fresh environment (mocks, assistant, journal, clock) and fresh customers.
- A customer's action (says, taps, asks, makes a request, shares) waits until the assistant has finished
  answering, as a person would. "Receives a reply containing" looks at everything the customer received
  since their last action; "receives no message" at what arrived after the messages earlier steps looked at.
- Outcome steps ("receives an opt-out confirmation", "is offered a person", "receives a copy of her data")
  judge what the assistant's messages mean, with the auditor's own word lists, in Spanish and English, so
  they hold for any assistant; the certification suite uses only these. Literal steps ("receives a reply
  containing", "taps", "the reply offers the buttons") check one assistant's exact words, for QA's own
  feature files.
- ` + "`BAJA`/`STOP`" + ` alone count as an opt-out and ` + "`AGENTE`/`AGENT`" + ` alone as a request for a
  person (the words the assistant announces); other phrasings need "asks to opt out" / "asks for a person".
- After every scenario the auditor judges everything the journal recorded. The scenario fails on any broken
  rule, naming it with its explanation and the customer's transcript, unless a step said
  ` + "`the audit reports \"RULE-ID\"`" + `.
- Steps tagged ` + "`@proactive`" + ` in the suite need the assistant's certification hooks (docs/bot-contract.md).
- A scenario that needs a capability or a hook says so with a tag: ` + "`@needs-marketing`" + `,
  ` + "`@needs-order-status`, `@needs-handoff`, `@needs-data-requests`" + ` (handled in the chat), ` + "`@hook-consent`" + `,
  ` + "`@hook-notify`, `@hook-campaign`, `@hook-handoff-release`" + `. When the assistant's profile declares it absent
  (docs/profile.md), ` + "`parley certify`" + ` does not play the scenario and reports it as not applicable. Any other
  ` + "`@needs-…`" + ` or ` + "`@hook-…`" + ` tag refuses the suite.
- Steps that state a goal ("opts in to offers", "asks for a person", "asks for a copy of her data", …) work
  with any assistant: the customer greets it first if they have not written yet, reads what it offers
  (buttons, list rows, quick replies, numbered menus, keywords it says to write), chooses by meaning or says
  it in their own words, for at most 4 actions. The ground truth is recorded when the customer states the
  intent; when the assistant never lets them, the step fails as unreached, saying what it offered instead.
- An unknown step fails with the closest known steps; ` + "`go test ./features/...`" + ` also checks every file
  before the run (unknown or ambiguous steps, customers never introduced, table headers, language header)
  and reports the line and a fix, while the other files still run.
- A scenario of a feature written in Spanish fails in Spanish: its steps' messages, the transcript's own
  words and the audit's summary (with the rules' Spanish titles). The findings' explanations, the
  linter's problems and a goal's reasons stay in English.

`)
	for _, kw := range []string{"Given", "When", "Then"} {
		fmt.Fprintf(&b, "## %s (%s)\n\n", kw, spanishKeyword[kw])
		for _, d := range Defs() {
			if d.Keyword == kw {
				writeDef(&b, d)
			}
		}
	}
	return b.String()
}

func writeDef(b *strings.Builder, d Def) {
	fmt.Fprintf(b, "### %s %s\n\n", d.Keyword, d.ExEN)
	fmt.Fprintf(b, "%s\n\n", d.Doc)
	fmt.Fprintf(b, "| | example | pattern |\n|---|---|---|\n")
	fmt.Fprintf(b, "| en | `%s %s` | `%s` |\n", d.Keyword, d.ExEN, escapePipes(d.EN))
	fmt.Fprintf(b, "| es | `%s %s` | `%s` |\n", spanishKeyword[d.Keyword], d.ExES, escapePipes(d.ES))
	switch d.Arg {
	case ArgTable:
		b.WriteString("\nTakes a table:\n\n```gherkin\n      | who       | says                           |\n      | Lucía     | ¿Dónde está mi pedido TE-1001? |\n      | assistant | TE-1001                        |\n```\n")
	case ArgDocString:
		b.WriteString("\nTakes a doc string:\n\n```gherkin\n      \"\"\"\n      a long message,\n      on several lines\n      \"\"\"\n```\n")
	}
	b.WriteString("\n")
}

var spanishKeyword = map[string]string{"Given": "Dado", "When": "Cuando", "Then": "Entonces"}

func escapePipes(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
