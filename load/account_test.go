package load

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/parley-dev/parley/journal"
)

func ev(kind string, data any) journal.Event {
	raw, _ := json.Marshal(data)
	return journal.Event{Kind: kind, Customer: "34700000001", Data: raw}
}

func TestAccount(t *testing.T) {
	in := func(id string) journal.InboundData { return journal.InboundData{ID: id, Type: "text"} }
	st := func(id string) journal.StatusData { return journal.StatusData{ID: id} }
	for _, tc := range []struct {
		name   string
		events []journal.Event
		want   func(a Accounting) string // "" when right
	}{
		{"delivered both ways", []journal.Event{
			ev(journal.KindInboundSent, in("a")), ev(journal.KindInboundDelivered, in("a")),
			ev(journal.KindOutboundAccepted, journal.OutboundData{ID: "x"}), ev(journal.KindStatusSent, st("x")), ev(journal.KindStatusDelivered, st("x")),
		}, func(a Accounting) string {
			if a.Inbound.Sent != 1 || a.Inbound.Received != 1 || a.Outbound.Sent != 1 || a.Outbound.Received != 1 || a.Lost() != 0 {
				return "want 1 and 1 received"
			}
			return ""
		}},
		{"a customer's message with no outcome is lost", []journal.Event{
			ev(journal.KindInboundSent, in("a")), ev(journal.KindInboundSent, in("b")), ev(journal.KindInboundDelivered, in("b")),
		}, func(a Accounting) string {
			if a.Inbound.Lost != 1 || len(a.Inbound.LostIDs) != 1 || a.Inbound.LostIDs[0] != "a" || a.Lost() != 1 {
				return "want a lost"
			}
			return ""
		}},
		{"a failed webhook is refused with its reason", []journal.Event{
			ev(journal.KindInboundSent, in("a")),
			ev(journal.KindInboundFailed, journal.InboundData{ID: "a", Status: 500, Error: "every attempt failed"}),
		}, func(a Accounting) string {
			if a.Inbound.Refused != 1 || a.Inbound.Reasons["webhook HTTP 500: every attempt failed"] != 1 || a.Lost() != 0 {
				return "want refused with HTTP 500"
			}
			return ""
		}},
		{"a throttled send is refused with its code", []journal.Event{
			ev(journal.KindOutboundRejected, journal.OutboundData{HTTP: 400, Code: 130429, Error: "Rate limit hit"}),
		}, func(a Accounting) string {
			if a.Outbound.Sent != 1 || a.Outbound.Refused != 1 || a.Outbound.Reasons["130429: Rate limit hit"] != 1 {
				return "want 130429 counted"
			}
			return ""
		}},
		{"a send failed by status webhook is refused once", []journal.Event{
			ev(journal.KindOutboundAccepted, journal.OutboundData{ID: "x"}),
			ev(journal.KindStatusFailed, journal.StatusData{ID: "x", Code: 131047, Error: "Re-engagement message"}),
			ev(journal.KindStatusFailed, journal.StatusData{ID: "x", Code: 131047, Error: "Re-engagement message"}),
		}, func(a Accounting) string {
			if a.Outbound.Refused != 1 || a.Outbound.Received != 0 || a.Lost() != 0 {
				return "want one refusal"
			}
			return ""
		}},
		{"an accepted send with no status is lost", []journal.Event{
			ev(journal.KindOutboundAccepted, journal.OutboundData{ID: "x"}),
		}, func(a Accounting) string {
			if a.Outbound.Lost != 1 || a.Outbound.LostIDs[0] != "x" {
				return "want x lost"
			}
			return ""
		}},
		{"webhook retries", []journal.Event{
			ev(journal.KindWebhookAttempt, journal.WebhookAttemptData{Attempt: 1}),
			ev(journal.KindWebhookAttempt, journal.WebhookAttemptData{Attempt: 2}),
			ev(journal.KindWebhookAttempt, journal.WebhookAttemptData{Attempt: 3}),
		}, func(a Accounting) string {
			if a.WebhookRetries != 2 {
				return "want 2 retries"
			}
			return ""
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := Account(tc.events)
			if msg := tc.want(a); msg != "" {
				t.Errorf("%s; got %+v", msg, a)
			}
		})
	}
}

func TestPhonesMustMatchTheJournal(t *testing.T) {
	a := Accounting{Outbound: Flow{Sent: 3, Received: 3}, OnPhones: 2}
	if a.Lost() != 1 {
		t.Errorf("a phone missing a message the journal says it received is not counted as lost: %d", a.Lost())
	}
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"first of four", "1/4", true}, {"last of four", "4/4", true}, {"whole", "1/1", true},
		{"index too big", "5/4", false}, {"index zero", "0/4", false}, {"zero shards", "0/0", false}, {"not a shard", "two", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseShard(tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("ParseShard(%q) = %v, %v", tc.in, s, err)
			}
			if tc.ok && s.String() != tc.in {
				t.Errorf("round trip %q → %q", tc.in, s)
			}
		})
	}
}

func TestShardsPartitionCustomersAndJourneys(t *testing.T) {
	m := DefaultMix()
	owners := make([]int, 1000)
	for i := 1; i <= 4; i++ {
		s := Shard{i, 4}
		for k := range owners {
			if s.owns(k) {
				owners[k]++
			}
		}
	}
	for k, n := range owners {
		if n != 1 {
			t.Fatalf("customer %d belongs to %d shards", k, n)
		}
	}
	counts := map[string]int{}
	for k := range 1000 {
		if journeyOf(m, 1, k, 0) != journeyOf(m, 1, k, 0) {
			t.Fatal("journey choice is not deterministic")
		}
		counts[journeyOf(m, 1, k, 0)]++
	}
	// 35% order status: a draw far from it means the weights are not applied.
	if n := counts[OrderStatus]; n < 280 || n > 420 {
		t.Errorf("order_status drawn %d times in 1000 with weight 35%%: %v", n, counts)
	}
	if WaID(5, 1) == WaID(5, 0) || WaID(5, 0) == WaID(6, 0) {
		t.Error("phone numbers repeat across customers or rounds")
	}
}

func TestParseMix(t *testing.T) {
	for _, tc := range []struct {
		name, in, err string
	}{
		{"weights", `{"greeting": 1, "order_status": 3}`, ""},
		{"unknown journey", `{"greeting": 1, "smalltalk": 2}`, "unknown journey"},
		{"negative", `{"greeting": -1, "opt_in": 2}`, "negative"},
		{"all zero", `{"greeting": 0}`, "positive"},
		{"not json", `greeting=1`, "JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseMix(strings.NewReader(tc.in))
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if m.pick(0.1) != Greeting || m.pick(0.9) != OrderStatus {
					t.Errorf("weights not applied: %v", m)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("got %v, want an error about %q", err, tc.err)
			}
		})
	}
}
