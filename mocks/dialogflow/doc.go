// Package dialogflow is parley's mock Dialogflow: ES v2 (and the v2beta1 paths) and CX v3 detectIntent,
// over REST and gRPC on one port, answering from a Dialogflow ES agent export or a Dialogflow CX agent
// export, recording every call in the journal. The official Go clients work against it unchanged:
//
//	s := dialogflow.RunT(t)                                  // the embedded demo agent, project "parley-demo"
//	c, _ := dialogflowapi.NewSessionsClient(ctx,              // gRPC
//		option.WithEndpoint(s.Addr()), option.WithoutAuthentication(),
//		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
//	r, _ := dialogflowapi.NewSessionsRESTClient(ctx,          // REST
//		option.WithEndpoint(s.URL()), option.WithoutAuthentication())
//
// # What is modelled
//
//   - ES Sessions.DetectIntent on every session name form: projects/*/agent/sessions/*,
//     projects/*/agent/environments/*/users/*/sessions/*, and both with locations/* after the project;
//     under /v2/ and /v2beta1/ over REST, and the v2 and v2beta1 gRPC Sessions services. Text and event
//     input; queryParams contexts, resetContexts, timeZone, payload and webhookHeaders.
//   - ES Contexts (list, get, create, update, delete, delete all) and Agents.GetAgent, over REST and gRPC.
//   - CX Sessions.DetectIntent (projects/*/locations/*/agents/*[/environments/*]/sessions/*), for any
//     location and agent id of the project. With a CX export loaded, from its flows and pages (# CX
//     agents below). With an ES export, from the same ES agent: responseMessages, match (INTENT,
//     DIRECT_INTENT, EVENT, NO_MATCH with event sys.no-match-default), currentPage (always the Default
//     Start Flow's START_PAGE), session parameters that persist and merge queryParams.parameters.
//   - The agent is served under one project (WithProject, default "parley-demo"); any other project gets
//     NOT_FOUND "No DesignTimeAgent found for project '…'" as the real service does
//     (dialogflow/dialogflow-java-client-v2#33).
//   - REST is protojson of the generated types (cloud.google.com/go/dialogflow/apiv2/dialogflowpb,
//     …/apiv2beta1/dialogflowpb, …/cx/apiv3/cxpb); gRPC is the generated servers. Request bodies are
//     decoded strictly: an unknown field is refused with `Invalid JSON payload received. Unknown name "x"
//     at 'query_params': Cannot find field.` (no location at the top level), as Google's front end does;
//     so is the console's undocumented queryParams.source, which is not in the public proto. Enum
//     numbers are accepted; responses carry enum names, or numbers when the query asks for
//     enum-encoding=int (the Go REST clients send "$alt=json;enum-encoding=int", read from the raw
//     query because url.Values splits on ";"). The session in the body, which the Go REST clients
//     repeat, is ignored in favour of the path.
//   - Refused context and agent calls are request.rejected events; a gRPC request that is not valid
//     protobuf is refused by gRPC before any handler (INTERNAL) and journalled as request.rejected.
//   - Errors are google.rpc.Status: the REST envelope {"error":{"code","message","status"}} with the HTTP
//     status the REST clients derive the code from (internal/gcp), and gRPC status codes. Texts from the real
//     service, as public bug reports quote them: "Input text exceeds 256 characters." (counted in
//     characters, not bytes), "Input text not set.", "Resource name '…' does not match
//     'projects/*/locations/*/agent/environments/*/users/*/sessions/*'.", the NOT_FOUND above,
//     UNAUTHENTICATED "Request had invalid authentication credentials. …" when WithRequireAuth is on and no
//     Bearer token / authorization metadata is sent, and quota's RESOURCE_EXHAUSTED "Quota exceeded for
//     quota metric 'Dialogflow Trial Edition text query operations' …" as a fault. Inferred texts (no public sample found): "Query input
//     not set.", "Language code not set.", "Language code '…' is not supported by the agent.", "Session ID
//     '…' is longer than 36 characters." (the 36-character limit is in session.proto), "Context '…' not
//     found.", "Request payload size exceeds the limit: 10485760 bytes." (400).
//   - Every detectIntent is a journal event: detect_intent (journal.DetectIntentData: api, transport,
//     session path and id, project, language, text, event, parameters, intent display name, confidence,
//     fallback, reply) or detect_intent.rejected (with the code and message). The event's customer is the
//     session id (assistants usually use the WhatsApp id). Context calls are contexts.listed / .created /
//     .deleted (journal.ContextsData, All for DeleteAllContexts); GetAgent is request.accepted. A route,
//     gRPC method or input kind (audio, DTMF) the mock does not model answers NOT_FOUND (REST) or
//     UNIMPLEMENTED (gRPC) and is an unmodelled event, which fails the scenario.
//
// # Sessions and contexts
//
// When an intent matches, every active context's lifespan counts down by one turn and is dropped at 0,
// then the intent's output contexts are set with their lifespans (lifespan 0 deletes), carrying the
// turn's parameters and their ".original" texts; an intent with resetContexts clears everything first
// (https://cloud.google.com/dialogflow/es/docs/contexts-input-output). queryParams.contexts are activated
// before the query (and count down like the others); resetContexts clears before them. The response
// lists every active context: this turn's output contexts first, then the rest by name, then
// __system_counters__ with lifespan 1, {"no-input":0,"no-match":N} and the turn's parameters, as the
// real service returns it; "no-match" counts consecutive fallbacks (observed 1, 2, 5 in real responses;
// that it resets on a match is inferred). A session idle for 20 minutes of the simulated clock (the
// journal's, WithJournal) loses its contexts: "Session data is stored by Dialogflow for 20 minutes"
// (https://cloud.google.com/dialogflow/es/docs/quick/api); a CX session after 30 minutes (cx/v3
// session.proto, session_ttl; queryParams.sessionTtl is not modelled). Context ids are lower-cased
// (context.proto).
// CreateContext and UpdateContext override an existing context and count as session activity.
//
// # Matching (deterministic; the mock's design, not Google's)
//
// Text is normalised: lower case, Latin accents stripped, punctuation dropped. System entities are found
// first and kept whole: @sys.email, @sys.phone-number (9+ digits, "+34 612 34 56 78" → "+34612345678"),
// @sys.date (dd/mm/yyyy, yyyy-mm-dd, "3 de marzo", "March 3", hoy/mañana/ayer/today/tomorrow/yesterday →
// noon of that day in the query's time zone, RFC 3339), @sys.number (digits, "12,5", and the words one to
// ten in Spanish and English) and regexp entities of the agent; map entities match their synonyms and
// resolve to their reference value. A synonym also matches in its other number, by the mock's simple
// rule for Spanish and English: any one of its words with -s or -es added or dropped ("pizza"/"pizzas",
// "box"/"boxes", "energías"/"energía"; irregular plurals are not); an entity with allowFuzzyExtraction
// also takes a word within the typo distance below of a one-word synonym. A composite entity (whose
// synonyms reference other entities, "@sys.number-integer:number @food:item") matches its pattern and
// resolves to a Struct of the referenced values by alias ({"number": 2, "item": "pizza"}), as
// Dialogflow returns it; composites may nest four deep. @sys.number-integer, @sys.number-float and
// @sys.cardinal resolve from the recognised numbers (the first only from whole ones). Then, among the
// intents whose input contexts are all active (priority < 0 never matches):
//
//  1. Grammar: a training phrase that matches the whole text, word for word, with every annotated slot
//     filled by an entity of its type (@sys.any takes any words, @sys.person one to three words) scores 1
//     and yields the slot values as parameters; a list parameter (isList) gets every slot annotated
//     with it, in order, as a list. A phrase of free slots only (a bare @sys.any) explains any text: it
//     scores 1 only on its own annotated text, otherwise 0.5, so that it takes what no other intent
//     explains and loses to any intent whose words the text shares.
//  2. Otherwise similarity: a recall-weighted F-measure (β 1.2) of word overlap between text and phrase,
//     words weighted by their rarity across the agent's intents (stop words and question words weigh
//     little, words the agent never uses weigh most), English contractions expanded, typos forgiven
//     (edit distance 1 for words of 4–7 letters, 2 from 8, a swap counts as one) and stems shared
//     ("process"/"processing"); slots count as matched when the text holds an entity of their type. At
//     most 0.99. Parameters are then filled from the entities found anywhere in the text, in the order
//     their slots have in the phrase that scored (two parameters of one entity type, "from
//     [Leeds](@city:from) to [York](@city:to)", get the values in the places the phrase gives them); a
//     list parameter takes every value of its type, a scalar one the first.
//  3. Intents with input contexts get +0.1 ("more likely to match", contexts-input-output docs). Exact
//     beats similar; scores within 0.02 tie. A tie is broken by input contexts; then by the evidence of
//     annotated texts: a slot whose annotated text the query holds as written weighs for its phrase
//     (twice as much as one whose annotated value the query resolves to), so sibling intents trained on
//     one entity with different values ("quiero estudiar [meca](@carrera)", "… [gastro](@carrera)") are
//     told apart as Dialogflow's trained model tells them; then by specificity (of two grammar
//     matches, the one that leaves fewer words to @sys.any); then by priority (higher first), then
//     name. An intent's best phrase is its grammar match with the most evidence, or else its highest
//     similarity.
//  4. Below the threshold (agent.json mlMinConfidence, 0.3 when 0 — agent.proto; WithMinConfidence
//     overrides) the fallback intent answers, with confidence 1 and action input.unknown as the real
//     service reports it (observed in real responses).
//
// Events match the intent listing the event (input contexts must be active); an event no intent lists
// answers with no intent. Declared parameters not found are "" (observed). Responses: each text block of
// the intent in the query's language gives one fulfillmentMessages entry with a variant chosen by a
// seeded random source (WithSeed; https://cloud.google.com/dialogflow/docs/intents-responses), with
// $param, $param.original and #context.param filled (a list's values and originals joined by ", ", a
// rendering the mock chose); fulfillmentText is the first block (how the real
// service fills it with several blocks is undocumented). A language code is matched exactly or by its
// base ("es-ES" → "es").
//
// # Slot filling
//
// An ES intent matched with a required parameter empty answers with that parameter's prompt (a random
// one of its prompts in the language), allRequiredParamsPresent false, and the contexts
// "<intent>_dialog_context" (lifespan 2) and "<intent>_dialog_params_<param>" (lifespan 1) instead of
// its own output contexts (shapes from real responses; the id is the display name lower-cased
// without "." and other characters a context id may not hold, inferred). The next text fills the
// parameter from the entities it holds, or is prompted again; another intent's training phrase ends the
// filling, and "cancelar"/"cancel" ends it with cancelsSlotFilling. The fulfillment webhook is called
// once the parameters are in. CX forms are modelled for CX exports (# CX agents).
//
// # Fulfillment
//
// The export's agent.json webhook.url is never called: it names the vendor's production backend. For
// intents with webhookUsed, when a fulfillment URL is set (WithFulfillmentURL: the assistant's own
// service on the test machine), the mock POSTs a WebhookRequest (session, responseId, queryResult,
// originalDetectIntentRequest.payload from queryParams.payload, queryParams.webhookHeaders as headers) and
// merges the WebhookResponse: fulfillmentText / fulfillmentMessages replace the reply, source and payload
// become webhookSource / webhookPayload, outputContexts overwrite the session's, followupEventInput
// triggers that event (https://cloud.google.com/dialogflow/es/docs/fulfillment-webhook). A failure never
// fails detectIntent: webhookStatus carries it as the real service does
// (googleapis/java-dialogflow#59): code 4 "Webhook call failed. Error: DEADLINE_EXCEEDED." after 5 s
// (WithWebhookTimeout), code 13 "Webhook call failed. Error: 500 Internal Server Error" for a non-2xx
// answer (a redirect among them: the mock never follows one, in ES or CX, so the conversation reaches
// no host but the fulfillment URL; that the real service does not follow them is inferred), code 3 "Webhook call failed. Error: Failed to parse webhook JSON response: …" for a body that
// is not a WebhookResponse; the intent's static reply stays (inferred). When the export has an enabled
// webhook and no fulfillment URL was given, the intent answers as for an unreachable webhook (code 14
// "Webhook call failed. Error: UNAVAILABLE…", the static reply). Every call, made or not, is a
// fulfillment.call journal event (journal.FulfillmentData) with the URL, HTTP status, latency and error,
// or why no call was made. Success is webhookStatus {"message":"Webhook execution successful"} and
// diagnosticInfo.webhook_latency_ms.
//
// # CX agents
//
// A Dialogflow CX export (a folder or a .zip: agent.json, flows/<Flow>/<Flow>.json and pages/,
// transitionRouteGroups/ of a flow or of the agent, intents/<Intent>/ with trainingPhrases/<lang>.json,
// entityTypes/<Type>/ with entities/<lang>.json, webhooks/, testCases/) is recognised by its flows/
// folder or its CX agent.json and loaded by LoadCXAgent; LoadAgent refuses it (ErrCXExport) instead of
// reading it as an ES agent with no intents. Each file is decoded as the cx/v3 resource it holds
// (cxpb.Flow, cxpb.Page, …; the export's {"seconds": n} durations and [{"key","value"}] maps are
// accepted). Every field that is set is either modelled, ignored and counted in CXAgent.Summary
// (speech, logging, presentation settings, the webhooks' addresses, channel-specific messages,
// intent parameters of system entities the mock does not recognise, composite entity types it cannot
// resolve used only by intents), or refused at load with the file and the construct: generators,
// generative fallback, knowledge connectors, playbooks and tools, flow input/output parameters, list
// form parameters, form parameters of a system entity the mock does not recognise or of a composite
// entity type with such a part, system functions ($sys.func…), the has operator, DTMF, audio and intent inputs in test
// cases, references to intents, pages, flows, route groups, webhooks or entity types the export does
// not define. Conditional responses (conditionalCases) are modelled; so are @sys.geo-city, @sys.person,
// @sys.date-period and @sys.address in English and Spanish (sysentity.go) and composite entity types
// (cxcomposite.go), as form and intent parameters.
//
// A CX session keeps its current page, the page before it, the stack of pages that called a flow, the
// form values of the current page and the session parameters (cxrun.go has the lifecycle): a text is
// matched against the intents of the routes in scope only (the page's and its route groups', then the
// flow's and its groups'), with the ES matcher above and the flow's nluSettings.classificationThreshold
// (0.3 by default); otherwise it fills the form parameter asked (and any other empty one it holds: @sys.any
// takes the whole text); otherwise sys.no-match-1…6 then sys.no-match-default is handled (the asked
// parameter's reprompt handlers, then the page's, then the flow's). Entering a page runs its entry
// fulfillment, pre-fills its form from session parameters, then the condition routes in scope (the page's
// and its groups'; the flow's on the start page) in order, then prompts for the first empty required
// parameter. Conditions: comparisons (=, !=, <, <=, >, >=) of $session.params (nested), $page.params.status
// and $page.params.<p>(.status), $intent.params (.original, .resolved) and $flow with quoted or bare
// literals, numbers, true, false, null, undefined; AND, OR, NOT, parentheses (cxcond.go). Fulfillments:
// parameter presets (null removes; a string that is one reference takes its value), then the messages —
// one variant of each text, chosen by the seeded random source, references filled; payload, audio,
// handoff and other messages passed through — with responseType ENTRY_PROMPT, PARAMETER_PROMPT or
// HANDLER_PROMPT, then the webhook. Targets: pages of the flow, flows (entered at their start page),
// END_FLOW (back to the calling page, whose condition routes run again; in the start flow it ends the
// session, as a real test case expects "End Session" there), END_SESSION (an endInteraction message; the
// next query starts over with no parameters), PREVIOUS_PAGE, CURRENT_PAGE, START_PAGE. More than 64
// transitions in one query is an error (FAILED_PRECONDITION), not a hang. The response has currentPage
// and currentFlow with their resource names (START_PAGE, END_SESSION and the export's ids), match
// (INTENT, PARAMETER_FILLING, NO_MATCH, EVENT, DIRECT_INTENT; intent parameters), the session
// parameters, webhookStatuses and webhookPayloads. @sys.date values are {"year","month","day"} as CX
// gives them; other values are the ES matcher's. While a parameter is asked, a text that fills it
// interrupts the form only by matching a training phrase exactly, as ES slot filling does here (the
// mock's design).
//
// Webhooks: the address in the export's webhooks/*.json is never called. When the server has a
// fulfillment URL (WithFulfillmentURL), a fulfillment with a webhook POSTs a cx/v3 WebhookRequest
// (detectIntentResponseId, text or triggerEvent or triggerIntent, languageCode, fulfillmentInfo.tag,
// intentInfo, pageInfo with formInfo, sessionInfo, the messages so far, queryParams.payload and
// webhookHeaders) with the webhook's timeout from the export (5 s by default) and merges the
// WebhookResponse: fulfillmentResponse.messages (APPEND, or REPLACE), sessionInfo.parameters,
// pageInfo.formInfo values, payload, targetPage / targetFlow. A failure raises webhook.error.timeout,
// webhook.error.not-found (nothing listening, HTTP 404) or webhook.error, handled by the most specific
// handler in scope; with none, the fulfillment's static messages and target stand. Without a fulfillment
// URL the call fails as webhook.error. queryParams.disableWebhook skips the call. Each call, made or not,
// is a fulfillment.call journal event (journal.FulfillmentData) saying where it went or why it was not
// made; detectIntent is journalled as for ES.
//
// Test cases: RunCXTestCases plays an export's testCases/ as the console does, each on a fresh session
// from testConfig's flow and page, comparing per turn the triggered intent, the page and flow, the text
// responses (any variant of a text passes) and the tracked parameters; WriteCXTestReport prints one line
// per test case and the first differing turn of a failed one. `parley agent test --agent DIR|ZIP` runs
// them (exit 0 all pass, 1 a failure, 2 the export could not be loaded); `parley agent summary` prints
// CXAgent.Summary.
//
// # Control
//
// The Control interface, implemented by *Server in-process and by *ControlClient over HTTP: ForceNext
// (the next query matches an intent, or gets a confidence, optionally for one session); InjectFault /
// ClearFaults / Faults, the vocabulary every mock shares (control.Fault), on detectIntent calls: a kind
// RESOURCE_EXHAUSTED, UNAVAILABLE — which the official gRPC client retries — or DEADLINE_EXCEEDED, a
// delay of real time ended by the caller's deadline, for N calls or until cleared; Sessions, Contexts
// (copies), JournalAfter, Reset. The routes, on the same port:
//
//	GET    /_parley/healthz                 {"status":"ok","agent":…,"project":…}
//	POST   /_parley/force                   {"intent":"optout","confidence":0.9,"session":"…"} → 204
//	GET    /_parley/faults                  [Fault…]: the faults still pending
//	POST   /_parley/faults                  {"kind":"RESOURCE_EXHAUSTED","count":1,"delay":"250ms","message":"…"} → 204
//	DELETE /_parley/faults                  → 204
//	GET    /_parley/sessions                [SessionInfo…]
//	GET    /_parley/contexts?session=ID|PATH [ContextInfo…]
//	POST   /_parley/reset                   → 204
//	GET    /_parley/journal?after=N         {"events":[…],"last":L}: the events after N, L to ask after next
//
// Control bodies are decoded strictly; errors use the same google.rpc.Status envelope.
//
// # Not modelled
//
// Audio input and output, StreamingDetectIntent, sentiment analysis, knowledge connectors,
// webhookForSlotFilling, list originals as lists (the mock joins them into one string), parameter
// default values, automated expansion of entities, follow-up intent
// trees beyond what input/output contexts give, conditional responses, rich (non-text) response
// messages, session entity types, agent and intent editing, training, export and import, real IAM (any
// Bearer token is accepted), regional hosts (any location is served on this one endpoint), and quotas
// other than as an injected fault. For CX: the constructs refused at load (# CX agents), CX's own NLU
// (the ES matcher stands in for it, restricted to the intents in scope), system entities other than
// @sys.any, @sys.number, @sys.date, @sys.email and @sys.phone-number, entity fuzzy extraction and
// auto-expansion, sys.invalid-parameter and sys.no-input-N counting, partial responses, CX
// environments and versions (any is served from the export), the agent's own ES API (ES queries and
// GetAgent on a CX agent answer NOT_FOUND, as for a project with no ES agent), queryParams.currentPage
// and sessionTtl, and the Agents, Flows, Pages and TestCases resource APIs (the test cases run through
// RunCXTestCases).
package dialogflow
