package steps

import (
	"reflect"

	"github.com/parley-dev/parley/profile"
)

// hookSteps are the step functions that call one of the assistant's certification hooks.
var hookSteps = map[uintptr]string{
	funcID(optedInElsewhere):         profile.HookConsent,
	funcID(optedInElsewhereUnproven): profile.HookConsent,
	funcID(notifyShipped):            profile.HookNotify,
	funcID(notifyTestOrderShipped):   profile.HookNotify,
	funcID(campaign):                 profile.HookCampaign,
	funcID(releaseHandoff):           profile.HookHandoffRelease,
}

func funcID(fn any) uintptr { return reflect.ValueOf(fn).Pointer() }

// Hook returns the certification hook (profile.HookConsent, HookNotify, HookCampaign or
// HookHandoffRelease) that a step calls, or "" when it calls none or is unknown. A scenario with such a
// step needs the hook, and says so with its tag (profile.HookTag), so that a profile without the hook can
// mark it not applicable.
func Hook(text string) string {
	for _, d := range Match(text) {
		if h, ok := hookSteps[funcID(d.fn)]; ok {
			return h
		}
	}
	return ""
}

// stepNeeds is, by its English example, each step that needs a capability of the assistant: what the
// customer does in the chat, and the expectations that presume it (a handoff, marketing). Expectations that
// follow such a step (a copy of the data, an order's status) need nothing of their own: an order's status
// may come from a shipping notice, which needs the notify hook and the profile's test order, not the chat.
var stepNeeds = map[string]string{
	`"Oliver" opts in to offers`:                                   profile.NeedsMarketing,
	`"Oliver" declines offers`:                                     profile.NeedsMarketing,
	`"Oliver" asks to stop the offers`:                             profile.NeedsMarketing,
	`"Oliver" accepted offers in the chat`:                         profile.NeedsMarketing,
	`"Lucía" receives a marketing message`:                         profile.NeedsMarketing,
	`"Oliver" asks for a person`:                                   profile.NeedsHandoff,
	`"Lucía" is handed over to a person`:                           profile.NeedsHandoff,
	`"Oliver" asks about his order`:                                profile.NeedsOrderStatus,
	`"Oliver" asks for a copy of his data`:                         profile.NeedsDataRequests,
	`"Oliver" asks to erase his data`:                              profile.NeedsDataRequests,
	`"Oliver" objects to marketing`:                                profile.NeedsDataRequests,
	`"Oliver" makes an access request: "I want a copy of my data"`: profile.NeedsDataRequests,
	`"Oliver" corrects his email`:                                  profile.NeedsDataRequests,
	`"Lucía" is asked whether she wants offers`:                    profile.NeedsMarketing,
}

// Needs returns the capability tag a step needs (profile.NeedsMarketing, …), or "" when it needs none of them
// or is unknown: a scenario with the step carries the tag, so a profile declaring the capability absent
// marks it not applicable.
func Needs(text string) string {
	for _, d := range Match(text) {
		if tag := stepNeeds[d.ExEN]; tag != "" {
			return tag
		}
	}
	return ""
}
