package dlp_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"cloud.google.com/go/dlp/apiv2/dlppb"

	"github.com/parley-dev/parley/mocks/dlp"
)

// TestInspectFindingsLimit: content:inspect returns at most the service's 3,000 findings per request, or
// fewer when max_findings_per_request asks, and says so with findings_truncated; max_findings_per_item is
// ignored in a content request, as the API reference says. The offsets of the findings kept stay exact
// in a text with multi-byte characters.
func TestInspectFindingsLimit(t *testing.T) {
	const n = dlp.MaxFindingsPerRequest + 500
	const unit = "Teléfono 612345678. "
	text := strings.Repeat(unit, n)
	limits := func(perRequest, perItem int32) *dlppb.InspectConfig {
		return &dlppb.InspectConfig{InfoTypes: infoTypes("PHONE_NUMBER"),
			Limits: &dlppb.InspectConfig_FindingLimits{MaxFindingsPerRequest: perRequest, MaxFindingsPerItem: perItem}}
	}
	tests := []struct {
		name  string
		text  string
		cfg   *dlppb.InspectConfig
		want  int
		trunc bool
	}{
		{"no limit given: the service's 3,000", text, &dlppb.InspectConfig{InfoTypes: infoTypes("PHONE_NUMBER")}, dlp.MaxFindingsPerRequest, true},
		{"per request below the cap", text, limits(10, 0), 10, true},
		{"per request above the cap", text, limits(5000, 0), dlp.MaxFindingsPerRequest, true},
		{"per item ignored", text, limits(0, 10), dlp.MaxFindingsPerRequest, true},
		{"per item ignored on a short text", strings.Repeat(unit, 5), limits(0, 2), 5, false},
		{"fewer findings than asked", strings.Repeat(unit, 5), limits(5, 0), 5, false},
	}
	s := dlp.RunT(t)
	for transport, c := range clients(t, s) {
		for _, tt := range tests {
			t.Run(transport+"/"+tt.name, func(t *testing.T) {
				resp, err := c.InspectContent(ctxT(t), &dlppb.InspectContentRequest{Parent: "projects/p", InspectConfig: tt.cfg,
					Item: &dlppb.ContentItem{DataItem: &dlppb.ContentItem_Value{Value: tt.text}}})
				if err != nil {
					t.Fatal(err)
				}
				fs := resp.GetResult().GetFindings()
				if len(fs) != tt.want || resp.GetResult().GetFindingsTruncated() != tt.trunc {
					t.Fatalf("%d findings, truncated %v; want %d, truncated %v", len(fs), resp.GetResult().GetFindingsTruncated(), tt.want, tt.trunc)
				}
				for i, f := range fs {
					start := len(unit)*i + len("Teléfono ")
					cp := int64(utf8.RuneCountInString(tt.text[:start]))
					br, cr := f.GetLocation().GetByteRange(), f.GetLocation().GetCodepointRange()
					if br.GetStart() != int64(start) || br.GetEnd() != int64(start+9) || cr.GetStart() != cp || cr.GetEnd() != cp+9 {
						t.Fatalf("finding %d at bytes %v, code points %v; want bytes [%d, %d), code points [%d, %d)",
							i, br, cr, start, start+9, cp, cp+9)
					}
				}
			})
		}
	}
}

// TestDeidentifyIgnoresFindingLimits: finding limits are "not used for de-identification": every
// identifier is transformed, however many there are and whatever limits the inspect config sets.
func TestDeidentifyIgnoresFindingLimits(t *testing.T) {
	const n = dlp.MaxFindingsPerRequest + 500
	text := strings.Repeat("Teléfono 612345678. ", n)
	req := deidRequest("projects/p", text, []string{"PHONE_NUMBER"}, replaceWithInfoType)
	req.InspectConfig.Limits = &dlppb.InspectConfig_FindingLimits{MaxFindingsPerRequest: 1}
	s := dlp.RunT(t)
	for transport, c := range clients(t, s) {
		resp, err := c.DeidentifyContent(ctxT(t), req)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Repeat("Teléfono [PHONE_NUMBER]. ", n)
		if got := resp.GetItem().GetValue(); got != want {
			t.Errorf("%s: %d identifiers left, want none", transport, strings.Count(got, "612345678"))
		}
	}
}
