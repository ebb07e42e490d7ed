package journal

// Source says which party recorded an event.
type Source string

// The sources of events. The customer is the simulated person (ground truth); the mocks record what the
// assistant did to them; the harness records what the test itself did (clock moves, hooks called).
const (
	SourceCustomer   Source = "customer"
	SourceWhatsApp   Source = "whatsapp"
	SourceDialogflow Source = "dialogflow"
	SourceDLP        Source = "dlp"
	SourceHarness    Source = "harness"
	// SourceNetwork is what an assistant asked of a production host name that parley answers for it
	// (package mocks/production): the OAuth token endpoint, the metadata server, and hosts not modelled.
	SourceNetwork Source = "network"
)

// Event kinds. The auditor reads these; a mock may record other kinds, which the auditor treats as
// unknown and reports as not judged. Each kind's payload is documented beside it; where a Go type exists
// for it, that type is named.
const (
	// WhatsApp: messages the customer sent to the business (data: InboundData).
	KindInboundSent      = "inbound.sent"      // the customer sent it and WhatsApp has it: the window opens here
	KindInboundDelivered = "inbound.delivered" // webhook answered 2xx
	KindInboundFailed    = "inbound.failed"    // every webhook attempt failed; the message was not delivered

	// WhatsApp: the assistant's calls to POST /{version}/{phone-number-id}/messages (data: OutboundData).
	KindOutboundAccepted = "outbound.accepted"
	KindOutboundRejected = "outbound.rejected"
	KindMarkRead         = "outbound.read" // mark-as-read, with or without the typing indicator

	// WhatsApp: status changes of an accepted message as delivered to the webhook (data: StatusData).
	KindStatusSent      = "status.sent"
	KindStatusDelivered = "status.delivered"
	KindStatusRead      = "status.read"
	KindStatusFailed    = "status.failed"

	// WhatsApp: a media upload by the assistant (POST /{phone-number-id}/media), with the bytes, so the
	// auditor can read a data export sent as a document (data: MediaData).
	KindMediaUploaded = "media.uploaded"

	// Harness: a TLS handshake probe of the assistant's webhook endpoint (data: TLSProbeData).
	KindTLSProbe = "tls.probe"

	// WhatsApp: one event per webhook POST attempt (data: WebhookAttemptData) and per verification handshake.
	KindWebhookAttempt = "webhook.attempt"
	KindWebhookVerify  = "webhook.verify"

	// WhatsApp: any other Graph API request (media, templates), accepted or refused (data: RequestData).
	KindRequestAccepted = "request.accepted"
	KindRequestRejected = "request.rejected"

	// A route or method the mock does not model (data: RequestData). It fails the scenario.
	KindUnmodelled = "unmodelled"

	// Dialogflow (data: DetectIntentData for detect_intent; ContextsData for the context calls).
	KindDetectIntent         = "detect_intent"
	KindDetectIntentRejected = "detect_intent.rejected"
	KindContextsListed       = "contexts.listed"
	KindContextsCreated      = "contexts.created"
	KindContextsDeleted      = "contexts.deleted"
	// Dialogflow: a fulfillment webhook call, or one not made, with why (data: FulfillmentData).
	KindFulfillment = "fulfillment.call"

	// DLP (data: DLPData).
	KindDeidentify  = "deidentify"
	KindInspect     = "inspect"
	KindDLPRejected = "dlp.rejected"

	// Customer ground truth, recorded by the simulated customer (source customer).
	KindConsentGiven      = "consent.given"     // data: ConsentData
	KindConsentWithdrawn  = "consent.withdrawn" // data: ConsentData
	KindOptoutRequested   = "optout.requested"  // data: OptoutData (in the chat, or WhatsApp's own "stop promotions")
	KindDataRequest       = "dsr.requested"     // data: DataRequestData
	KindCanaryPlanted     = "canary.planted"    // data: CanaryData
	KindCustomerBlocked   = "customer.blocked"  // the customer blocked the business
	KindCustomerUnblocked = "customer.unblocked"
	KindHandoffRequested  = "handoff.requested" // the customer asked for a person (data: HandoffData, optional)
	KindHandoffReleased   = "handoff.released"  // the person ended the handoff; the assistant may answer again
	KindConsentRefused    = "consent.refused"   // the customer said no to an opt-in prompt (data: ConsentData)

	// Harness.
	KindClockAdvanced = "clock.advanced" // data: ClockData
	KindClockSet      = "clock.set"      // data: ClockData
	KindFaultSet      = "fault.set"      // data: free-form description of the fault
	KindHookCalled    = "hook.called"    // a certification hook of the assistant was called (data: HookData)
	KindReset         = "reset"
)
