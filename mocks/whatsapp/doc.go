// Package whatsapp is a mock of the WhatsApp Business Cloud API (Meta's Graph API for WhatsApp) that an
// assistant cannot tell from the real one: the same routes, JSON, error envelope and codes, signed
// webhooks and policy, plus a control surface (Control, in-process or over /_parley/) that plays the
// customer and shows everything that happened. Everything it sees goes into a journal.Journal on a
// simulated clock.
//
// Use it in-process:
//
//	wa := whatsapp.RunT(t, whatsapp.WithJournal(j), whatsapp.WithWebhook(bot.URL+"/webhook"))
//	res, err := wa.SendFromCustomer(ctx, "34600111222", whatsapp.CustomerMessage{Text: "Hola", Name: "Lucía"})
//	inbox, err := wa.AwaitInbox(ctx, "34600111222", 2)
//
// or standalone with `parley serve`, and drive it with NewControlClient(url).
//
// # What is modelled
//
//   - POST /{version}/{phone-number-id}/messages: text, template, interactive (button, list, cta_url, location_request_message),
//     image, document, audio, video, sticker (by link or media id), location, contacts, reaction, and
//     mark-as-read with or without the typing indicator. A reaction (reaction-messages) names a message
//     of the chat with that customer, theirs or the business's own, in reaction.message_id; emoji is
//     required and the empty string removes the reaction; a context is refused. A reaction to a message
//     that is unknown, of another chat, itself a reaction, or more than 30 days old (MaxReactionAge, on
//     the simulated clock) is accepted with 200 and then fails with a 131009 status webhook, as Meta
//     documents; a reaction only ever gets "sent". The success body is Meta's
//     (messaging_product, contacts[{input,wa_id}], messages[{id}], message_status for templates).
//     Limits: text 4096 characters, caption 1024, 3 reply buttons (title 20), list 10 rows and 10
//     sections (row title 24, description 72), header and footer 60, 257 contacts
//     (developers.facebook.com/documentation/business-messaging/whatsapp/messages/…).
//   - The business's nodes as SDKs read them at start-up: GET /{phone-number-id} and GET /{waba-id}
//     (analytics included, with no data points) answer their default fields or those fields= names, with
//     Graph's "(#100) Tried accessing nonexisting field" for others; GET /{waba-id}/phone_numbers; GET,
//     POST and DELETE /{waba-id}/subscribed_apps (recorded; webhooks keep coming). interactive
//     location_request_message (a body and the action send_location).
//   - The business profile (business-phone-numbers/business-profiles): GET
//     /{phone-number-id}/whatsapp_business_profile answers {"data":[{…,"messaging_product":"whatsapp"}]}
//     with the fields= asked for that have a value (a field the node does not have is Graph's "(#100)
//     Tried accessing nonexisting field"); POST updates the fields it names ({"success":true}) after
//     checking Meta's limits: messaging_product required, about 1 to 139 characters, address 256,
//     description 512, email 128 and a valid address, at most 2 websites of 256 characters with http://
//     or https://, vertical one of ProfileVerticals; each refusal is code 100 naming the parameter. The
//     profile belongs to the phone number and /_parley/reset restores it. profile_picture_handle needs
//     the Resumable Upload API, which is not modelled.
//   - Media: upload (multipart), URL and metadata, download with the bearer token, delete; 30-day TTL.
//     Media the customer sends is stored too, so the assistant can fetch it. URLs answered to
//     GET /{media-id} use the host the request came to; those in webhooks use WithPublicURL (default URL()).
//   - Templates: GET/POST/DELETE /{waba-id}/message_templates, seeded from fixtures/templates (embedded:
//     with hello_world in en_US, the sample every new account has) or a directory. Sends are checked by exact name and language (no fallback), status (132001 not
//     found or not approved, 132015 paused, 132016 disabled), parameter count per component (132000 with
//     Meta's "number of localizable_params" details), parameter format (132012, 132007), hydrated length
//     (132005) and required URL-button parameters (131008). New templates are PENDING until a test
//     approves them with SetTemplateStatus, as Meta reviews them.
//   - Errors: the Graph envelope {error:{message,type,code,error_subcode,error_data,fbtrace_id}} for every
//     refusal, built in errors.go; "(#code) title" messages; OAuth errors (190, HTTP 401) without
//     error_data; unknown objects 100/33 GraphMethodException. HTTP statuses follow the newer error table
//     (throttling 429). Bodies over the limit are refused (413) without being read whole; panics become
//     131000, never a Go error string. A route the mock does not model is answered in the envelope and
//     journalled as unmodelled.
//   - Webhooks: the hub.challenge handshake when the callback URL is configured, as the App Dashboard
//     runs it on saving the URL (create-webhook-endpoint): at start with WithWebhook and on SetWebhook
//     (POST /_parley/webhook), in the background, so neither fails when the assistant is not up yet
//     (AwaitHandshake waits for it); the first delivery waits for that handshake and runs it again if
//     it did not pass, since Meta sends nothing to an unverified endpoint; inbound messages (text, template quick-reply taps, reply
//     buttons, list rows, media, location, reaction) and statuses (sent, delivered, read, failed with
//     errors[]) in Meta's envelope; user_preferences after "Stop promotions";
//     message_template_status_update after a template status change. The JSON is ASCII with non-ASCII
//     characters and "/", "@", "%", "<", ">", "&" escaped, lowercase hex, and X-Hub-Signature-256 is the
//     HMAC-SHA256 of exactly those bytes, as Meta does ("an escaped unicode version of the payload");
//     a receiver that re-serialises before verifying fails, a real bug class (whatsapp-api-js #290).
//     Non-200 answers are retried up to WithWebhookRetry's bound with doubling back-off in real time (Meta
//     retries for 7 days; a test cannot wait for that). A redirect (3xx) is such a failure, never
//     followed, for the handshake and for deliveries alike: Meta calls the callback URL itself, and
//     following would carry the verify token and signed payloads to a host WithWebhookHosts never named.
//   - Statuses: an accepted message gets sent then delivered (reactions only sent) from one delivery
//     worker, in order, after the send's outbound.accepted event (so an endpoint that fails and is
//     retried delays the statuses queued behind it). read comes when the customer reads:
//     ReadMessages, or implicitly when the customer sends a message (a person replying has the chat open).
//     AwaitIdle waits until every queued webhook has been delivered. Pricing (PMP) is on sent and
//     delivered; the conversation object is omitted, as from v24.0.
//   - Policy, on the simulated clock (journal.Clock):
//     the 24-hour customer-service window opened and reset by each customer message and never by the
//     business's sends: a free-form message is in the window when less than 24h have passed. Outside it
//     131047 is either a failed status webhook (default; Meta's webhook docs, Zammad fixtures) or a
//     synchronous HTTP 400 (WithWindowErrorMode(WindowErrorSync); seen by other integrations).
//     The pair rate limit (131056) is a token bucket per recipient of 45 messages refilled at one per 6s,
//     which is how Meta describes it ("1 message every 6 seconds … up to 45 messages in a 6-second burst
//     … a burst of 20 requires a ~2-minute wait", about-the-platform). It runs on the simulated clock only,
//     so scenarios repeat: an assistant answering each customer message with two or three messages
//     (disclosure, privacy notice, question) is far inside it; 46 messages to one person without the
//     clock moving are refused, and each 6s the clock moves gives one more.
//     The throughput limit (130429, default 80 mps) is a bucket of mps tokens refilled at mps per second
//     of simulated time plus wall time: throughput is a real capacity, so a load run that truly exceeds it
//     is refused even while the simulated clock stands still, and tests refill it by moving the clock.
//     "Stop promotions" (StopPromotions): marketing templates are accepted and then fail with 131050, as
//     Meta documents (marketing-templates); utility and authentication still go. A customer who blocked
//     the business: accepted, then failed with 131026 (Meta does not name blocking; vendors report 131026).
//   - Faults (InjectFault, POST /_parley/faults, the vocabulary of every mock): a Graph error code for the
//     next N sends or until cleared (asynchronous codes become failed statuses), and latency before
//     Graph answers. Status delivery (SetStatusDelivery), seeded (WithSeed): duplicate and out-of-order
//     status webhooks.
//
// # What is not modelled
//
// Groups, flows, catalogues and payments (answered as unmodelled); the business-initiated messaging
// limit tiers and per-user marketing caps (131049 can be injected as a fault); template pacing
// (held_for_quality_assessment), quality ratings and phone-number webhooks; media by link is not fetched;
// the country-code prefixing of numbers written without "+" (the digits are taken as the wa_id);
// webhook batching (one change per POST); the legacy X-Hub-Signature (sha1) header.
//
// # Journal
//
// Sends are outbound.accepted / outbound.rejected (journal.OutboundData: type, text, template, language,
// category, the hydrated header and the footer the customer sees, buttons offered, in_window, the body, the HTTP status and Graph code). A
// refused send is journalled with what it tried to send as far as the request says: a template refused
// for its parameters, its status or its language keeps its registry category and the text its
// parameters fill (an unfilled variable stays as {{2}}), since the auditor judges attempts. Mark-as-read is
// outbound.read; other Graph calls request.accepted / request.rejected; an accepted media upload is also
// media.uploaded (journal.MediaData, with the bytes up to MaxJournalledMediaBytes, so that a data export
// sent as a document can be audited); each webhook POST webhook.attempt;
// each handshake webhook.verify; each status change status.sent/delivered/read/failed when it is
// dispatched. A customer message is inbound.sent when the customer sends it (before the webhook: an
// assistant may answer inside its webhook handler, before it acknowledges), then inbound.delivered or
// inbound.failed once the webhook has answered or failed every attempt. Customers are identified by
// their wa_id (digits).
package whatsapp
