// Package sim plays the customers. A Customer talks to the assistant only through the WhatsApp mock's
// control interface (whatsapp.Control), in-process or over HTTP, so the same journey runs against an
// embedded mock or a container.
//
// Customers hold the ground truth the auditor compares the assistant's behaviour with: every action that
// matters in law (an opt-in given in the chat or on another channel, an opt-out, a data-protection request,
// a canary value shared, a block) is recorded in the journal with source "customer" before the message that
// carries it is sent. Nothing here trusts what the assistant says about itself.
//
// A customer waits for the assistant by default: each action returns once the world has settled
// (World.Settle and the WhatsApp mock's queue), so its answer is in the inbox (Unread) and the next action
// cannot overtake it; NoWait makes customers that do not, for many at once. Waiting for a reply is
// AwaitReply…(ctx), which waits on the mock's condition, never sleeps. A failed expectation returns an
// error that shows the customer's transcript, so a red test explains itself.
//
// A customer can also pursue a goal with any assistant (Reach): opt in to offers, decline them, stop
// them, reach a person, ask for a copy or the erasure of their data, object to marketing, ask about an
// order. They read what the assistant offers (Options: reply buttons, list rows, quick replies, numbered
// menus, keywords it tells them to write), choose by meaning, or say it in words of their own, for a
// bounded number of turns; what a message means is judged with the auditor's classifiers (audit.Means),
// so a goal and the rules never disagree. A goal the assistant never lets them reach is a
// *report.Unreached that says what it offered instead.
//
// Customers share no state: many run concurrently, each with its own phone number.
//
// Journeys() is the certification suite in Go: each journey names the catalogue rules it exercises, and
// together they exercise all of them. Forge plays an attacker rather than the customer (a webhook
// WhatsApp did not sign, for WA-SEC-01); a hook the assistant refuses comes back as a *HookError.
package sim
