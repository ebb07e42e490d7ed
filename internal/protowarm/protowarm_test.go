package protowarm

import (
	"slices"
	"testing"

	"cloud.google.com/go/dlp/apiv2/dlppb"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// TestMessagesReachesWhatACallCanCarry: from a DLP request, the types its fields hold at any depth
// (through oneofs, repeated fields and well-known types) are warmed, each once, map entries (which have
// no Go type of their own) left out.
func TestMessagesReachesWhatACallCanCarry(t *testing.T) {
	got := Messages(&dlppb.DeidentifyContentRequest{}, &dlppb.DeidentifyContentRequest{})
	if len(got) == 0 || got[0] != "google.privacy.dlp.v2.DeidentifyContentRequest" {
		t.Fatalf("warmed %v, want the root first", got)
	}
	for _, want := range []protoreflect.FullName{
		"google.privacy.dlp.v2.ContentItem",               // a field
		"google.privacy.dlp.v2.CryptoReplaceFfxFpeConfig", // a oneof, four levels down
		"google.privacy.dlp.v2.Table.Row",                 // a nested type in a repeated field
		"google.protobuf.Timestamp",                       // a well-known type
	} {
		if !slices.Contains(got, want) {
			t.Errorf("%s not warmed (of %d types)", want, len(got))
		}
	}
	seen := map[protoreflect.FullName]bool{}
	for _, n := range got {
		if seen[n] {
			t.Errorf("%s warmed twice", n)
		}
		seen[n] = true
	}
}
