package load

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/parley-dev/parley/sim"
)

// player is one customer playing one journey: the simulated customer, what their phone received, and
// where turn latencies go.
type player struct {
	c           *sim.Customer
	p           *phone
	turnTimeout time.Duration
	turn        func(latency time.Duration)
	// think is how long the customer takes to read and answer before each turn but the first; jitter
	// spreads it over [think/2, 3·think/2) so that customers who started together drift apart.
	think  time.Duration
	jitter func(turn int) float64
	turns  int
}

// errNoReply is a turn the assistant did not answer (in full) within the turn timeout.
var errNoReply = errors.New("no reply within the turn timeout")

// say sends one message and waits until done holds over what arrived since. The turn's latency is the
// wall time from sending to the first message back on the customer's phone.
func (pl *player) say(ctx context.Context, send func(context.Context) error, what string, done func([]arrival) bool) ([]arrival, error) {
	if pl.turns > 0 && pl.think > 0 {
		d := time.Duration(float64(pl.think) * (0.5 + pl.jitter(pl.turns)))
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
	pl.turns++
	from := pl.p.count()
	start := time.Now()
	if err := send(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	tctx, cancel := context.WithTimeout(ctx, pl.turnTimeout)
	defer cancel()
	got, err := pl.p.await(tctx, from, func(a []arrival) bool { return len(a) > 0 && done(a) })
	if len(got) > 0 {
		pl.turn(got[0].at.Sub(start))
	}
	if err != nil {
		if ctx.Err() != nil {
			return got, ctx.Err()
		}
		if len(got) == 0 {
			return got, fmt.Errorf("%s: %w", what, errNoReply)
		}
		return got, fmt.Errorf("%s: %w (got %d message(s), not the one expected; the first: %.60q)", what, errNoReply, len(got), got[0].text)
	}
	return got, nil
}

func (pl *player) sayText(ctx context.Context, text string, done func([]arrival) bool) ([]arrival, error) {
	return pl.say(ctx, func(ctx context.Context) error { _, err := pl.c.Say(ctx, text); return err }, fmt.Sprintf("saying %q", text), done)
}

func anyReply([]arrival) bool { return true }

// offersButtons is the end of a first contact: the built-in journeys expect the assistant to ask for
// marketing consent at first contact with reply buttons, as the reference assistant does; a vendor's
// assistant that does not is reported as not answering the greeting in full.
func offersButtons(a []arrival) bool {
	for _, m := range a {
		if len(m.buttons) > 0 {
			return true
		}
	}
	return false
}

func containing(s string) func([]arrival) bool {
	s = strings.ToLower(s)
	return func(a []arrival) bool {
		for _, m := range a {
			if strings.Contains(strings.ToLower(m.text), s) {
				return true
			}
		}
		return false
	}
}

func ofType(t string) func([]arrival) bool {
	return func(a []arrival) bool {
		for _, m := range a {
			if m.typ == t {
				return true
			}
		}
		return false
	}
}

var affirmative = regexp.MustCompile(`(?i)^(s[ií]|yes|acepto|i agree)`)

// journeys are the built-in load journeys by name. Each runs with a customer who has never written.
var journeys = map[string]func(ctx context.Context, pl *player) error{
	Greeting: func(ctx context.Context, pl *player) error {
		_, err := pl.sayText(ctx, "Hola", offersButtons)
		return err
	},
	OrderStatus: func(ctx context.Context, pl *player) error {
		if _, err := pl.sayText(ctx, "Hola", offersButtons); err != nil {
			return err
		}
		_, err := pl.sayText(ctx, "¿Dónde está mi pedido TE-1001?", containing("TE-1001"))
		return err
	},
	OptIn: optIn,
	OptOut: func(ctx context.Context, pl *player) error {
		if err := optIn(ctx, pl); err != nil {
			return err
		}
		_, err := pl.say(ctx, func(ctx context.Context) error { _, err := pl.c.OptOut(ctx, "BAJA"); return err }, `opting out with "BAJA"`, anyReply)
		return err
	},
	DataRequest: func(ctx context.Context, pl *player) error {
		if _, err := pl.sayText(ctx, "Hola", offersButtons); err != nil {
			return err
		}
		// An access request is answered with a copy of the data: the turn ends when the document arrives.
		_, err := pl.say(ctx, func(ctx context.Context) error {
			_, err := pl.c.Request(ctx, "access", "Quiero una copia de todos los datos que tenéis sobre mí")
			return err
		}, "asking for a copy of my data", ofType("document"))
		return err
	},
}

// optIn greets and accepts marketing by tapping the affirmative button of the consent question.
func optIn(ctx context.Context, pl *player) error {
	got, err := pl.sayText(ctx, "Hola", offersButtons)
	if err != nil {
		return err
	}
	yes := ""
	for _, m := range got {
		for _, b := range m.buttons {
			if yes == "" && affirmative.MatchString(b) {
				yes = b
			}
		}
	}
	if yes == "" {
		return fmt.Errorf("opting in: the consent question offers no affirmative button")
	}
	_, err = pl.say(ctx, func(ctx context.Context) error { return pl.c.OptInInChat(ctx, "marketing", yes) }, fmt.Sprintf("tapping %q", yes), anyReply)
	return err
}
