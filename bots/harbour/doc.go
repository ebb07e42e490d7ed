// Package harbour is a second compliant assistant, written the way another company would write one: the
// WhatsApp assistant of Harbour Books Ltd, a bookshop. It speaks English first and Spanish second (it
// follows the language of each message), offers a numbered menu instead of buttons, and uses its own
// wording and its own reference formats everywhere. parley certifies it as an external assistant: it is
// configured only by the bot contract's environment (docs/bot-contract.md) and reached only through its
// webhook and the certification hooks.
//
// What it does, in the contract's terms:
//   - first contact is three messages: a greeting that says an automated assistant answers and how to
//     reach a person; the privacy notice (Harbour Books Ltd as controller, Meta and Google as processors,
//     the rights, the privacy page); the numbered menu;
//   - marketing only after an in-chat "reply 1 for yes" to a question naming Harbour Books, WhatsApp and
//     what it sends, or an opt-in recorded by the consent hook with its channel and a wording that names
//     the business; opt-out in any words, confirmed once and for good;
//   - data-protection requests in free words or from the menu, acknowledged with a case reference
//     (HB-2026-7K2M9Q); copies of the data as a JSON document (text/plain under a .json name, since
//     WhatsApp carries no application/json); erasure clears the Dialogflow contexts, starts a new
//     pseudonymous session and keeps only a keyed hash of the number on a suppression list; restriction
//     and objection stop marketing and profiling;
//   - every text is de-identified by Cloud DLP, and again locally, before Dialogflow sees it, on a
//     session id that is a keyed hash of the number;
//   - a handoff to a person is announced and the assistant stays silent until the release hook or until
//     the customer writes 24 hours later;
//   - only approved templates outside the 24-hour window: order_shipped with a notifications opt-in,
//     promo_verano with a marketing one.
//
// Dialogflow runs the mocks' demo agent; where the agent has no intent for something (complaints, the
// menu numbers, rectification), the assistant decides from the customer's words. Not modelled: identity
// checks beyond "only to your own number", a real order system (a small book of test orders), media the
// customer sends (answered with a polite note).
package harbour
