package harness

import "context"

// SettleRounds is how an environment settles on an assistant's idle signal, one parley believes: rounds
// of waits (the assistant idle, the webhooks delivered, the assistant idle again: a delivered status can
// make it act) until one leaves last where it was. last reads the newest event that counts (reading the
// journal where it is kept elsewhere); it is read once before the first round and once after each, the
// read that ends a round starting the next.
func SettleRounds(ctx context.Context, idle, delivered func(context.Context) error, last func(context.Context) (uint64, error)) error {
	before, err := last(ctx)
	if err != nil {
		return err
	}
	for {
		for _, wait := range []func(context.Context) error{idle, delivered, idle} {
			if err := wait(ctx); err != nil {
				return err
			}
		}
		now, err := last(ctx)
		if err != nil || now == before {
			return err
		}
		before = now
	}
}
