package audit

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/parley-dev/parley/journal"
)

// kinds whose payload the auditor decodes, with how (payload.go); known kinds without a payload the
// auditor needs map to nil.
var payloadKinds = map[string]*payloadKind{
	journal.KindInboundSent:      inboundKind,
	journal.KindInboundDelivered: inboundKind,
	journal.KindInboundFailed:    inboundKind,
	journal.KindOutboundAccepted: outboundKind,
	journal.KindOutboundRejected: outboundKind,
	journal.KindStatusFailed:     kindOf[journal.StatusData](),
	journal.KindWebhookAttempt:   kindOf[journal.WebhookAttemptData](),
	journal.KindMediaUploaded:    kindOf[journal.MediaData](),
	journal.KindTLSProbe:         kindOf[journal.TLSProbeData](),
	journal.KindDetectIntent:     detectIntentKind,
	journal.KindContextsDeleted:  kindOf[journal.ContextsData](),
	journal.KindDeidentify:       kindOf[journal.DLPData](),
	journal.KindConsentGiven:     kindOf[journal.ConsentData](),
	journal.KindConsentWithdrawn: kindOf[journal.ConsentData](),
	journal.KindConsentRefused:   kindOf[journal.ConsentData](),
	journal.KindOptoutRequested:  kindOf[journal.OptoutData](),
	journal.KindDataRequest:      kindOf[journal.DataRequestData](),
	journal.KindCanaryPlanted:    kindOf[journal.CanaryData](),
	journal.KindHookCalled:       kindOf[journal.HookData](),
	journal.KindHandoffRequested: kindOf[journal.HandoffData](),
	journal.KindStatusSent:       nil, journal.KindStatusDelivered: nil, journal.KindStatusRead: nil,
	journal.KindMarkRead: nil, journal.KindWebhookVerify: nil, journal.KindRequestAccepted: nil,
	journal.KindRequestRejected: nil, journal.KindUnmodelled: nil, journal.KindDetectIntentRejected: nil,
	journal.KindContextsListed: nil, journal.KindContextsCreated: nil, journal.KindInspect: nil,
	journal.KindDLPRejected: nil, journal.KindCustomerBlocked: nil, journal.KindCustomerUnblocked: nil,
	journal.KindHandoffReleased: nil, journal.KindClockAdvanced: nil, journal.KindClockSet: nil,
	journal.KindFaultSet: nil, journal.KindReset: nil,
}

// optionalPayload are kinds whose payload may be absent.
var optionalPayload = map[string]bool{journal.KindHandoffRequested: true}

// decode decodes the payloads, on every core: on a million events JSON decoding is most of the work.
// Where v.evs holds nil (a journal in order, whose view is store in the same order), it points v.evs[i]
// at store[i], made the view's event of events[i].
func (v *View) decode(store []ev, events []journal.Event) {
	workers := min(runtime.GOMAXPROCS(0), 8)
	if len(v.evs) < 4096 {
		workers = 1
	}
	type tally struct {
		unknown, missing, bad map[string]int
	}
	tallies := make([]tally, workers)
	blocksOf := make([]map[*payloadKind]payloads, workers)
	var wg sync.WaitGroup
	chunk := (len(v.evs) + workers - 1) / workers
	for w := range workers {
		lo, hi := w*chunk, min((w+1)*chunk, len(v.evs))
		t := &tallies[w]
		*t = tally{map[string]int{}, map[string]int{}, map[string]int{}}
		wg.Go(func() {
			seen := map[string]string{} // an assistant sends the same few texts: fold each once
			blocks := map[*payloadKind]payloads{}
			blocksOf[w] = blocks
			for i := lo; i < hi; i++ {
				e := v.evs[i]
				if e == nil {
					e = store[i].init(&events[i])
					v.evs[i] = e
				}
				e.kc = kindCode(e.Kind)
				k, known := payloadKinds[e.Kind]
				switch {
				case !known:
					t.unknown[e.Kind]++
				case k == nil:
				case len(e.Data) == 0:
					if !optionalPayload[e.Kind] {
						t.missing[e.Kind]++
					}
				default:
					b := blocks[k]
					if b == nil {
						b = k.block()
						blocks[k] = b
					}
					p, err := decodeFrom(*e.Event, k, b)
					if err != nil {
						t.bad[e.Kind]++
						continue
					}
					e.p = p
					switch d := p.(type) {
					case *journal.InboundData:
						e.ft = fold(d.Text)
					case *journal.OutboundData:
						t := sentText(d)
						ft, ok := seen[t]
						if !ok {
							ft = fold(t)
							seen[t] = ft
						}
						e.ft = ft
					}
				}
			}
		})
	}
	wg.Wait()
	for _, blocks := range blocksOf {
		for _, b := range blocks {
			v.payloads = append(v.payloads, b)
		}
	}
	merge := func(f func(tally) map[string]int, what string) {
		all := map[string]int{}
		for _, t := range tallies {
			for k, n := range f(t) {
				all[k] += n
			}
		}
		for _, k := range sortedKeys(all) {
			v.problem(fmt.Sprintf("%d %q events %s", all[k], k, what))
		}
	}
	merge(func(t tally) map[string]int { return t.unknown }, "have a kind the auditor does not know; not judged")
	merge(func(t tally) map[string]int { return t.missing }, "have no payload; not judged")
	merge(func(t tally) map[string]int { return t.bad }, "have a payload that does not decode; not judged")
}
