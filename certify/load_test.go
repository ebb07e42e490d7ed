package certify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/parley-dev/parley/steps"
)

func outlineOf(rows int) string {
	var b strings.Builder
	b.WriteString("Feature: many rows\n  Scenario Outline: o\n    Given a customer \"Ana\" with phone \"+34 600 000 001\" who speaks Spanish\n    When \"Ana\" says \"<t>\"\n\n    Examples:\n      | t |\n")
	for i := range rows {
		fmt.Fprintf(&b, "      | hola %d |\n", i)
	}
	return b.String()
}

// A suite of more scenarios than the limit (an outline's rows count one each) is refused before its
// scenarios are compiled; the limit can be raised.
func TestLoadFeaturesScenarioLimit(t *testing.T) {
	fsys := fstest.MapFS{"o.feature": {Data: []byte(outlineOf(steps.DefaultScenarios + 1))}}
	_, err := LoadFeatures(context.Background(), fsys, "rows", LoadOptions{})
	if !errors.Is(err, ErrFeatures) || !errors.Is(err, steps.ErrTooLarge) || !strings.Contains(err.Error(), "--max-scenarios") {
		t.Fatalf("got %v", err)
	}
	s, err := LoadFeatures(context.Background(), fstest.MapFS{"o.feature": {Data: []byte(outlineOf(12))}}, "rows", LoadOptions{Limits: steps.Limits{Scenarios: 12}})
	if err != nil || len(s.Scenarios()) != 12 {
		t.Fatalf("12 rows under a limit of 12: %v", err)
	}
	if _, err := LoadFeatures(context.Background(), fstest.MapFS{"o.feature": {Data: []byte(outlineOf(13))}}, "rows", LoadOptions{Limits: steps.Limits{Scenarios: 12}}); !errors.Is(err, steps.ErrTooLarge) {
		t.Fatalf("13 rows under a limit of 12: %v", err)
	}
}

func TestLoadFeaturesRefusesBombs(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.feature"), []byte(outlineOf(2)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "z.feature")); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFeatures(context.Background(), os.DirFS(dir), "bomb", LoadOptions{})
	if !errors.Is(err, ErrFeatures) || !errors.Is(err, steps.ErrNotRegular) {
		t.Fatalf("got %v", err)
	}
}

func TestLoadFeaturesCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := LoadFeatures(ctx, fstest.MapFS{"o.feature": {Data: []byte(outlineOf(2))}}, "x", LoadOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
}

func TestLoadFeaturesProgress(t *testing.T) {
	var said []string
	_, err := LoadFeatures(context.Background(), fstest.MapFS{"o.feature": {Data: []byte(outlineOf(3))}}, "x",
		LoadOptions{Progress: func(s string) { said = append(said, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(said, "; "); !strings.Contains(got, "read o.feature") || !strings.HasSuffix(got, "3 scenario(s) in 1 file(s)") {
		t.Fatalf("progress: %q", got)
	}
}

const ruled = `# language: en
@feature-tag
Feature: cut
  A description.

  Background:
    Given a customer "Ana" with phone "+34 600 000 001" who speaks Spanish

  @one
  Scenario: first
    When "Ana" says "one"

  Rule: a rule

    Background:
      Given a customer "Bea" with phone "+34 600 000 002" who speaks Spanish

    @two
    Scenario Outline: second
      When "Bea" says "<t>"

      Examples:
        | t |
        | a |
        | b |

    Scenario: third
      When "Bea" says "three"

  Scenario: fourth
    When "Ana" says "four"
`

// Each scenario is played from a feature of its own lines (the header, the backgrounds and rule that
// apply, the scenario), so playing a file of n scenarios parses n small features, not n times the file.
func TestGroupSourceCut(t *testing.T) {
	doc, err := gherkin.ParseGherkinDocument(strings.NewReader(ruled), (&messages.Incrementing{}).NewId)
	if err != nil {
		t.Fatal(err)
	}
	src := newFileSource([]byte(ruled))
	want := map[string]struct {
		steps []string
		tags  []string
		rows  int
	}{
		"first":  {[]string{`a customer "Ana" with phone "+34 600 000 001" who speaks Spanish`, `"Ana" says "one"`}, []string{"@feature-tag", "@one"}, 1},
		"second": {[]string{`a customer "Ana" with phone "+34 600 000 001" who speaks Spanish`, `a customer "Bea" with phone "+34 600 000 002" who speaks Spanish`, `"Bea" says "a"`}, []string{"@feature-tag", "@two"}, 2},
		"third":  {[]string{`a customer "Ana" with phone "+34 600 000 001" who speaks Spanish`, `a customer "Bea" with phone "+34 600 000 002" who speaks Spanish`, `"Bea" says "three"`}, []string{"@feature-tag"}, 1},
		// A scenario after a rule belongs to the rule.
		"fourth": {[]string{`a customer "Ana" with phone "+34 600 000 001" who speaks Spanish`, `a customer "Bea" with phone "+34 600 000 002" who speaks Spanish`, `"Ana" says "four"`}, []string{"@feature-tag"}, 1},
	}
	seen := 0
	for _, n := range astNodes(doc) {
		if n.scenario == nil {
			continue
		}
		seen++
		cut := src.cut(n.spans)
		one, err := gherkin.ParseGherkinDocument(bytes.NewReader(cut), (&messages.Incrementing{}).NewId)
		if err != nil {
			t.Fatalf("%s: %v\n%s", n.scenario.Name, err, cut)
		}
		pickles := gherkin.Pickles(*one, "x.feature", (&messages.Incrementing{}).NewId)
		w := want[n.scenario.Name]
		if len(pickles) != w.rows || pickles[0].Name != n.scenario.Name {
			t.Fatalf("%s: %d pickles, want %d:\n%s", n.scenario.Name, len(pickles), w.rows, cut)
		}
		var got, tags []string
		for _, st := range pickles[0].Steps {
			got = append(got, st.Text)
		}
		for _, tg := range pickles[0].Tags {
			tags = append(tags, tg.Name)
		}
		if strings.Join(got, "|") != strings.Join(w.steps, "|") || strings.Join(tags, " ") != strings.Join(w.tags, " ") {
			t.Fatalf("%s: steps %q tags %q, want %q %q\n%s", n.scenario.Name, got, tags, w.steps, w.tags, cut)
		}
	}
	if seen != 4 {
		t.Fatalf("%d scenarios", seen)
	}
}

// The feature a scenario is played from does not grow with the file around it.
func TestGroupSourceSize(t *testing.T) {
	var b strings.Builder
	b.WriteString("Feature: big\n")
	for i := range 2000 {
		fmt.Fprintf(&b, "  Scenario: s%d\n    Given a customer \"Ana\" with phone \"+34 600 000 001\" who speaks Spanish\n\n", i)
	}
	doc, err := gherkin.ParseGherkinDocument(strings.NewReader(b.String()), (&messages.Incrementing{}).NewId)
	if err != nil {
		t.Fatal(err)
	}
	src := newFileSource([]byte(b.String()))
	for _, n := range astNodes(doc) {
		if n.scenario != nil {
			if cut := src.cut(n.spans); len(cut) > 200 {
				t.Fatalf("%s is played from %d bytes:\n%.300s", n.scenario.Name, len(cut), cut)
			}
		}
	}
}
