package audit

import (
	"encoding/json"
	"sync"

	"github.com/parley-dev/parley/journal"
)

// payloadKind says how the view gets the payload of a kind of event: from the value the process that
// recorded the journal kept (certify and load, embedded), or by decoding its JSON (a journal read from
// JSON Lines or over HTTP).
type payloadKind struct {
	mk    func() any        // a value to decode the JSON into, which the view keeps
	typed func(v any) any   // the in-process value v as the view keeps it, or nil when v is not one
	fix   func(p any) error // what the view does to a copied value before keeping it, or nil
	block func() payloads   // where a decoding worker takes the values it keeps from
}

// kindOf is the payloadKind of a journal payload type the view keeps as it is.
func kindOf[T any]() *payloadKind {
	spare := new(sync.Pool) // cleared blocks of released views
	return &payloadKind{mk: func() any { return new(T) }, typed: typedCopy[T],
		block: func() payloads { return &block[T]{spare: spare} }}
}

// payloads hands out the values a decoding worker keeps, a block at a time: a million payloads allocated
// one by one were a million allocations for the garbage collector to track. Blocks are given back, cleared,
// when the view is released (View.release), for the next view to take.
type payloads interface {
	fresh() any       // a zero value, as payloadKind.mk
	copyOf(v any) any // as payloadKind.typed
	release()         // clears the blocks handed out and gives them back; their values must not be used after
}

type block[T any] struct {
	free  []T
	taken []*[]T     // the blocks values were handed out from
	spare *sync.Pool // of *[]T, cleared, shared by every worker and view of the kind
}

func (b *block[T]) next() *T {
	if len(b.free) == 0 {
		blk, _ := b.spare.Get().(*[]T)
		if blk == nil {
			blk = new([]T)
			*blk = make([]T, 128)
		}
		b.taken = append(b.taken, blk)
		b.free = *blk
	}
	p := &b.free[0]
	b.free = b.free[1:]
	return p
}

func (b *block[T]) release() {
	for _, blk := range b.taken {
		clear(*blk)
		b.spare.Put(blk)
	}
	b.free, b.taken = nil, nil
}

func (b *block[T]) fresh() any { return b.next() }

func (b *block[T]) copyOf(v any) any {
	x, ok := v.(T)
	if !ok {
		return nil
	}
	p := b.next()
	*p = x
	return p
}

// typedCopy copies an in-process value of type T, by a type assertion: reflection was half the cost of
// copying a million of them. journal.Record keeps only payloads whose copy reads as their JSON does.
func typedCopy[T any](v any) any {
	if x, ok := v.(T); ok {
		return &x
	}
	return nil
}

var (
	inboundKind  = kindOf[journal.InboundData]()
	outboundKind = kindOf[journal.OutboundData]()
	// A query's parameters are interface values: a copied query's are given the shapes JSON gives them.
	detectIntentKind = func() *payloadKind {
		k := kindOf[journal.DetectIntentData]()
		k.fix = jsonParameters
		return k
	}()
)

// decodePayload returns the payload of e as the view keeps it: the in-process value copied, which skips
// the JSON decoding that was a third of auditing a million events, or else the JSON decoded, without the
// raw webhook message and request body the WhatsApp mock journals: the auditor does not read them, and
// copying them was most of the cost of decoding a send.
func decodePayload(e journal.Event, k *payloadKind) (any, error) {
	return decodeFrom(e, k, nil)
}

// decodeFrom is decodePayload taking the value it keeps from b, or allocating it when b is nil.
func decodeFrom(e journal.Event, k *payloadKind, b payloads) (any, error) {
	typed, mk := k.typed, k.mk
	if b != nil {
		typed, mk = b.copyOf, b.fresh
	}
	if e.Value != nil {
		if p := typed(e.Value); p != nil {
			if k.fix != nil {
				if err := k.fix(p); err != nil {
					return nil, err
				}
			}
			return p, nil
		}
	}
	p := mk()
	if err := e.DecodeLean(p); err != nil {
		return nil, err
	}
	return p, nil
}

func jsonParameters(p any) error {
	d := p.(*journal.DetectIntentData)
	if len(d.Parameters) == 0 {
		return nil
	}
	raw, err := json.Marshal(d.Parameters)
	if err != nil {
		return err
	}
	d.Parameters = nil
	return json.Unmarshal(raw, &d.Parameters)
}
