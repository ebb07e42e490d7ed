// Package profile is what only the vendor knows about an assistant and parley cannot infer from the
// conversation: the business's and the controller's names, its languages, its privacy notice, the
// processors and region it declares, what it can do, the test data its staging backend holds and the
// certification hooks it implements. The auditor takes the business's identity from it; a scenario that
// needs a capability the profile declares absent is not applicable.
package profile

import "strings"

// Version is the profile format's version.
const Version = "1"

// Profile describes one assistant.
type Profile struct {
	Version  string   `json:"version" yaml:"version"`
	Business Business `json:"business" yaml:"business"`
	// Languages the assistant speaks, the first its default ("es", "en").
	Languages []string `json:"languages" yaml:"languages"`
	Privacy   Privacy  `json:"privacy" yaml:"privacy"`
	// Capabilities say what the assistant does; a scenario needing one declared absent is not applicable.
	Capabilities Capabilities `json:"capabilities" yaml:"capabilities"`
	TestData     TestData     `json:"test_data" yaml:"test_data"`
	// Hooks are the certification hooks it implements: consent, notify, campaign, handoff_release.
	Hooks []string `json:"hooks" yaml:"hooks"`
	// Agent is about the assistant's Dialogflow agent, when parley serves its export (--agent).
	Agent Agent `json:"agent" yaml:"agent"`
}

// Agent is about the assistant's Dialogflow agent.
type Agent struct {
	// Webhook is the assistant's own fulfilment service, e.g. http://127.0.0.1:8081/fulfilment, called
	// for intents and fulfillments with a webhook (what --agent-webhook sets, which wins). The export's
	// webhook URLs, its production backend, are never called.
	Webhook string `json:"webhook" yaml:"webhook"`
}

// Business names the business.
type Business struct {
	Name       string `json:"name" yaml:"name"`             // as customers know it, e.g. "Tienda Ejemplo"
	Controller string `json:"controller" yaml:"controller"` // the data controller's legal name, e.g. "Tienda Ejemplo S.L."
}

// Privacy is what the privacy notice declares.
type Privacy struct {
	NoticeURL     string   `json:"notice_url" yaml:"notice_url"`
	Processors    []string `json:"processors" yaml:"processors"` // e.g. "Meta", "Google"
	Region        string   `json:"region" yaml:"region"`         // where personal data stay: "EU" (default)
	RetentionDays int      `json:"retention_days" yaml:"retention_days"`
}

// Capabilities say what an assistant does.
type Capabilities struct {
	Marketing   bool `json:"marketing" yaml:"marketing"`       // offers with an in-chat opt-in
	OrderStatus bool `json:"order_status" yaml:"order_status"` // answers about a customer's order
	Handoff     bool `json:"handoff" yaml:"handoff"`           // passes the chat to a person
	// DataRequests is where data-protection requests are handled: "chat", "link" (a web page the
	// assistant points to) or "none".
	DataRequests string `json:"data_requests" yaml:"data_requests"`
}

// TestData is what the assistant's staging backend knows.
type TestData struct {
	Orders []Order `json:"orders" yaml:"orders"`
}

// Order is one order the backend knows, and the customer it belongs to.
type Order struct {
	Code     string `json:"code" yaml:"code"`         // e.g. "TE-1001"
	Customer string `json:"customer" yaml:"customer"` // the customer's WhatsApp number, e.g. "+34 600 000 001"
}

// TestOrder is the order the scenarios ask about: the first of the test data, when it names both its
// code and its customer.
func (p Profile) TestOrder() (Order, bool) {
	if len(p.TestData.Orders) == 0 {
		return Order{}, false
	}
	o := p.TestData.Orders[0]
	return o, strings.TrimSpace(o.Code) != "" && strings.TrimSpace(o.Customer) != ""
}

// The hooks of the bot contract.
const (
	HookConsent        = "consent"
	HookNotify         = "notify"
	HookCampaign       = "campaign"
	HookHandoffRelease = "handoff_release"
)

// Reference is the profile of parley's reference assistant, used when none is given.
func Reference() Profile {
	return Profile{
		Version:   Version,
		Business:  Business{Name: "Tienda Ejemplo", Controller: "Tienda Ejemplo S.L."},
		Languages: []string{"es", "en"},
		Privacy: Privacy{NoticeURL: "https://tiendaejemplo.es/privacidad", Processors: []string{"Meta", "Google"},
			Region: "EU", RetentionDays: 90},
		Capabilities: Capabilities{Marketing: true, OrderStatus: true, Handoff: true, DataRequests: "chat"},
		TestData:     TestData{Orders: []Order{{Code: "TE-1001", Customer: "+34 600 000 001"}}},
		Hooks:        []string{HookConsent, HookNotify, HookCampaign, HookHandoffRelease},
	}
}
