package dlp

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"cloud.google.com/go/dlp/apiv2/dlppb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/parley-dev/parley/journal"
)

// call says how a request arrived.
type call struct {
	transport string // rest, grpc
	size      int    // bytes of the request as received (JSON body or protobuf message)
	method    string // HTTP method and path, or the gRPC full method, for unmodelled events
}

// InspectContent answers content:inspect and records the call.
func (s *Server) inspectContent(ctx context.Context, c call, req *dlppb.InspectContentRequest) (*dlppb.InspectContentResponse, error) {
	data := journal.DLPData{Transport: c.transport, Text: req.GetItem().GetValue(), Parent: req.GetParent()}
	resp, err := s.inspect(ctx, c, req, &data)
	s.record(journal.KindInspect, c, &data, err)
	return resp, err
}

// deidentifyContent answers content:deidentify and records the call.
func (s *Server) deidentifyContent(ctx context.Context, c call, req *dlppb.DeidentifyContentRequest) (*dlppb.DeidentifyContentResponse, error) {
	data := journal.DLPData{Transport: c.transport, Text: req.GetItem().GetValue(), Parent: req.GetParent()}
	resp, err := s.deidentify(ctx, c, req, &data)
	s.record(journal.KindDeidentify, c, &data, err)
	return resp, err
}

func (s *Server) inspect(ctx context.Context, c call, req *dlppb.InspectContentRequest, data *journal.DLPData) (*dlppb.InspectContentResponse, error) {
	if err := s.admit(ctx, "inspect", c, req.GetParent()); err != nil {
		return nil, err
	}
	if req.GetInspectTemplateName() != "" {
		return nil, errUnmodelled("inspect_template_name (stored templates)")
	}
	text, err := textItem(req.GetItem())
	if err != nil {
		return nil, err
	}
	want, err := s.wanted(req.GetInspectConfig(), nil)
	if err != nil {
		return nil, err
	}
	data.InfoTypes = want
	fs, truncated := s.findings(text, req.GetInspectConfig(), want, inspectLimit(req.GetInspectConfig().GetLimits()))
	data.Findings, data.Found = len(fs), found(fs)
	result := &dlppb.InspectResult{FindingsTruncated: truncated, Findings: make([]*dlppb.Finding, 0, len(fs))}
	now := timestamppb.New(s.clock.Now())
	var at codepoints
	for _, f := range fs {
		result.Findings = append(result.Findings, s.shape(text, f, req.GetInspectConfig(), now, &at))
	}
	return &dlppb.InspectContentResponse{Result: result}, nil
}

func (s *Server) deidentify(ctx context.Context, c call, req *dlppb.DeidentifyContentRequest, data *journal.DLPData) (*dlppb.DeidentifyContentResponse, error) {
	if err := s.admit(ctx, "deidentify", c, req.GetParent()); err != nil {
		return nil, err
	}
	if req.GetInspectTemplateName() != "" {
		return nil, errUnmodelled("inspect_template_name (stored templates)")
	}
	if req.GetDeidentifyTemplateName() != "" {
		return nil, errUnmodelled("deidentify_template_name (stored templates)")
	}
	text, err := textItem(req.GetItem())
	if err != nil {
		return nil, err
	}
	cfg := req.GetDeidentifyConfig()
	if cfg == nil {
		return nil, status.Error(codes.InvalidArgument, "deidentify_config or deidentify_template_name must be set.")
	}
	var rules []*dlppb.InfoTypeTransformations_InfoTypeTransformation
	switch t := cfg.GetTransformation().(type) {
	case *dlppb.DeidentifyConfig_InfoTypeTransformations:
		rules = t.InfoTypeTransformations.GetTransformations()
	case nil:
		return nil, status.Error(codes.InvalidArgument, "DeidentifyConfig must specify a transformation.")
	default:
		return nil, errUnmodelled(fmt.Sprintf("deidentify_config of type %T", t))
	}
	if len(rules) == 0 {
		return nil, status.Error(codes.InvalidArgument, "InfoTypeTransformations must contain at least one transformation.")
	}
	if cfg.GetTransformationErrorHandling() != nil {
		// Every modelled transformation succeeds on text, so the handling mode never matters.
		s.log.Debug("dlp: transformation_error_handling accepted and ignored")
	}
	claimed := map[string]int{}
	var ruleTypes []string
	noNames := false
	for i, r := range rules {
		if err := checkPrimitive(r.GetPrimitiveTransformation(), fmt.Sprintf("transformations[%d].primitive_transformation", i)); err != nil {
			return nil, err
		}
		if len(r.GetInfoTypes()) == 0 {
			noNames = true
		}
		for _, it := range r.GetInfoTypes() {
			if err := checkInfoTypeName(it.GetName()); err != nil {
				return nil, err
			}
			if prev, dup := claimed[it.GetName()]; dup {
				return nil, status.Errorf(codes.InvalidArgument,
					"InfoType %s is specified in transformations[%d] and transformations[%d]; an InfoType may have only one transformation.",
					it.GetName(), prev, i)
			}
			claimed[it.GetName()] = i
			ruleTypes = append(ruleTypes, it.GetName())
		}
	}
	ic := req.GetInspectConfig()
	if noNames && len(ic.GetInfoTypes()) == 0 && len(ic.GetCustomInfoTypes()) == 0 {
		// The real service's words, from GoogleCloudPlatform/python-docs-samples#1513.
		return nil, status.Error(codes.InvalidArgument, "Request contains no InfoTypes or CustomInfoTypes, however an "+
			"InfoTypeTransformation was included that had no InfoType name included. You must specify InfoTypes or "+
			"CustomInfoTypes within InspectConfig in this case so that Cloud DLP can determine what to inspect for.")
	}
	want, err := s.wanted(ic, ruleTypes)
	if err != nil {
		return nil, err
	}
	data.InfoTypes = want
	fs, _ := s.findings(text, ic, want, -1) // finding limits are "not used for de-identification"
	ruleFor := func(infoType string) int {
		if i, ok := claimed[infoType]; ok {
			return i
		}
		for i, r := range rules {
			if len(r.GetInfoTypes()) == 0 {
				return i
			}
		}
		return -1
	}
	var applied []finding
	for _, f := range fs {
		if ruleFor(f.infoType) >= 0 {
			applied = append(applied, f)
		}
	}
	applied = resolveOverlaps(applied)
	data.Findings, data.Found = len(applied), found(applied)

	type key struct {
		rule     int
		infoType string
	}
	summaries := map[key]*dlppb.TransformationSummary{}
	var order []key
	var b strings.Builder
	last := 0
	var total int64
	for _, f := range applied {
		ri := ruleFor(f.infoType)
		p := rules[ri].GetPrimitiveTransformation()
		quote := text[f.start:f.end]
		b.WriteString(text[last:f.start])
		b.WriteString(apply(p, f.infoType, quote))
		last = f.end
		k := key{ri, f.infoType}
		sm := summaries[k]
		if sm == nil {
			sm = &dlppb.TransformationSummary{
				InfoType:       &dlppb.InfoType{Name: f.infoType},
				Transformation: p,
				Results:        []*dlppb.TransformationSummary_SummaryResult{{Code: dlppb.TransformationSummary_SUCCESS}},
			}
			summaries[k] = sm
			order = append(order, k)
		}
		sm.Results[0].Count++
		sm.TransformedBytes += int64(len(quote))
		total += int64(len(quote))
	}
	b.WriteString(text[last:])
	data.Result = b.String()
	overview := &dlppb.TransformationOverview{TransformedBytes: total}
	for _, k := range order {
		overview.TransformationSummaries = append(overview.TransformationSummaries, summaries[k])
	}
	return &dlppb.DeidentifyContentResponse{
		Item:     &dlppb.ContentItem{DataItem: &dlppb.ContentItem_Value{Value: data.Result}},
		Overview: overview,
	}, nil
}

// admit applies faults and checks what every content call must carry.
func (s *Server) admit(ctx context.Context, method string, c call, parent string) error {
	if err := s.fault(ctx, method); err != nil {
		return err
	}
	if c.size > MaxRequestBytes {
		return errTooLarge
	}
	if !validParent(parent) {
		return status.Errorf(codes.InvalidArgument,
			"Invalid parent %q: it must be projects/PROJECT_ID or projects/PROJECT_ID/locations/LOCATION_ID.", parent)
	}
	return nil
}

// validParent accepts projects/* and projects/*/locations/*, the two forms of the content methods' HTTP
// bindings; DLP serves any project the caller may use, so any id is accepted.
func validParent(p string) bool {
	parts := strings.Split(p, "/")
	ok := func(seg string) bool { return seg != "" && !strings.ContainsAny(seg, " ?#:") }
	switch len(parts) {
	case 2:
		return parts[0] == "projects" && ok(parts[1])
	case 4:
		return parts[0] == "projects" && ok(parts[1]) && parts[2] == "locations" && ok(parts[3])
	}
	return false
}

func textItem(item *dlppb.ContentItem) (string, error) {
	switch v := item.GetDataItem().(type) {
	case *dlppb.ContentItem_Value:
		if !utf8.ValidString(v.Value) {
			return "", status.Error(codes.InvalidArgument, "Content item value is not valid UTF-8.")
		}
		return v.Value, nil
	case nil:
		return "", status.Error(codes.InvalidArgument, "A content item must be specified.")
	default:
		return "", errUnmodelled(fmt.Sprintf("content item of type %T", v))
	}
}

func checkInfoTypeName(name string) error {
	if name == "" {
		return status.Error(codes.InvalidArgument, "InfoType name cannot be empty.")
	}
	if !knownInfoType(name) {
		return status.Errorf(codes.InvalidArgument, "Invalid built-in info type name %q.", name)
	}
	return nil
}

// wanted is the list of info types to look for: the inspect config's, or every modelled one when it names
// none (the service then "chooses what detectors to run").
func (s *Server) wanted(ic *dlppb.InspectConfig, extra []string) ([]string, error) {
	if len(ic.GetCustomInfoTypes()) > 0 {
		return nil, errUnmodelled("inspect_config.custom_info_types")
	}
	if len(ic.GetRuleSet()) > 0 {
		return nil, errUnmodelled("inspect_config.rule_set")
	}
	for _, pl := range ic.GetMinLikelihoodPerInfoType() {
		if err := checkInfoTypeName(pl.GetInfoType().GetName()); err != nil {
			return nil, err
		}
	}
	for _, l := range ic.GetLimits().GetMaxFindingsPerInfoType() {
		if err := checkInfoTypeName(l.GetInfoType().GetName()); err != nil {
			return nil, err
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, it := range ic.GetInfoTypes() {
		if err := checkInfoTypeName(it.GetName()); err != nil {
			return nil, err
		}
		if !seen[it.GetName()] {
			seen[it.GetName()] = true
			out = append(out, it.GetName())
		}
	}
	if len(out) == 0 {
		if len(extra) > 0 {
			return dedupe(extra), nil
		}
		return append([]string(nil), Modelled...), nil
	}
	return out, nil
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// inspectLimit is how many findings content:inspect may return: max_findings_per_request when set and
// lower than the service's MaxFindingsPerRequest, which applies otherwise. max_findings_per_item is
// ignored in a content request (the FindingLimits reference). The real limit is not hard ("the inspection
// ends gradually"); the mock stops exactly at it.
func inspectLimit(l *dlppb.InspectConfig_FindingLimits) int {
	if r := int(l.GetMaxFindingsPerRequest()); r > 0 && r < MaxFindingsPerRequest {
		return r
	}
	return MaxFindingsPerRequest
}

// findings detects, then keeps what was asked for at or above the minimum likelihood. A limit of 0 or
// more applies the inspect config's limits, with limit findings at most; -1 applies none, as
// de-identification does.
func (s *Server) findings(text string, ic *dlppb.InspectConfig, want []string, limit int) ([]finding, bool) {
	wantSet := map[string]bool{}
	for _, w := range want {
		wantSet[w] = true
	}
	minL := ic.GetMinLikelihood()
	if minL == dlppb.Likelihood_LIKELIHOOD_UNSPECIFIED {
		minL = dlppb.Likelihood_POSSIBLE // the documented default
	}
	per := map[string]dlppb.Likelihood{}
	for _, pl := range ic.GetMinLikelihoodPerInfoType() {
		per[pl.GetInfoType().GetName()] = pl.GetMinLikelihood()
	}
	perMax := map[string]int{}
	if limit >= 0 {
		for _, l := range ic.GetLimits().GetMaxFindingsPerInfoType() {
			perMax[l.GetInfoType().GetName()] = int(l.GetMaxFindings())
		}
	}
	var out []finding
	count := map[string]int{}
	truncated := false
	for _, f := range detect(text) {
		if !wantSet[f.infoType] {
			continue
		}
		m := minL
		if l, ok := per[f.infoType]; ok && l != dlppb.Likelihood_LIKELIHOOD_UNSPECIFIED {
			m = l
		}
		if f.likelihood < m {
			continue
		}
		if n, ok := perMax[f.infoType]; ok && n > 0 && count[f.infoType] >= n {
			truncated = true
			continue
		}
		if limit >= 0 && len(out) >= limit {
			truncated = true
			break // nothing after this could be returned
		}
		count[f.infoType]++
		out = append(out, f)
	}
	return out, truncated
}

// resolveOverlaps keeps one finding per span for de-identification: the longer one, then the more
// likely, then the earlier in detection order (the specific SPAIN_DNI_NUMBER before the general
// SPAIN_NIF_NUMBER).
func resolveOverlaps(fs []finding) []finding {
	idx := make([]int, len(fs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		fa, fb := fs[idx[a]], fs[idx[b]]
		if la, lb := fa.end-fa.start, fb.end-fb.start; la != lb {
			return la > lb
		}
		if fa.likelihood != fb.likelihood {
			return fa.likelihood > fb.likelihood
		}
		return idx[a] < idx[b]
	})
	var keep []finding
	end := 0
	for _, f := range fs {
		end = max(end, f.end)
	}
	taken := make([]bool, end)
	for _, i := range idx {
		if f := fs[i]; claim(taken, f.start, f.end) {
			keep = append(keep, f)
		}
	}
	sort.Slice(keep, func(a, b int) bool { return keep[a].start < keep[b].start })
	return keep
}

func found(fs []finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.infoType)
	}
	return dedupe(out)
}

// codepoints converts byte offsets of one text to code-point offsets for offsets that do not go
// backwards, counting each byte once over all the findings: counting from the start of the text for each
// finding made a response quadratic in its findings.
type codepoints struct {
	byteOff int
	cpOff   int64
}

// at is the code-point offset of byte offset b of text.
func (c *codepoints) at(text string, b int) int64 {
	if b < c.byteOff { // not expected (findings are in order of start); correct all the same
		*c = codepoints{}
	}
	c.cpOff += int64(utf8.RuneCountInString(text[c.byteOff:b]))
	c.byteOff = b
	return c.cpOff
}

// shape builds the Finding as the API returns it: byte and code-point ranges, the quote only when asked.
// at carries the code-point count from one finding of text to the next.
func (s *Server) shape(text string, f finding, ic *dlppb.InspectConfig, now *timestamppb.Timestamp, at *codepoints) *dlppb.Finding {
	cpStart := at.at(text, f.start)
	cpEnd := cpStart + int64(utf8.RuneCountInString(text[f.start:f.end]))
	out := &dlppb.Finding{
		InfoType:   &dlppb.InfoType{Name: f.infoType},
		Likelihood: f.likelihood,
		Location: &dlppb.Location{
			ByteRange:      &dlppb.Range{Start: int64(f.start), End: int64(f.end)},
			CodepointRange: &dlppb.Range{Start: cpStart, End: cpEnd},
		},
		CreateTime: now,
	}
	if ic.GetIncludeQuote() {
		out.Quote = text[f.start:f.end]
	}
	if ic.GetExcludeInfoTypes() {
		out.InfoType = nil
	}
	return out
}
