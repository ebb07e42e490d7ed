package steps

import (
	"context"

	"github.com/parley-dev/parley/profile"
	"github.com/parley-dev/parley/report"
	"github.com/parley-dev/parley/sim"
)

// goalDefs are the steps that state what a customer wants and let the simulated customer get there with
// whatever the assistant offers: buttons, list rows, quick replies, numbered menus, "answer YES"
// instructions or their own words (sim.Customer.Reach).
func goalDefs() []Def {
	return []Def{
		{Keyword: "Given",
			EN:   `^a customer "([^"]+)" with an order who speaks (Spanish|English)$`,
			ES:   `^una? cliente "([^"]+)" con un pedido que habla (español|inglés)$`,
			ExEN: `a customer "Oliver" with an order who speaks English`, ExES: `una cliente "Lucía" con un pedido que habla español`,
			Doc: "A simulated customer with the number of the order in the profile's test data (test_data.orders), whom the assistant's backend knows: the one customer whose number is not made afresh for the scenario.",
			fn:  orderCustomer, declares: true, Alone: true},
		{Keyword: "When",
			EN:   `^"([^"]+)" opts in to offers$`,
			ES:   `^"([^"]+)" acepta recibir ofertas$`,
			ExEN: `"Oliver" opts in to offers`, ExES: `"Lucía" acepta recibir ofertas`,
			Doc: "The customer answers yes to the assistant's question about offers, however it asks (ground truth: consent given in WhatsApp, with the question's wording); asks for the offers in their own words when nothing has asked yet.",
			fn:  goal(sim.GoalOptIn)},
		{Keyword: "When",
			EN:   `^"([^"]+)" declines offers$`,
			ES:   `^"([^"]+)" rechaza las ofertas$`,
			ExEN: `"Oliver" declines offers`, ExES: `"Lucía" rechaza las ofertas`,
			Doc: "The customer answers no to the assistant's question about offers (ground truth: consent refused, with the question's wording).",
			fn:  goal(sim.GoalDecline)},
		{Keyword: "When",
			EN:   `^"([^"]+)" asks to stop the offers$`,
			ES:   `^"([^"]+)" pide que dejen de enviarle ofertas$`,
			ExEN: `"Oliver" asks to stop the offers`, ExES: `"Lucía" pide que dejen de enviarle ofertas`,
			Doc: "The customer asks for no more marketing with the button, menu item or keyword the assistant offers, or in their own words (ground truth: opt-out requested); whether it is honoured is for the audit.",
			fn:  goal(sim.GoalOptOut)},
		{Keyword: "When",
			EN:   `^"([^"]+)" asks for a person$`,
			ES:   `^"([^"]+)" pide hablar con una persona$`,
			ExEN: `"Oliver" asks for a person`, ExES: `"Lucía" pide hablar con una persona`,
			Doc: "The customer asks to talk to a person, the way the assistant offers or in their own words, until it announces a handoff or gives a way to reach one (ground truth: a person requested).",
			fn:  goal(sim.GoalPerson)},
		{Keyword: "When",
			EN:   `^"([^"]+)" asks for a copy of (?:her|his|their) data$`,
			ES:   `^"([^"]+)" pide una copia de sus datos$`,
			ExEN: `"Oliver" asks for a copy of his data`, ExES: `"Lucía" pide una copia de sus datos`,
			Doc: "An access request (GDPR art. 15), through the assistant's menus or in the customer's words, until the assistant acknowledges it.",
			fn:  goal(sim.GoalDataCopy)},
		{Keyword: "When",
			EN:   `^"([^"]+)" asks to erase (?:her|his|their) data$`,
			ES:   `^"([^"]+)" pide que borren sus datos$`,
			ExEN: `"Oliver" asks to erase his data`, ExES: `"Lucía" pide que borren sus datos`,
			Doc: "An erasure request (GDPR art. 17), through the assistant's menus or in the customer's words, until the assistant acknowledges it.",
			fn:  goal(sim.GoalErasure)},
		{Keyword: "When",
			EN:   `^"([^"]+)" objects to marketing$`,
			ES:   `^"([^"]+)" se opone a recibir publicidad$`,
			ExEN: `"Oliver" objects to marketing`, ExES: `"Lucía" se opone a recibir publicidad`,
			Doc: "An objection to the use of the customer's data for marketing (GDPR art. 21), until the assistant acknowledges it.",
			fn:  goal(sim.GoalObjection)},
		{Keyword: "When",
			EN:   `^"([^"]+)" asks about (?:her|his|their) order$`,
			ES:   `^"([^"]+)" pregunta por su pedido$`,
			ExEN: `"Oliver" asks about his order`, ExES: `"Lucía" pregunta por su pedido`,
			Doc: "The customer asks how the order of the profile's test data is going, until the assistant gives its status.",
			fn:  goal(sim.GoalOrder)},
	}
}

// goal is the step function for a goal: the customer greets the assistant first when they have not
// written yet, then pursues the goal; each action marks where "the reply" starts, as other steps do.
func goal(kind sim.GoalKind) func(ctx context.Context, name string) error {
	return func(ctx context.Context, name string) error {
		s, c, err := lookup(ctx, name)
		if err != nil {
			return err
		}
		g := sim.Goal{Kind: kind, PrivacyURL: s.profile.Privacy.NoticeURL,
			LinkAnswers: s.profile.Capabilities.DataRequests == profile.DataRequestsLink,
			BeforeAct:   func(ctx context.Context) error { return s.acted(ctx, c) }}
		if capability, ok := missing(s.profile, kind); ok {
			return &report.NotApplicable{Capability: capability}
		}
		if kind == sim.GoalOrder {
			o, ok := s.profile.TestOrder()
			if !ok {
				return &report.Unreached{Customer: c.Name, Goal: kind.String(), Reason: noTestOrder}
			}
			g.Order = o.Code
		}
		if !c.Spoke() {
			if err := greet(ctx, s, c); err != nil {
				return err
			}
		}
		return c.Reach(ctx, g)
	}
}

// noTestOrder is why a step about the test order cannot be played.
const noTestOrder = "the assistant's profile names no order its test backend knows (test_data.orders)"

// orderCustomer declares the customer of the profile's test order.
func orderCustomer(ctx context.Context, name, lang string) error {
	s, err := state(ctx)
	if err != nil {
		return err
	}
	if !s.profile.Capabilities.OrderStatus {
		return &report.NotApplicable{Capability: "order_status"}
	}
	o, ok := s.profile.TestOrder()
	if !ok {
		return &report.Unreached{Customer: name, Goal: "be the customer of a test order", Reason: noTestOrder}
	}
	c, err := s.env.World().NewCustomer(sim.Persona{WaID: o.Customer, Name: name, Lang: langCode(lang), Known: true})
	if err != nil {
		return err
	}
	return s.addCustomer(c)
}

// missing names the capability the goal needs when the profile declares it absent.
func missing(p profile.Profile, kind sim.GoalKind) (string, bool) {
	caps := p.Capabilities
	switch kind {
	case sim.GoalOptIn, sim.GoalDecline, sim.GoalOptOut:
		return "marketing", !caps.Marketing
	case sim.GoalPerson:
		return "handoff", !caps.Handoff
	case sim.GoalDataCopy, sim.GoalErasure, sim.GoalObjection:
		return "data_requests", caps.DataRequests == "none"
	case sim.GoalOrder:
		return "order_status", !caps.OrderStatus
	}
	return "", false
}
