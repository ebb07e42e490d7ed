package report

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// RerunOf says that a report is a rerun: the earlier report whose failed scenarios it played again, and
// what of that report it carries as it was.
//
// A rerun claims less than a whole run. The carried scenarios passed against the assistant as it was
// when the earlier report was made; parley cannot tell whether the assistant changed since, so a
// certified rerun certifies the two runs together, never one build of the assistant on its own. The
// whole journal of the earlier run is not audited again either: only the replayed scenarios' journal is.
type RerunOf struct {
	// Report is the earlier report.json as it was given, and SHA256 the hash of its bytes, which the
	// earlier report's signed manifest lists when it was signed.
	Report string `json:"report"`
	SHA256 string `json:"sha256"`
	// Verdict and StartedAt are the earlier report's.
	Verdict   string    `json:"verdict"`
	StartedAt time.Time `json:"started_at"`
	// Replayed are the scenarios this run played again: those that failed, could not run or did not
	// reach their goal in the earlier report. Carried are the others, taken from it as they were.
	Replayed []string `json:"replayed"`
	Carried  []string `json:"carried"`
}

// Replays reports whether a scenario of that status is played again by a rerun: it failed, could not
// run, or its simulated customer did not reach its goal.
func Replays(status string) bool {
	return status == ScenarioFailed || status == ScenarioError || status == ScenarioGoalNotReached
}

// ToReplay returns the scenarios a rerun of r plays again (Replays), in the report's order.
func (r Report) ToReplay() []Scenario {
	var out []Scenario
	for _, s := range r.Scenarios {
		if Replays(s.Status) {
			out = append(out, s)
		}
	}
	return out
}

// CheckRerun refuses to rerun earlier with a run of header h when the two could not be joined into one
// verdict: another suite (its hash), assistant, assistant's profile, parley binary or threshold, or an
// earlier report that is itself one shard of a run (merge the shards first).
func CheckRerun(earlier Report, h Header) error {
	a, b := earlier.Assistant, h.Assistant
	switch {
	case earlier.Schema != SchemaID:
		return fmt.Errorf("the report has schema %q, not %q", earlier.Schema, SchemaID)
	case earlier.Suite.SHA256 != h.Suite.SHA256 && h.Suite.SHA256 != "":
		return fmt.Errorf("the report ran another suite (%s %s, not %s %s): a rerun plays the suite the report ran; give the --features it ran, unchanged",
			earlier.Suite.Name, short(earlier.Suite.SHA256), h.Suite.Name, short(h.Suite.SHA256))
	case earlier.Suite.Shard != "":
		return fmt.Errorf("the report is shard %s of a run: merge the shards with parley report merge, then rerun the merged report", earlier.Suite.Shard)
	case a.Kind != b.Kind || a.URL != b.URL || a.Image != b.Image || !slices.Equal(a.Violations, b.Violations):
		return fmt.Errorf("the report certified another assistant (%s) than this run (%s)", describe(a), describe(b))
	case !sameProfile(earlier.Profile, h.Profile) && h.Profile != nil:
		return errors.New("the report ran with another assistant profile: a rerun uses the same --profile")
	case earlier.Parley.BinarySHA256 != h.Parley.BinarySHA256:
		return fmt.Errorf("the report was made by another parley binary (%s, not %s), whose auditor may judge otherwise: run the whole suite",
			short(earlier.Parley.BinarySHA256), short(h.Parley.BinarySHA256))
	case earlier.FailOn != string(h.FailOn):
		return fmt.Errorf("the report failed on %s, this run on %s: give --fail-on %s", earlier.FailOn, h.FailOn, earlier.FailOn)
	}
	return nil
}

// describe names an assistant for a refusal: its name, and the reference assistant's switches broken on
// purpose, which make it another assistant.
func describe(a Assistant) string {
	if len(a.Violations) == 0 {
		return a.Name
	}
	return a.Name + " with --violate " + strings.Join(a.Violations, ",")
}

// Rerun joins fresh, the report of a run that played earlier's scenarios to replay (ToReplay) again, to
// the scenarios of earlier it carries as they were, and recomputes the verdict over them all (Build).
// The suite's selection (tags, total) is earlier's; the result names earlier in its Rerun field. A
// scenario to replay that fresh does not hold is an error.
func Rerun(earlier Report, of RerunOf, fresh Report) (Report, error) {
	h := fresh.Header()
	if err := CheckRerun(earlier, h); err != nil {
		return Report{}, err
	}
	played := map[string]Scenario{}
	for _, s := range fresh.Scenarios {
		played[s.Name] = s
	}
	of.Verdict, of.StartedAt = earlier.Verdict, earlier.StartedAt.UTC()
	of.Replayed, of.Carried = []string{}, []string{}
	scenarios := make([]Scenario, 0, len(earlier.Scenarios))
	for _, s := range earlier.Scenarios {
		if !Replays(s.Status) {
			of.Carried = append(of.Carried, s.Name)
			scenarios = append(scenarios, s)
			continue
		}
		again, ok := played[s.Name]
		if !ok {
			return Report{}, fmt.Errorf("scenario %q of the earlier report was not played again", s.Name)
		}
		of.Replayed = append(of.Replayed, s.Name)
		scenarios = append(scenarios, again)
	}
	h.Suite = earlier.Suite
	h.Rerun = &of
	return Build(h, fresh.Catalogue(), scenarios), nil
}
