package reference

import (
	"fmt"
	"sort"
	"strings"
)

// Violation is one switch that makes the reference assistant break exactly one rule of the catalogue, in
// the way a real assistant gets it wrong.
type Violation struct {
	Rule        string // the rule id, as in audit.Catalogue()
	Description string // one line: what the assistant does wrong when the switch is on
}

// violationTable is the only list of switches: --list-violations prints it and New refuses any id that is
// not in it, so the list cannot drift from the code that reads it (b.violates(id)).
var violationTable = []Violation{
	{"WA-OPTIN-01", "takes a customer starting a chat as opt-in: campaigns and shipping templates go to everyone who chatted (opt-outs still honoured)"},
	{"WA-OPTIN-02", "asks for marketing opt-in without naming the business or WhatsApp, and takes any reply as a yes"},
	{"WA-OPTIN-03", "accepts out-of-band opt-ins through /parley/consent without channel or wording, and markets on them"},
	{"WA-WINDOW-01", "sends business notifications as free-form text even when the 24-hour window has closed"},
	{"WA-TPL-01", "puts a discount offer into the UTILITY shipping template (promotional content in a utility template)"},
	{"WA-OPTOUT-01", "confirms an opt-out but keeps the customer on the marketing list"},
	{"WA-OPTOUT-02", "recognises only the exact keywords BAJA and STOP; paraphrases go to Dialogflow and get a fallback"},
	{"WA-OPTOUT-03", "answers an opt-out with 'are you sure? we'll miss you, reply BAJA CONFIRMAR to confirm' instead of a plain confirmation"},
	{"WA-MKT-01", "sends campaigns inside the window as free-form promotional text without the business name or an opt-out"},
	{"WA-MKT-02", "ignores 131050 (customer stopped marketing) and retries 131049 at once"},
	{"WA-ESC-01", "never hands over to a person: a request for a human gets a canned 'I can help you with anything'"},
	{"WA-ESC-02", "hands over to a person but keeps answering automatically while the handoff is open"},
	{"WA-SENS-01", "asks for the card number used to pay when a customer asks about an order without its number"},
	{"WA-SENS-02", "echoes card numbers, IBANs and ID numbers back in full instead of masking them"},
	{"WA-SEC-01", "accepts webhooks without checking X-Hub-Signature-256"},
	{"WA-SEC-02", "its TLS configuration accepts TLS 1.0 and 1.1"},
	{"WA-XCUST-01", "keeps the last order question bot-wide, so 'and my order?' is answered with another customer's question and order"},
	{"AI-DISC-01", "greets as a person ('Soy Laura') and never says it is an automated assistant"},
	{"GDPR-NOTICE-01", "gives no privacy notice at first contact (no policy link, no rights, no AEPD)"},
	{"PRIV-3P-01", "its privacy notice omits that Meta and Google process the conversations"},
	{"PRIV-JIT-01", "gives no just-in-time privacy reminder when a customer shares personal data in the chat"},
	{"GDPR-CONSENT-01", "bundles marketing consent with service: after 'no' to offers it refuses to help"},
	{"GDPR-CONSENT-02", "records consent without time, channel or wording"},
	{"GDPR-DSR-01", "answers data-protection requests with 'send an e-mail to privacidad@…' and no reference"},
	{"GDPR-DSR-02", "charges a fee for data-protection requests and announces a three-month delay without reasons"},
	{"GDPR-VERIFY-01", "sends the data of whatever phone number the request mentions to whoever asks"},
	{"GDPR-ACCESS-01", "access export holds only the profile and consents: no conversation, no purposes, recipients or retention"},
	{"GDPR-PORT-01", "portability export is sent as a PDF, not a machine-readable format"},
	{"GDPR-ERASE-01", "erasure forgets the Dialogflow session: no DeleteAllContexts and the same session id afterwards"},
	{"GDPR-ERASE-02", "erasure deletes the profile but neither the consent ledger nor adds a suppression entry, so campaigns resume"},
	{"GDPR-RECT-01", "acknowledges rectification but keeps the old value"},
	{"GDPR-RESTRICT-01", "acknowledges a restriction request but keeps sending marketing"},
	{"GDPR-OBJECT-01", "answers an objection to marketing with 'are you sure? reply YES to confirm' and keeps marketing meanwhile"},
	{"PII-NLU-01", "sends the customer's raw text to Dialogflow without DLP de-identification"},
	{"PII-NLU-02", "uses the customer's phone number as the Dialogflow session id"},
	{"GDPR-PROC-01", "queries Dialogflow in the global (US) location although the notice promises the EU"},
	{"GDPR-RET-01", "keeps transcripts past the declared 90-day retention and exports them"},
	{"ES-CS-01", "complaints get no tracking code and every reply is in Spanish whatever the customer's language"},
}

// Violations returns the switches, sorted by rule id.
func Violations() []Violation {
	out := append([]Violation(nil), violationTable...)
	sort.Slice(out, func(i, j int) bool { return out[i].Rule < out[j].Rule })
	return out
}

// parseViolations checks ids against the table; an unknown id is an error that names the known ones.
func parseViolations(ids []string) (map[string]bool, error) {
	known := make(map[string]bool, len(violationTable))
	for _, v := range violationTable {
		known[v.Rule] = true
	}
	out := map[string]bool{}
	for _, raw := range ids {
		for _, id := range strings.Split(raw, ",") {
			id = strings.ToUpper(strings.TrimSpace(id))
			if id == "" {
				continue
			}
			if !known[id] {
				return nil, fmt.Errorf("unknown violation %q: run 'parley bot --list-violations' for the list", id)
			}
			out[id] = true
		}
	}
	return out, nil
}
