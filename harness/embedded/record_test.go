package embedded

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/sim"
)

var recordJournals = flag.Bool("record-journals", false, "write the journal of every journey, on the compliant "+
	"reference assistant and with each violation switch its journeys claim, to journal/testdata/journals")

// TestRecordJournals writes the journals of the suite's conversations, which the journal package's tests
// decode by hand and with encoding/json and compare. Run it again when the mocks journal something new:
//
//	go test ./harness/embedded -run TestRecordJournals -record-journals
func TestRecordJournals(t *testing.T) {
	if !*recordJournals {
		t.Skip("writes journal/testdata/journals with -record-journals")
	}
	dir := filepath.Join("..", "..", "journal", "testdata", "journals")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, events []journal.Event) {
		f, err := os.Create(filepath.Join(dir, name+".jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := journal.WriteJSONL(f, events); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range runAll(t, sim.Journeys()) {
		write(slugOf(sim.Journeys()[i].Name), r.Events)
	}
	for _, rule := range []string{"WA-OPTIN-01", "WA-WINDOW-01", "PII-NLU-01", "WA-SEC-01"} {
		var js []sim.Journey
		for _, j := range sim.Journeys() {
			for _, id := range j.Rules {
				if id == rule {
					js = append(js, j)
				}
			}
		}
		for i, r := range runAll(t, js, rule) {
			write("violate-"+slugOf(rule)+"-"+slugOf(js[i].Name), r.Events)
		}
	}
}
