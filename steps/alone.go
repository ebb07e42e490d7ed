package steps

import (
	"regexp"
	"strings"
	"sync"
)

// aloneSteps are the regexes, English and Spanish, of the steps that make a scenario play alone.
var aloneSteps = sync.OnceValue(func() []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, d := range Defs() {
		if d.Alone {
			out = append(out, regexp.MustCompile(d.EN), regexp.MustCompile(d.ES))
		}
	}
	return out
})

// RunsAlone says whether a scenario whose steps have these texts (without their keywords, as Gherkin
// gives them) must play with no other scenario at the same time against one assistant: one of its
// steps changes what every scenario sees (a Def with Alone). A step the library does not know does not
// make a scenario play alone.
func RunsAlone(texts []string) bool {
	for _, t := range texts {
		t = strings.TrimSpace(t)
		for _, re := range aloneSteps() {
			if re.MatchString(t) {
				return true
			}
		}
	}
	return false
}
