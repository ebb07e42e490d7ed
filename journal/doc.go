// Package journal is parley's single, ordered record of everything that crossed the mocks, and the
// simulated clock they all read.
//
// Every mock, every simulated customer and the harness append events to one Journal; the auditor reads it
// afterwards. An event carries a sequence number (1, 2, 3, … in the order appended), the simulated time, its
// source, a kind (see the Kind constants), the customer it concerns (a wa_id, or empty) and a JSON payload
// (see the …Data types). The journal is append-only and safe for concurrent writers; readers get copies.
//
// Waiting is done with Await, which wakes on every append and never sleeps. A journal exports to JSON Lines
// (WriteJSONL) and reads back (ReadJSONL), so a failing run can be kept, replayed and inspected.
package journal
