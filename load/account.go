package load

import (
	"fmt"
	"sort"

	"github.com/parley-dev/parley/journal"
)

// Flow accounts for the messages of one direction: every one sent is received or refused with a reason;
// Lost counts the rest.
type Flow struct {
	Sent     int            `json:"sent"`
	Received int            `json:"received"`
	Refused  int            `json:"refused"`
	Reasons  map[string]int `json:"refused_reasons,omitempty"` // reason → count
	Lost     int            `json:"lost"`
	LostIDs  []string       `json:"lost_ids,omitempty"` // the first few, to look up in the journal
}

// Accounting is every message of a run, from the journal.
type Accounting struct {
	// Inbound: customers' messages. Received is delivered to the webhook (2xx); refused is every webhook
	// attempt failed, with the last error as the reason.
	Inbound Flow `json:"inbound"`
	// Outbound: the assistant's sends. Sent is every call of the messages endpoint (mark-as-read excluded);
	// received is on the customer's phone (status "sent" and no "failed"); refused is answered with a Graph
	// error, or failed later with a status webhook, the code being the reason.
	Outbound Flow `json:"outbound"`
	// OnPhones is how many messages the customers' phones hold, counted on the WhatsApp mock; -1 when not
	// counted. It must equal Outbound.Received.
	OnPhones int `json:"on_phones"`
	// WebhookRetries counts webhook POSTs after the first for the same webhook.
	WebhookRetries int `json:"webhook_retries"`
}

// Lost is every message not accounted for, both ways, including a mismatch between the journal and the
// phones.
func (a Accounting) Lost() int {
	n := a.Inbound.Lost + a.Outbound.Lost
	if a.OnPhones >= 0 && a.OnPhones != a.Outbound.Received {
		n += abs(a.OnPhones - a.Outbound.Received)
	}
	return n
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

const maxLostIDs = 10

func (f *Flow) refuse(reason string) {
	f.Refused++
	if f.Reasons == nil {
		f.Reasons = map[string]int{}
	}
	f.Reasons[reason]++
}

// Account counts every message of events. Run it on a settled journal: a send whose status webhook is
// still queued counts as lost.
func Account(events []journal.Event) Accounting {
	a := Accounting{OnPhones: -1}
	inbound := map[string]bool{} // wamid → ended (delivered or failed)
	var inOrder []string
	type out struct{ sent, failed bool }
	outbound := map[string]*out{}
	var outOrder []string
	for _, e := range events {
		switch e.Kind {
		case journal.KindInboundSent:
			var d journal.InboundData
			if e.Decode(&d) != nil {
				continue
			}
			a.Inbound.Sent++
			inbound[d.ID] = false
			inOrder = append(inOrder, d.ID)
		case journal.KindInboundDelivered, journal.KindInboundFailed:
			var d journal.InboundData
			if e.Decode(&d) != nil {
				continue
			}
			if ended, ok := inbound[d.ID]; !ok || ended {
				continue // delivered twice, or never sent: neither makes a message
			}
			inbound[d.ID] = true
			if e.Kind == journal.KindInboundDelivered {
				a.Inbound.Received++
			} else {
				a.Inbound.refuse(fmt.Sprintf("webhook HTTP %d: %s", d.Status, d.Error))
			}
		case journal.KindOutboundAccepted:
			var d journal.OutboundData
			if e.Decode(&d) != nil {
				continue
			}
			a.Outbound.Sent++
			outbound[d.ID] = &out{}
			outOrder = append(outOrder, d.ID)
		case journal.KindOutboundRejected:
			var d journal.OutboundData
			if e.Decode(&d) != nil {
				continue
			}
			a.Outbound.Sent++
			a.Outbound.refuse(fmt.Sprintf("%d: %s", d.Code, d.Error))
		case journal.KindStatusSent, journal.KindStatusDelivered, journal.KindStatusRead, journal.KindStatusFailed:
			var d journal.StatusData
			if e.Decode(&d) != nil {
				continue
			}
			o := outbound[d.ID]
			if o == nil {
				continue
			}
			if e.Kind == journal.KindStatusFailed {
				if !o.failed {
					a.Outbound.refuse(fmt.Sprintf("%d: %s (status webhook)", d.Code, d.Error))
				}
				o.failed = true
			} else {
				o.sent = true
			}
		case journal.KindWebhookAttempt:
			var d journal.WebhookAttemptData
			if e.Decode(&d) == nil && d.Attempt > 1 {
				a.WebhookRetries++
			}
		}
	}
	for _, id := range inOrder {
		if !inbound[id] {
			a.Inbound.Lost++
			if len(a.Inbound.LostIDs) < maxLostIDs {
				a.Inbound.LostIDs = append(a.Inbound.LostIDs, id)
			}
		}
	}
	for _, id := range outOrder {
		o := outbound[id]
		switch {
		case o.failed:
		case o.sent:
			a.Outbound.Received++
		default:
			a.Outbound.Lost++
			if len(a.Outbound.LostIDs) < maxLostIDs {
				a.Outbound.LostIDs = append(a.Outbound.LostIDs, id)
			}
		}
	}
	return a
}

// merge adds o's counts to a.
func (a *Accounting) merge(o Accounting) {
	mergeFlow(&a.Inbound, o.Inbound)
	mergeFlow(&a.Outbound, o.Outbound)
	if a.OnPhones < 0 || o.OnPhones < 0 {
		a.OnPhones = -1
	} else {
		a.OnPhones += o.OnPhones
	}
	a.WebhookRetries += o.WebhookRetries
}

func mergeFlow(f *Flow, o Flow) {
	f.Sent += o.Sent
	f.Received += o.Received
	f.Lost += o.Lost
	f.Refused += o.Refused
	for r, n := range o.Reasons {
		if f.Reasons == nil {
			f.Reasons = map[string]int{}
		}
		f.Reasons[r] += n
	}
	f.LostIDs = append(f.LostIDs, o.LostIDs...)
	sort.Strings(f.LostIDs)
	if len(f.LostIDs) > maxLostIDs {
		f.LostIDs = f.LostIDs[:maxLostIDs]
	}
}
