package steps

import (
	"context"

	"github.com/parley-dev/parley/sim"
)

// words is a message's wording in the language of the scenario ctx plays: Spanish for a feature written in
// Spanish (# language: es), English otherwise. Both wordings take the same arguments in the same order.
func words(ctx context.Context, en, es string) string { return pick(langOf(ctx), en, es) }

// pick is en, or es when lang is es.
func pick(lang, en, es string) string {
	if lang == "es" {
		return es
	}
	return en
}

// say is en, or es when the scenario is written in Spanish.
func (s *scenarioState) say(en, es string) string { return pick(s.lang, en, es) }

// langOf is the language of the feature the scenario ctx plays was written in, "" outside a scenario.
func langOf(ctx context.Context) string {
	if s, _ := ctx.Value(stateKey{}).(*scenarioState); s != nil {
		return s.lang
	}
	return ""
}

// transcript is the customer's transcript in the scenario's language.
func transcript(ctx context.Context, c *sim.Customer) string {
	return c.TranscriptIn(ctx, langOf(ctx))
}
