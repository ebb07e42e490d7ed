package certify

import (
	"os"
	"testing"
)

func TestScratch(t *testing.T) {
	s, _ := BuiltinFeatures()
	plan, err := Select(s, os.Getenv("TAGS"), "")
	if err != nil {
		t.Fatal(err)
	}
	var sel []Scenario
	for _, sc := range plan.Selected {
		if sc.Name == os.Getenv("NAME") || os.Getenv("NAME") == "" {
			sel = append(sel, sc)
		}
	}
	plan.Selected = sel
	rep := certifyByURL(t, referenceByURL(t), plan, 8)
	t.Log(rep.Verdict)
}
