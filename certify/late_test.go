package certify

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/report"
)

// wholeRun is a SharedJournal over fixed events.
type wholeRun []journal.Event

func (w wholeRun) RunEvents(context.Context) ([]journal.Event, error) { return w, nil }
func (w wholeRun) RunAuditOptions() audit.Options                     { return audit.Options{} }

// TestLateFindingAboutNoCustomerIsKept: a finding about no customer made after every scenario ended (a
// Dialogflow call no customer can be tied to, with a session id too long to be a pseudonym) goes to the
// scenario that began last before it, not nowhere.
func TestLateFindingAboutNoCustomerIsKept(t *testing.T) {
	ev := func(seq uint64, src journal.Source, kind, cust string, data any) journal.Event {
		raw, _ := json.Marshal(data)
		return journal.Event{Seq: seq, At: journal.DefaultStart, Source: src, Kind: kind, Customer: cust, Data: raw}
	}
	first := []journal.Event{ev(1, journal.SourceWhatsApp, journal.KindInboundDelivered, "34600000001", journal.InboundData{ID: "wamid.a", Type: "text", Text: "Hola", Status: 200, Attempts: 1})}
	second := []journal.Event{ev(2, journal.SourceWhatsApp, journal.KindInboundDelivered, "34600000002", journal.InboundData{ID: "wamid.b", Type: "text", Text: "Hola", Status: 200, Attempts: 1})}
	session := strings.Repeat("s", 40)
	late := ev(9, journal.SourceDialogflow, journal.KindDetectIntent, "", journal.DetectIntentData{API: "es", Transport: "grpc",
		Session: "projects/p/locations/europe-west1/agent/sessions/" + session, SessionID: session, Project: "p", Text: "hola"})
	run := wholeRun(append(append(append([]journal.Event{}, first...), second...), late))
	outs := []report.Outcome{{Name: "first", Events: first}, {Name: "second", Events: second}}
	if err := attributeLate(context.Background(), run, outs); err != nil {
		t.Fatal(err)
	}
	held := func(o report.Outcome) bool {
		for _, r := range o.Audit.Results {
			for _, f := range r.Findings {
				if f.Rule == "PII-NLU-02" {
					return true
				}
			}
		}
		return false
	}
	if held(outs[0]) || !held(outs[1]) {
		t.Errorf("the late PII-NLU-02 finding: in first %v, in second %v; want it in the scenario that began last before it", held(outs[0]), held(outs[1]))
	}
}
