package profile

import (
	"slices"
	"strings"
)

// A scenario that can only be played against an assistant with a capability or a hook says so with a
// tag: @needs-<capability> or @hook-<hook> (HookTag).
const (
	NeedsMarketing    = "@needs-marketing"
	NeedsOrderStatus  = "@needs-order-status"
	NeedsHandoff      = "@needs-handoff"
	NeedsDataRequests = "@needs-data-requests" // handled in the chat
)

// HookTag is the tag of the scenarios that need a hook: @hook-consent, @hook-notify, @hook-campaign,
// @hook-handoff-release.
func HookTag(hook string) string { return "@hook-" + strings.ReplaceAll(hook, "_", "-") }

// needs are the tags and what each needs.
var needs = []struct {
	tag  string
	what string // how a reader names what is missing
	has  func(Profile) bool
}{
	{NeedsMarketing, "marketing", func(p Profile) bool { return p.Capabilities.Marketing }},
	{NeedsOrderStatus, "order status", func(p Profile) bool { return p.Capabilities.OrderStatus }},
	{NeedsHandoff, "handoff to a person", func(p Profile) bool { return p.Capabilities.Handoff }},
	{NeedsDataRequests, "data requests in the chat", func(p Profile) bool { return p.Capabilities.DataRequests == DataRequestsChat }},
	{HookTag(HookConsent), "consent hook", hasHook(HookConsent)},
	{HookTag(HookNotify), "notify hook", hasHook(HookNotify)},
	{HookTag(HookCampaign), "campaign hook", hasHook(HookCampaign)},
	{HookTag(HookHandoffRelease), "handoff_release hook", hasHook(HookHandoffRelease)},
}

func hasHook(h string) func(Profile) bool {
	return func(p Profile) bool { return slices.Contains(p.Hooks, h) }
}

// NeedTags are the tags that make a scenario depend on a capability or a hook.
func NeedTags() []string {
	out := make([]string, len(needs))
	for i, n := range needs {
		out[i] = n.tag
	}
	return out
}

// IsNeedTag says whether tag has the form of a capability or hook tag (@needs-…, @hook-…), known or not:
// a suite may refuse one it does not know rather than play the scenario regardless.
func IsNeedTag(tag string) bool {
	return strings.HasPrefix(tag, "@needs-") || strings.HasPrefix(tag, "@hook-")
}

// Lacks returns what the scenario tagged tags needs and p declares absent, in the order of the tags
// ("marketing", "consent hook"); none when it can be played. Tags it does not know are ignored.
func (p Profile) Lacks(tags []string) []string {
	var out []string
	for _, t := range tags {
		for _, n := range needs {
			if n.tag == t && !n.has(p) && !slices.Contains(out, n.what) {
				out = append(out, n.what)
			}
		}
	}
	return out
}
