package embedded

import (
	"context"
	"fmt"
	"log"

	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/sim"
)

// An assistant written in Go, given as the handler its constructor makes from the bot contract, plays a
// journey with the mocks in this process and is audited. newEcho answers "eco: " and what it was sent.
func ExampleHandler() {
	ctx := context.Background()
	env, err := Start(ctx, Options{Assistant: Handler(newEcho)})
	if err != nil {
		log.Fatal(err)
	}
	defer env.Close()
	res := harness.Play(ctx, env, sim.Journey{Name: "hello", Run: func(ctx context.Context, w *sim.World) error {
		lucia, err := w.NewCustomer(sim.Persona{WaID: "+34 600 000 001", Name: "Lucía"})
		if err != nil {
			return err
		}
		if _, err := lucia.Say(ctx, "Hola"); err != nil { // returns once the assistant has answered
			return err
		}
		got, err := lucia.Unread(ctx)
		for _, m := range got {
			fmt.Println(m.Text)
		}
		return err
	}})
	fmt.Println(res.Err)
	// The echo never says it is an automated assistant, which the auditor reports.
	for _, r := range res.Report.Broken() {
		if r.Rule == "AI-DISC-01" {
			fmt.Println(r.Rule, "broken")
		}
	}
	// Output:
	// eco: Hola
	// <nil>
	// AI-DISC-01 broken
}
