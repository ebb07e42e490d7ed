package steps

import (
	"reflect"
	"strings"

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
// step needs the hook, and says so with its tag (HookTag), so that a profile without the hook can mark it
// not applicable.
func Hook(text string) string {
	for _, d := range Match(text) {
		if h, ok := hookSteps[funcID(d.fn)]; ok {
			return h
		}
	}
	return ""
}

// HookTag is the tag of the scenarios that need a hook: @hook-consent, @hook-notify, @hook-campaign,
// @hook-handoff-release.
func HookTag(hook string) string { return "@hook-" + strings.ReplaceAll(hook, "_", "-") }

// The capability tags: a scenario that needs what an assistant may not do says so.
const (
	NeedsMarketing    = "@needs-marketing"
	NeedsOrderStatus  = "@needs-order-status"
	NeedsHandoff      = "@needs-handoff"
	NeedsDataRequests = "@needs-data-requests"
)

// stepNeeds is, by its English example, each step that needs a capability of the assistant: what the
// customer does in the chat, and the expectations that presume it (a handoff, marketing). Expectations that
// follow such a step (a copy of the data, an order's status) need nothing of their own: an order's status
// may come from a shipping notice, which needs the notify hook and the profile's test order, not the chat.
var stepNeeds = map[string]string{
	`"Oliver" opts in to offers`:                                   NeedsMarketing,
	`"Oliver" declines offers`:                                     NeedsMarketing,
	`"Oliver" asks to stop the offers`:                             NeedsMarketing,
	`"Oliver" accepted offers in the chat`:                         NeedsMarketing,
	`"Lucía" receives a marketing message`:                         NeedsMarketing,
	`"Oliver" asks for a person`:                                   NeedsHandoff,
	`"Lucía" is handed over to a person`:                           NeedsHandoff,
	`"Oliver" asks about his order`:                                NeedsOrderStatus,
	`"Oliver" asks for a copy of his data`:                         NeedsDataRequests,
	`"Oliver" asks to erase his data`:                              NeedsDataRequests,
	`"Oliver" objects to marketing`:                                NeedsDataRequests,
	`"Oliver" makes an access request: "I want a copy of my data"`: NeedsDataRequests,
	`"Oliver" corrects his email`:                                  NeedsDataRequests,
	`"Lucía" is asked whether she wants offers`:                    NeedsMarketing,
}

// Needs returns the capability tag a step needs (NeedsMarketing, …), or "" when it needs none of them
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
