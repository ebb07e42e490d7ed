package audit

import (
	"strings"

	"github.com/parley-dev/parley/journal"
)

// Meaning is what a message from the assistant means to a customer, whatever its words: the step
// library's outcome expectations and goal-directed customers judge with the same word lists and patterns
// as the rules, so a scenario and the auditor never disagree about what a message said.
type Meaning string

// The meanings a message may carry.
const (
	// MeansAutomated: the customer is told an automated assistant is answering (AI-DISC-01).
	MeansAutomated Meaning = "automated assistant"
	// MeansPrivacy: privacy information or a reminder not to share sensitive data (GDPR-NOTICE-01,
	// PRIV-JIT-01).
	MeansPrivacy Meaning = "privacy information"
	// MeansPrivacyNotice: the first layer of a privacy notice as GDPR-NOTICE-01 and PRIV-3P-01 judge it:
	// privacy information with a link to the full policy (the business's, when known), naming Meta and
	// Google, the processors that read every conversation.
	MeansPrivacyNotice Meaning = "the privacy notice"
	// MeansPersonOffered: a way to reach a person (WA-ESC-01).
	MeansPersonOffered Meaning = "a way to reach a person"
	// MeansHandoff: the chat is being passed to a person (WA-ESC-02).
	MeansHandoff Meaning = "a handoff to a person"
	// MeansOptInQuestion: the customer is asked whether they want marketing or notifications (WA-OPTIN-02).
	MeansOptInQuestion Meaning = "an opt-in question"
	// MeansOptOutConfirmed: marketing has been stopped for the customer (WA-OPTOUT-01).
	MeansOptOutConfirmed Meaning = "an opt-out confirmation"
	// MeansReference: a reference the customer can quote: a request's or a complaint's code (GDPR-DSR-01,
	// ES-CS-01).
	MeansReference Meaning = "a reference"
	// MeansRequestAcknowledged: a data-protection request received or done (GDPR-DSR-01).
	MeansRequestAcknowledged Meaning = "a request acknowledged"
	// MeansClarification: the assistant did not understand and asks again.
	MeansClarification Meaning = "a request to rephrase"
	// MeansOrderStatus: where an order is (shipped, on its way, delivered, being prepared).
	MeansOrderStatus Meaning = "an order's status"
)

// Meanings lists every meaning, in a stable order.
func Meanings() []Meaning {
	return []Meaning{MeansAutomated, MeansPrivacy, MeansPrivacyNotice, MeansPersonOffered, MeansHandoff,
		MeansOptInQuestion, MeansOptOutConfirmed, MeansReference, MeansRequestAcknowledged, MeansClarification,
		MeansOrderStatus}
}

// Means reports whether a text the customer saw (a body, a caption, a button's title) carries the
// meaning, in Spanish or English. privacyURL, when not empty, is the business's privacy notice: naming it
// is privacy information.
func Means(text string, m Meaning, privacyURL string) bool {
	t := fold(text)
	switch m {
	case MeansAutomated:
		return has(t, aiDisclosure...)
	case MeansPrivacy:
		return has(t, privacyWords...) || (privacyURL != "" && strings.Contains(t, fold(privacyURL)))
	case MeansPrivacyNotice:
		return Means(text, MeansPrivacy, privacyURL) && namesProcessors(t) &&
			(privacyURL != "" && strings.Contains(t, fold(privacyURL)) || privacyURL == "" && humanURL(t))
	case MeansPersonOffered:
		return has(t, humanPath...) || emailRe.MatchString(text) || phoneRe.MatchString(text) || humanURL(t)
	case MeansHandoff:
		return has(t, handoffAnnounced...)
	case MeansOptInQuestion:
		return has(t, optinPrompt...) && has(t, categoryWords...)
	case MeansOptOutConfirmed:
		return has(t, optoutConfirm...)
	case MeansReference:
		return ticketRe.MatchString(text)
	case MeansRequestAcknowledged:
		if has(t, dsrAck...) {
			return true
		}
		for _, words := range done {
			if has(t, words...) {
				return true
			}
		}
		return false
	case MeansClarification:
		return has(t, clarify...)
	case MeansOrderStatus:
		return has(t, orderStatus...)
	}
	return false
}

// SentText is everything a customer sees of a send: its body or caption, its header and footer, its
// buttons' and list rows' titles, a template's rendered text.
func SentText(o *journal.OutboundData) string { return sentText(o) }
