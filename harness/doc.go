// Package harness brings a test environment up and wires the assistant under test to the mocks.
//
// Embedded mode (StartEmbedded) runs everything in this process on loopback: one journal and one
// simulated clock shared by the WhatsApp, Dialogflow and DLP mocks, the reference assistant configured
// only through the bot contract (docs/bot-contract.md), and a sim.World whose customers talk through the
// WhatsApp mock's control interface. Every part listens on 127.0.0.1 with a port the kernel picks, so
// parallel environments never collide.
//
// The certification hooks of an assistant (POST /parley/consent, /parley/notify, /parley/campaign) are
// called through Hooks, which records every call in the journal.
package harness
