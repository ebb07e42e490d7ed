package steps

import (
	"regexp"
	"strings"
	"sync"
)

// aloneSteps are the regexes, English and Spanish, of the steps that make a scenario play alone.
var aloneSteps = sync.OnceValue(func() []*regexp.Regexp { return regexesOf(func(d Def) bool { return d.Alone }) })

// waitingSteps are the regexes, English and Spanish, of the steps that make a scenario wait.
var waitingSteps = sync.OnceValue(func() []*regexp.Regexp { return regexesOf(func(d Def) bool { return d.Waits }) })

func regexesOf(marked func(Def) bool) []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, d := range Defs() {
		if marked(d) {
			out = append(out, regexp.MustCompile(d.EN), regexp.MustCompile(d.ES))
		}
	}
	return out
}

// RunsAlone says whether a scenario whose steps have these texts (without their keywords, as Gherkin
// gives them) must play with no other scenario at the same time against one assistant: one of its
// steps changes what every scenario sees (a Def with Alone). A step the library does not know does not
// make a scenario play alone.
func RunsAlone(texts []string) bool { return anyMatches(texts, aloneSteps()) }

// Waits says whether a scenario whose steps have these texts (without their keywords) waits on the wall
// clock for a while: one of its steps is a Def with Waits. It only orders a run (such scenarios start
// first); a step the library does not know does not make a scenario wait.
func Waits(texts []string) bool { return anyMatches(texts, waitingSteps()) }

func anyMatches(texts []string, res []*regexp.Regexp) bool {
	for _, t := range texts {
		t = strings.TrimSpace(t)
		for _, re := range res {
			if re.MatchString(t) {
				return true
			}
		}
	}
	return false
}
