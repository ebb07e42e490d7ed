package audit

import (
	"encoding/json"

	"github.com/parley-dev/parley/journal"
)

// decodePayload returns the payload of e as the view keeps it. In the process that recorded the journal
// (certify and load, embedded) the event carries the value the mock recorded, and copying it skips the JSON
// decoding that was a third of auditing a million events; a journal read from JSON Lines is decoded, the
// raw webhook message and request body skipped (inboundLean, outboundLean).
func decodePayload(e journal.Event, mk func() any) (any, error) {
	p := mk()
	target := p
	switch l := p.(type) {
	case *inboundLean:
		target = &l.InboundData
	case *outboundLean:
		target = &l.OutboundData
	}
	if e.Typed(target) {
		return target, nil
	}
	// A query's parameters are interface values, which Typed leaves to JSON; copy the rest and give the
	// parameters (usually none) the shapes JSON gives them.
	if d, ok := e.Value.(journal.DetectIntentData); ok {
		if _, want := target.(*journal.DetectIntentData); want {
			if len(d.Parameters) > 0 {
				raw, err := json.Marshal(d.Parameters)
				if err != nil {
					return nil, err
				}
				d.Parameters = nil
				if err := json.Unmarshal(raw, &d.Parameters); err != nil {
					return nil, err
				}
			}
			return &d, nil
		}
	}
	if err := e.Decode(p); err != nil {
		return nil, err
	}
	return target, nil
}
