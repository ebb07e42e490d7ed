package embedded

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/sim"
)

// TestJournalsAsRecorded plays the suite's journeys again, on the compliant assistant and with the
// violation switches TestRecordJournals recorded, and compares each journal with the one recorded in
// journal/testdata/journals: a change made for speed must leave every conversation as it was.
//
// What the seed does not fix is left out of the comparison, and only that: the loopback ports, the
// reference numbers the assistant draws at random (DSR-…, REC-…), and the order between events that run
// beside each other in the process. Every event must be there, as recorded; within each lane, its
// events must come in the recorded order. The lanes are each customer's messages with their webhooks,
// WhatsApp's queue of status webhooks, each source's events about one customer (the assistant's sends,
// its DLP and Dialogflow calls), the hub.challenge handshake and the TLS probes.
func TestJournalsAsRecorded(t *testing.T) {
	if testing.Short() {
		t.Skip("plays the whole suite")
	}
	dir := filepath.Join("..", "..", "journal", "testdata", "journals")
	want := func(name string) []journal.Event {
		t.Helper()
		f, err := os.Open(filepath.Join(dir, name+".jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		events, err := journal.ReadJSONL(f)
		if err != nil {
			t.Fatal(err)
		}
		return events
	}
	compare := func(name string, got []journal.Event) {
		t.Helper()
		wl, wa := lanes(want(name))
		gl, ga := lanes(got)
		slices.Sort(wa)
		slices.Sort(ga)
		if d := firstDifference(wa, ga); d != "" {
			t.Errorf("%s: not the recorded events: %s", name, d)
		}
		for lane, w := range wl {
			if d := firstDifference(w, gl[lane]); d != "" {
				t.Errorf("%s: lane %s not in the recorded order: %s", name, lane, d)
			}
		}
	}
	journeys := sim.Journeys()
	for i, r := range runAll(t, journeys) {
		compare(slugOf(journeys[i].Name), r.Events)
	}
	for _, rule := range []string{"WA-OPTIN-01", "WA-WINDOW-01", "PII-NLU-01", "WA-SEC-01"} {
		var js []sim.Journey
		for _, j := range journeys {
			if slices.Contains(j.Rules, rule) {
				js = append(js, j)
			}
		}
		for i, r := range runAll(t, js, rule) {
			compare("violate-"+slugOf(rule)+"-"+slugOf(js[i].Name), r.Events)
		}
	}
}

var (
	loopbackPort = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	drawnRef     = regexp.MustCompile(`\b([A-Z]{2,4})-[A-Z2-7]{8}\b`)
)

// lanes returns a journal's events, each as one line without its sequence number, the loopback ports or
// the assistant's random reference numbers: grouped by lane, in order, and all of them.
func lanes(events []journal.Event) (byLane map[string][]string, all []string) {
	inbound := map[string]string{} // a customer's message id: the customer
	for _, e := range events {
		if e.Kind == journal.KindInboundSent {
			var d journal.InboundData
			if err := json.Unmarshal(e.Data, &d); err == nil {
				inbound[d.ID] = e.Customer
			}
		}
	}
	byLane = map[string][]string{}
	for _, e := range events {
		data := loopbackPort.ReplaceAll(bytes.TrimSpace(e.Data), []byte("127.0.0.1:PORT"))
		if e.Kind == journal.KindMediaUploaded {
			data = withContentDecoded(data) // a file the assistant made, with the reference in it
		}
		data = drawnRef.ReplaceAll(data, []byte("$1-XXXXXXXX"))
		line := fmt.Sprintf("%s %s %s %s %s", e.At.UTC().Format(time.RFC3339Nano), e.Source, e.Kind, e.Customer, data)
		all = append(all, line)
		lane := string(e.Source) + " " + e.Customer
		switch {
		case e.Source == journal.SourceCustomer:
			lane = "customer " + e.Customer
		case strings.HasPrefix(e.Kind, "status."):
			lane = "status webhooks"
		case e.Kind == journal.KindWebhookAttempt:
			var d journal.WebhookAttemptData
			_ = json.Unmarshal(e.Data, &d)
			switch who, ok := inbound[d.RefID]; {
			case ok && d.Field == "messages":
				lane = "customer " + who
			case !d.Signed:
				lane = "forged webhooks"
			default:
				lane = "status webhooks"
			}
		}
		byLane[lane] = append(byLane[lane], line)
	}
	return byLane, all
}

// withContentDecoded returns a media.uploaded payload with its base64 content decoded, so that what
// the file says can be compared.
func withContentDecoded(data []byte) []byte {
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		return data
	}
	if c, ok := m["content"].(string); ok {
		if raw, err := base64.StdEncoding.DecodeString(c); err == nil {
			m["content"] = string(raw)
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		return data
	}
	return out
}

// firstDifference describes where two lists of lines first differ, "" when they are equal.
func firstDifference(want, got []string) string {
	for i := range min(len(want), len(got)) {
		if want[i] != got[i] {
			return fmt.Sprintf("line %d:\nrecorded %s\nplayed   %s", i, cut(want[i]), cut(got[i]))
		}
	}
	if len(want) != len(got) {
		return fmt.Sprintf("%d lines recorded, %d played", len(want), len(got))
	}
	return ""
}

func cut(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}

// slugOf is a journey's name as the recorded journals' file names spell it.
func slugOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '-'
	}, s)
}
