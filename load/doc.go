// Package load is the engine of `parley load`: many simulated customers at once, each playing one of a
// few realistic journeys (a greeting, an order-status question, an opt-in, an opt-out, a data-access
// request) against an assistant wired to the mocks, with turn latencies measured on the wall clock and
// every message accounted for from the journal.
//
// What is modelled: customers arrive at a steady rate (or all at once) and each plays its journey turn by
// turn, waiting for the assistant's answer before the next turn, as a person does. A journey's customer is
// chosen from its global index, so `--shard i/n` partitions customers deterministically and n shards
// together play exactly the customers of the unsharded run. The journey a customer plays is drawn from the
// mix with a hash of the seed and the index, so it does not depend on the shard either.
//
// Accounting (Account) is computed from the journal after the run has settled, never from the engine's own
// counters: every message a customer sent must end delivered to the webhook or failed with a reason, and
// every send of the assistant must be refused with a Graph error code or reach the customer's phone (or
// fail with a status webhook carrying its code). Anything else is lost, and a load run with lost messages
// fails.
//
// The WhatsApp mock's limits are kept by default: 80 messages per second on the wall clock (130429) and the
// per-recipient pair rate (131056), as `parley serve` has them. Refusals are counted with their code; the
// reference assistant paces itself under the throughput limit. A run that measures parley or the
// assistant beyond the platform's default tier switches them off explicitly (`--mps 0`).
//
// What is not modelled: think time between turns (customers answer at once), media sent by customers,
// and customers coming back after the 24-hour window.
package load
