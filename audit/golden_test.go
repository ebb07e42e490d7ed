package audit

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/parley-dev/parley/internal/golden"
	"github.com/parley-dev/parley/journal"
)

// TestSyntheticReportsGolden pins the reports of a synthetic journal, read from JSON and with its
// in-process payloads, so that work on the auditor's speed cannot change what it reports. The journal
// is the benchmarks' (smaller), with a few findings mixed in: a send carrying another customer's canary,
// a free-form send outside the window, a complaint answered without a tracking code. Both ways of reading
// it must give the same report, the one in testdata.
func TestSyntheticReportsGolden(t *testing.T) {
	evs := synthetic(30000, 60)
	last := evs[len(evs)-1]
	add := func(kind, cust string, data any) {
		raw, _ := json.Marshal(data)
		last.Seq++
		evs = append(evs, journal.Event{Seq: last.Seq, At: last.At, Source: journal.SourceWhatsApp, Kind: kind, Customer: cust, Data: raw})
	}
	add(journal.KindInboundDelivered, "34600000001", journal.InboundData{ID: "wamid.q", Type: "text", Text: "Quiero poner una queja", Status: 200, Attempts: 1})
	add(journal.KindOutboundAccepted, "34600000001", journal.OutboundData{To: "34600000001", Type: "text", Text: "Tu pedido PED-7 ha salido"})
	last.At = last.At.AddDate(0, 0, 3)
	add(journal.KindOutboundAccepted, "34600000001", journal.OutboundData{To: "34600000001", Type: "text", Text: "¿Sigues ahí?"})
	for _, c := range []struct {
		name string
		evs  []journal.Event
	}{{"from JSON", evs}, {"in process", recorded(evs)}} {
		t.Run(c.name, func(t *testing.T) {
			got, err := json.MarshalIndent(Run(c.evs, Options{}), "", " ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("testdata", "synthetic.report.json"), append(got, '\n'))
		})
	}
}
