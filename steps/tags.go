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
