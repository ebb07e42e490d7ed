package features_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/parley-dev/parley/features"
	"github.com/parley-dev/parley/profile"
	"github.com/parley-dev/parley/steps"
)

// TestNeedsAndHookTags: a scenario with a step that calls one of the assistant's certification hooks carries
// the hook's tag (@hook-consent, @hook-notify, @hook-campaign, @hook-handoff-release), so a profile that
// declares the hook absent can mark the scenario not applicable; a scenario carries no hook tag it does
// not need; and a scenario with a step that needs a capability (steps.Needs) carries its @needs- tag.
func TestNeedsAndHookTags(t *testing.T) {
	err := fs.WalkDir(features.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".feature") {
			return err
		}
		b, err := fs.ReadFile(features.FS(), path)
		if err != nil {
			return err
		}
		for _, p := range tagProblems(t, path, b) {
			t.Error(p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestNeedsAndHookTagsCatchMissingTags(t *testing.T) {
	const feature = `Feature: hooks
  @hook-campaign
  Scenario: a campaign and a release without the release's tag
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    When the business sends the campaign "promo_verano"
    And the agent hands "Lucía" back to the assistant

  @hook-notify
  Scenario: a tag with no step that needs it
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish

  @needs-handoff
  Scenario: offers without their capability's tag
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    When "Lucía" opts in to offers
    And "Lucía" asks for a person
`
	got := strings.Join(tagProblems(t, "hooks.feature", []byte(feature)), "\n")
	for _, want := range []string{
		`hooks.feature: "a campaign and a release without the release's tag" calls the handoff_release hook ("the agent hands \"Lucía\" back to the assistant") but is not tagged @hook-handoff-release`,
		`hooks.feature: "a tag with no step that needs it" is tagged @hook-notify but no step calls the notify hook`,
		`hooks.feature: "offers without their capability's tag" needs what @needs-marketing says ("\"Lucía\" opts in to offers") but is not tagged so`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("not reported: %s\n(got:\n%s)", want, got)
		}
	}
	if strings.Contains(got, "@hook-campaign") || strings.Contains(got, "@needs-handoff") {
		t.Errorf("a scenario with its tag reported:\n%s", got)
	}
}

// tagProblems checks the capability and hook tags of a feature's scenarios, examples included.
func tagProblems(t *testing.T, path string, b []byte) []string {
	t.Helper()
	doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(b), (&messages.Incrementing{}).NewId)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if doc.Feature == nil {
		return nil
	}
	var out []string
	for _, p := range gherkin.Pickles(*doc, path, (&messages.Incrementing{}).NewId) {
		var tags []string
		for _, tg := range p.Tags {
			tags = append(tags, tg.Name)
		}
		used := map[string]bool{}
		for _, st := range p.Steps {
			h := steps.Hook(st.Text)
			if h == "" {
				continue
			}
			used[profile.HookTag(h)] = true
			if !slices.Contains(tags, profile.HookTag(h)) {
				out = append(out, fmt.Sprintf("%s: %q calls the %s hook (%q) but is not tagged %s", path, p.Name, h, st.Text, profile.HookTag(h)))
			}
		}
		for _, st := range p.Steps {
			if need := steps.Needs(st.Text); need != "" && !slices.Contains(tags, need) {
				out = append(out, fmt.Sprintf("%s: %q needs what %s says (%q) but is not tagged so", path, p.Name, need, st.Text))
			}
		}
		for _, tag := range tags {
			if strings.HasPrefix(tag, "@hook-") && !used[tag] {
				out = append(out, fmt.Sprintf("%s: %q is tagged %s but no step calls the %s hook", path, p.Name, tag,
					strings.ReplaceAll(strings.TrimPrefix(tag, "@hook-"), "-", "_")))
			}
		}
	}
	return slices.Compact(out)
}
