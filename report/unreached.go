package report

import "fmt"

// Unreached is a step's error when a simulated customer could not bring the conversation where the
// scenario needs it (opt in, reach a person, ask for their data) within its turns: what the scenario was
// to check was not checked. Rules lists the rules that depended on the goal; the report shows them as not
// exercised, with Reason, never as passed or broken by this scenario.
type Unreached struct {
	Customer string   // the customer's name in the scenario
	Goal     string   // what they were trying to do, e.g. "opt in to offers"
	Reason   string   // why not, in a sentence: what the assistant offered
	Rules    []string // the rules that needed the goal (empty: the scenario's own)
	// Transcript is the customer's conversation, for the reader.
	Transcript string
}

func (u *Unreached) Error() string {
	s := fmt.Sprintf("%s could not %s: %s", u.Customer, u.Goal, u.Reason)
	if u.Transcript != "" {
		s += "\n" + u.Transcript
	}
	return s
}

// NotApplicable is a scenario that needs a capability the assistant's profile declares it does not have
// (marketing, order status, a handoff to a person, data requests in the chat): it is not played, and its
// rules are shown as not applicable, apart from rules nobody exercised.
type NotApplicable struct {
	Capability string // the capability, as the profile names it
}

func (n *NotApplicable) Error() string {
	return "not applicable: " + n.Reason()
}

// Reason says why, as the report gives it beside the status: "the assistant's profile declares no
// marketing".
func (n *NotApplicable) Reason() string {
	return fmt.Sprintf("the assistant's profile declares no %s", n.Capability)
}
