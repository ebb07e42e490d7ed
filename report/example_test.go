package report_test

import (
	"fmt"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/report"
)

// A scenario's journal and its audit become a report entry; Build turns entries into the verdict.
func ExampleBuild() {
	j := journal.New(journal.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)))
	j.Record(journal.SourceCustomer, journal.KindInboundSent, "34600000001", journal.InboundData{Type: "text", Text: "Hola"})
	j.Record(journal.SourceWhatsApp, journal.KindOutboundAccepted, "34600000001", journal.OutboundData{WaID: "34600000001", Type: "text", Text: "Hola, soy un asistente automático.", InWindow: true})
	events := j.Events()
	sc := report.NewScenario(report.Outcome{Name: "first contact", Events: events, Audit: audit.Run(events, audit.Options{})})
	r := report.Build(report.Header{FailOn: audit.SeverityHigh}, report.Catalogue(), []report.Scenario{sc})
	fmt.Println(len(sc.Transcript), "turns; first from the", sc.Transcript[0].From)
	fmt.Println(r.Summary.Scenarios, "scenario; every catalogue rule judged:", len(r.Rules) == len(audit.Catalogue()))
	// Output:
	// 2 turns; first from the customer
	// 1 scenario; every catalogue rule judged: true
}
