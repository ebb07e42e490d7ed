// Package reference is parley's compliant reference assistant: the customer-service bot of the demo
// business "Tienda Ejemplo" (order status, purchase tickets, offers), written as a careful vendor would,
// against the real APIs' contracts only, and configured only by the bot contract (docs/bot-contract.md).
//
// It verifies every webhook's X-Hub-Signature-256 over the raw body; discloses at first contact that it is
// an automated assistant and gives the first layer of the privacy notice (controller, purposes, Meta and
// Google as processors, retention, rights, the AEPD); asks for marketing opt-in with explicit yes/no buttons
// naming the business and WhatsApp and records consent with time, channel and wording; honours opt-out in
// any phrasing (Spanish and English, typos tolerated) with one confirmation; sends only approved templates
// outside the 24-hour window and only with consent for their category; acts on 131047, 131049, 131050 and
// throttling (130429, 131056) without retry storms; de-identifies text with Cloud DLP (and again locally
// with package pii) before Dialogflow, on a pseudonymous session id; never asks for or echoes card numbers,
// IBANs or ID numbers; answers data-protection requests in the chat with a reference number (exports as a
// JSON document through WhatsApp media, only to the requester's own number; erasure clears the Dialogflow
// contexts, rotates the session and keeps a hashed suppression entry); hands over to a person and stays
// silent until POST /parley/handoff/release or 24 hours pass; answers orders and tickets from
// fixtures/orders.
//
// Messages of one customer are handled in order, one at a time; customers run in parallel. No lock is held
// while calling WhatsApp, Dialogflow or DLP.
//
// Violation switches (Violations, WithViolations, parley bot --violate) each break one rule of the audit
// catalogue in a realistic way, so the harness can prove it detects each kind of misbehaviour.
//
// Dialogflow is queried on projects/{DIALOGFLOW_PROJECT}/locations/europe-west1/agent/sessions/{id}, the
// EU location the privacy notice promises; against the real service DIALOGFLOW_ENDPOINT must then be the
// regional host (europe-west1-dialogflow.googleapis.com:443).
//
// Not modelled: real identity verification beyond "only to your own number", a real CRM, the
// /marketing_messages route (the mocks serve marketing templates on /messages), media the customer sends
// (refused politely), languages other than Spanish and English. WhatsApp accepts no application/json
// documents (Meta's supported media types), so exports travel as text/plain under a .json name.
package reference
