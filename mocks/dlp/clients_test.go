package dlp_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	dlpapi "cloud.google.com/go/dlp/apiv2"
	"cloud.google.com/go/dlp/apiv2/dlppb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/dlp"
	"github.com/parley-dev/parley/pii"
)

// clients returns the official client over gRPC and over REST, both pointed at s.
func clients(t testing.TB, s *dlp.Server) map[string]*dlpapi.Client {
	t.Helper()
	ctx := context.Background()
	g, err := dlpapi.NewClient(ctx, option.WithEndpoint(s.Addr()), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	r, err := dlpapi.NewRESTClient(ctx, option.WithEndpoint(s.URL()), option.WithoutAuthentication())
	if err != nil {
		t.Fatalf("NewRESTClient: %v", err)
	}
	t.Cleanup(func() { _ = g.Close(); _ = r.Close() })
	return map[string]*dlpapi.Client{"grpc": g, "rest": r}
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func infoTypes(names ...string) []*dlppb.InfoType {
	var out []*dlppb.InfoType
	for _, n := range names {
		out = append(out, &dlppb.InfoType{Name: n})
	}
	return out
}

func deidRequest(parent, text string, inspect []string, p *dlppb.PrimitiveTransformation) *dlppb.DeidentifyContentRequest {
	return &dlppb.DeidentifyContentRequest{
		Parent: parent,
		DeidentifyConfig: &dlppb.DeidentifyConfig{Transformation: &dlppb.DeidentifyConfig_InfoTypeTransformations{
			InfoTypeTransformations: &dlppb.InfoTypeTransformations{Transformations: []*dlppb.InfoTypeTransformations_InfoTypeTransformation{
				{PrimitiveTransformation: p},
			}},
		}},
		InspectConfig: &dlppb.InspectConfig{InfoTypes: infoTypes(inspect...)},
		Item:          &dlppb.ContentItem{DataItem: &dlppb.ContentItem_Value{Value: text}},
	}
}

var (
	replaceWithInfoType = &dlppb.PrimitiveTransformation{Transformation: &dlppb.PrimitiveTransformation_ReplaceWithInfoTypeConfig{
		ReplaceWithInfoTypeConfig: &dlppb.ReplaceWithInfoTypeConfig{}}}
	redact = &dlppb.PrimitiveTransformation{Transformation: &dlppb.PrimitiveTransformation_RedactConfig{
		RedactConfig: &dlppb.RedactConfig{}}}
)

func replaceWith(v string) *dlppb.PrimitiveTransformation {
	return &dlppb.PrimitiveTransformation{Transformation: &dlppb.PrimitiveTransformation_ReplaceConfig{
		ReplaceConfig: &dlppb.ReplaceValueConfig{NewValue: &dlppb.Value{Type: &dlppb.Value_StringValue{StringValue: v}}}}}
}

func maskWith(ch string, n int32, reverse bool, skip string) *dlppb.PrimitiveTransformation {
	c := &dlppb.CharacterMaskConfig{MaskingCharacter: ch, NumberToMask: n, ReverseOrder: reverse}
	if skip != "" {
		c.CharactersToIgnore = []*dlppb.CharsToIgnore{{Characters: &dlppb.CharsToIgnore_CharactersToSkip{CharactersToSkip: skip}}}
	}
	return &dlppb.PrimitiveTransformation{Transformation: &dlppb.PrimitiveTransformation_CharacterMaskConfig{CharacterMaskConfig: c}}
}

const spanish = "Hola, soy Lucía Fernández, mi DNI es 12.345.678-Z y mi móvil +34 612 34 56 78. Escribidme a lucia.fdez@example.com"

func TestDeidentifyOfficialClients(t *testing.T) {
	tests := []struct {
		name      string
		text      string
		inspect   []string
		transform *dlppb.PrimitiveTransformation
		want      string
		summaries map[string]int64 // info type → findings transformed
	}{
		{
			name: "replace with info type", text: spanish,
			inspect:   []string{"PERSON_NAME", "SPAIN_DNI_NUMBER", "PHONE_NUMBER", "EMAIL_ADDRESS"},
			transform: replaceWithInfoType,
			want:      "Hola, soy [PERSON_NAME], mi DNI es [SPAIN_DNI_NUMBER] y mi móvil [PHONE_NUMBER]. Escribidme a [EMAIL_ADDRESS]",
			summaries: map[string]int64{"PERSON_NAME": 1, "SPAIN_DNI_NUMBER": 1, "PHONE_NUMBER": 1, "EMAIL_ADDRESS": 1},
		},
		{
			name: "nif covers dni and nie", text: "DNI 12345678Z, NIE x1234567l",
			inspect: []string{"SPAIN_NIF_NUMBER"}, transform: replaceWithInfoType,
			want: "DNI [SPAIN_NIF_NUMBER], NIE [SPAIN_NIF_NUMBER]", summaries: map[string]int64{"SPAIN_NIF_NUMBER": 2},
		},
		{
			name: "dni preferred over nif on the same span", text: "DNI 12345678Z",
			inspect: []string{"SPAIN_NIF_NUMBER", "SPAIN_DNI_NUMBER"}, transform: replaceWithInfoType,
			want: "DNI [SPAIN_DNI_NUMBER]", summaries: map[string]int64{"SPAIN_DNI_NUMBER": 1},
		},
		{
			name: "mask all but last four skipping dashes", text: "Cobradme con la tarjeta 4111-1111-1111-1111, gracias",
			inspect: []string{"CREDIT_CARD_NUMBER"}, transform: maskWith("*", -4, false, "-"),
			want: "Cobradme con la tarjeta ****-****-****-1111, gracias", summaries: map[string]int64{"CREDIT_CARD_NUMBER": 1},
		},
		{
			name: "mask reverse keeps first four", text: "tarjeta 4111-1111-1111-1111",
			inspect: []string{"CREDIT_CARD_NUMBER"}, transform: maskWith("*", -4, true, "-"),
			want: "tarjeta 4111-****-****-****", summaries: map[string]int64{"CREDIT_CARD_NUMBER": 1},
		},
		{
			name: "mask default character everything", text: "IBAN ES91 2100 0418 4502 0005 1332.",
			inspect: []string{"IBAN_CODE"}, transform: maskWith("", 0, false, " "),
			want: "IBAN **** **** **** **** **** ****.", summaries: map[string]int64{"IBAN_CODE": 1},
		},
		{
			name: "redact", text: "Mi correo es ana@example.com.",
			inspect: []string{"EMAIL_ADDRESS"}, transform: redact,
			want: "Mi correo es .", summaries: map[string]int64{"EMAIL_ADDRESS": 1},
		},
		{
			name: "replace with a value", text: "Mi NIE es X-1234567-L",
			inspect: []string{"SPAIN_NIE_NUMBER"}, transform: replaceWith("[oculto]"),
			want: "Mi NIE es [oculto]", summaries: map[string]int64{"SPAIN_NIE_NUMBER": 1},
		},
		{
			name: "nothing found", text: "Quiero saber dónde está mi pedido 123456789012",
			inspect: []string{"CREDIT_CARD_NUMBER", "PHONE_NUMBER"}, transform: replaceWithInfoType,
			want: "Quiero saber dónde está mi pedido 123456789012", summaries: map[string]int64{},
		},
		{
			name: "ssn and passport", text: "NUSS 28 12345678 40 y pasaporte PAA123456",
			inspect: []string{"SPAIN_SOCIAL_SECURITY_NUMBER", "SPAIN_PASSPORT"}, transform: replaceWithInfoType,
			want:      "NUSS [SPAIN_SOCIAL_SECURITY_NUMBER] y pasaporte [SPAIN_PASSPORT]",
			summaries: map[string]int64{"SPAIN_SOCIAL_SECURITY_NUMBER": 1, "SPAIN_PASSPORT": 1},
		},
	}
	j := journal.New(nil)
	s := dlp.RunT(t, dlp.WithJournal(j))
	for transport, c := range clients(t, s) {
		for _, tt := range tests {
			t.Run(transport+"/"+tt.name, func(t *testing.T) {
				seq := j.Last()
				resp, err := c.DeidentifyContent(ctxT(t), deidRequest("projects/demo/locations/europe-west1", tt.text, tt.inspect, tt.transform))
				if err != nil {
					t.Fatalf("DeidentifyContent: %v", err)
				}
				if got := resp.GetItem().GetValue(); got != tt.want {
					t.Errorf("value = %q, want %q", got, tt.want)
				}
				var total int64
				got := map[string]int64{}
				for _, sm := range resp.GetOverview().GetTransformationSummaries() {
					got[sm.GetInfoType().GetName()] += sm.GetResults()[0].GetCount()
					if sm.GetResults()[0].GetCode() != dlppb.TransformationSummary_SUCCESS {
						t.Errorf("summary code = %v", sm.GetResults()[0].GetCode())
					}
					if !proto.Equal(sm.GetTransformation(), tt.transform) {
						t.Errorf("summary transformation = %v, want %v", sm.GetTransformation(), tt.transform)
					}
					total += sm.GetTransformedBytes()
				}
				if len(got) != len(tt.summaries) {
					t.Errorf("summaries = %v, want %v", got, tt.summaries)
				}
				for k, v := range tt.summaries {
					if got[k] != v {
						t.Errorf("summary %s count = %d, want %d", k, got[k], v)
					}
				}
				if resp.GetOverview().GetTransformedBytes() != total {
					t.Errorf("overview transformedBytes %d != sum of summaries %d", resp.GetOverview().GetTransformedBytes(), total)
				}
				if wantBytes := int64(len(tt.text) - len(tt.want)); tt.transform == redact && total != wantBytes {
					t.Errorf("redact transformedBytes = %d, want %d", total, wantBytes)
				}
				evs := j.After(seq)
				if len(evs) != 1 || evs[0].Kind != journal.KindDeidentify {
					t.Fatalf("journal after call = %+v", evs)
				}
				var d journal.DLPData
				if err := evs[0].Decode(&d); err != nil {
					t.Fatal(err)
				}
				if d.Transport != transport || d.Text != tt.text || d.Result != tt.want || d.Parent != "projects/demo/locations/europe-west1" {
					t.Errorf("journal data = %+v", d)
				}
				var n int64
				for _, v := range tt.summaries {
					n += v
				}
				if int64(d.Findings) != n {
					t.Errorf("journal findings = %d, want %d", d.Findings, n)
				}
			})
		}
	}
}

func TestInspectOfficialClients(t *testing.T) {
	s := dlp.RunT(t)
	for transport, c := range clients(t, s) {
		t.Run(transport, func(t *testing.T) {
			resp, err := c.InspectContent(ctxT(t), &dlppb.InspectContentRequest{
				Parent:        "projects/demo",
				InspectConfig: &dlppb.InspectConfig{IncludeQuote: true},
				Item:          &dlppb.ContentItem{DataItem: &dlppb.ContentItem_Value{Value: spanish}},
			})
			if err != nil {
				t.Fatalf("InspectContent: %v", err)
			}
			type want struct {
				infoType, quote string
				l               dlppb.Likelihood
			}
			wants := []want{
				{"PERSON_NAME", "Lucía Fernández", dlppb.Likelihood_LIKELY},
				{"SPAIN_DNI_NUMBER", "12.345.678-Z", dlppb.Likelihood_VERY_LIKELY},
				{"SPAIN_NIF_NUMBER", "12.345.678-Z", dlppb.Likelihood_VERY_LIKELY},
				{"PHONE_NUMBER", "+34 612 34 56 78", dlppb.Likelihood_LIKELY},
				{"EMAIL_ADDRESS", "lucia.fdez@example.com", dlppb.Likelihood_VERY_LIKELY},
			}
			fs := resp.GetResult().GetFindings()
			if len(fs) != len(wants) {
				t.Fatalf("findings = %v", fs)
			}
			for i, f := range fs {
				w := wants[i]
				if f.GetInfoType().GetName() != w.infoType || f.GetQuote() != w.quote || f.GetLikelihood() != w.l {
					t.Errorf("finding %d = %s %q %v, want %+v", i, f.GetInfoType().GetName(), f.GetQuote(), f.GetLikelihood(), w)
				}
				b := strings.Index(spanish, w.quote)
				br, cr := f.GetLocation().GetByteRange(), f.GetLocation().GetCodepointRange()
				if br.GetStart() != int64(b) || br.GetEnd() != int64(b+len(w.quote)) {
					t.Errorf("%s byteRange = %v, want [%d,%d)", w.infoType, br, b, b+len(w.quote))
				}
				cs := int64(utf8.RuneCountInString(spanish[:b]))
				if cr.GetStart() != cs || cr.GetEnd() != cs+int64(utf8.RuneCountInString(w.quote)) {
					t.Errorf("%s codepointRange = %v", w.infoType, cr)
				}
				if !f.GetCreateTime().AsTime().Equal(journal.DefaultStart) {
					t.Errorf("createTime = %v, want the simulated clock", f.GetCreateTime().AsTime())
				}
			}
			// Byte and code-point ranges differ after the accents: the name starts at 10 either way but ends
			// at byte 27 and code point 25.
			if n := fs[0].GetLocation(); n.GetByteRange().GetEnd() != 27 || n.GetCodepointRange().GetEnd() != 25 {
				t.Errorf("name location = %v", n)
			}
		})
	}
}

func TestInspectOptions(t *testing.T) {
	text := "Soy Ana, mi móvil 612345678 y mi tarjeta 4111 1111 1111 1111, CVV 123"
	tests := []struct {
		name  string
		cfg   *dlppb.InspectConfig
		want  []string
		quote bool
		trunc bool
	}{
		{"default possible", &dlppb.InspectConfig{}, []string{"PERSON_NAME", "PHONE_NUMBER", "CREDIT_CARD_NUMBER", "CVV_NUMBER"}, false, false},
		{"min likely drops possible", &dlppb.InspectConfig{MinLikelihood: dlppb.Likelihood_LIKELY},
			[]string{"PERSON_NAME", "PHONE_NUMBER", "CREDIT_CARD_NUMBER"}, false, false},
		{"min very likely", &dlppb.InspectConfig{MinLikelihood: dlppb.Likelihood_VERY_LIKELY}, []string{"CREDIT_CARD_NUMBER"}, false, false},
		{"per info type", &dlppb.InspectConfig{InfoTypes: infoTypes("PHONE_NUMBER", "CREDIT_CARD_NUMBER"),
			MinLikelihoodPerInfoType: []*dlppb.InspectConfig_InfoTypeLikelihood{{InfoType: &dlppb.InfoType{Name: "PHONE_NUMBER"}, MinLikelihood: dlppb.Likelihood_VERY_LIKELY}}},
			[]string{"CREDIT_CARD_NUMBER"}, false, false},
		{"include quote", &dlppb.InspectConfig{InfoTypes: infoTypes("PHONE_NUMBER"), IncludeQuote: true}, []string{"PHONE_NUMBER"}, true, false},
		{"max findings per request", &dlppb.InspectConfig{Limits: &dlppb.InspectConfig_FindingLimits{MaxFindingsPerRequest: 2}},
			[]string{"PERSON_NAME", "PHONE_NUMBER"}, false, true},
		{"max findings per item ignored in a content request", &dlppb.InspectConfig{Limits: &dlppb.InspectConfig_FindingLimits{MaxFindingsPerItem: 2}},
			[]string{"PERSON_NAME", "PHONE_NUMBER", "CREDIT_CARD_NUMBER", "CVV_NUMBER"}, false, false},
		{"max findings per info type", &dlppb.InspectConfig{InfoTypes: infoTypes("PHONE_NUMBER", "CREDIT_CARD_NUMBER"),
			Limits: &dlppb.InspectConfig_FindingLimits{MaxFindingsPerInfoType: []*dlppb.InspectConfig_FindingLimits_InfoTypeLimit{
				{InfoType: &dlppb.InfoType{Name: "CREDIT_CARD_NUMBER"}, MaxFindings: 0}, {InfoType: &dlppb.InfoType{Name: "PHONE_NUMBER"}, MaxFindings: 1}}}},
			[]string{"PHONE_NUMBER", "CREDIT_CARD_NUMBER"}, false, false},
		{"exclude info types", &dlppb.InspectConfig{InfoTypes: infoTypes("PHONE_NUMBER"), ExcludeInfoTypes: true}, []string{""}, false, false},
		{"accepted but never found", &dlppb.InspectConfig{InfoTypes: infoTypes("STREET_ADDRESS")}, nil, false, false},
		{"another country's identifiers accepted", &dlppb.InspectConfig{InfoTypes: infoTypes("UK_NATIONAL_INSURANCE_NUMBER", "UK_PASSPORT",
			"UK_DRIVERS_LICENSE_NUMBER", "UK_NATIONAL_HEALTH_SERVICE_NUMBER", "UK_TAXPAYER_REFERENCE")}, nil, false, false},
	}
	s := dlp.RunT(t)
	for transport, c := range clients(t, s) {
		for _, tt := range tests {
			t.Run(transport+"/"+tt.name, func(t *testing.T) {
				resp, err := c.InspectContent(ctxT(t), &dlppb.InspectContentRequest{Parent: "projects/p", InspectConfig: tt.cfg,
					Item: &dlppb.ContentItem{DataItem: &dlppb.ContentItem_Value{Value: text}}})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, f := range resp.GetResult().GetFindings() {
					got = append(got, f.GetInfoType().GetName())
					if (f.GetQuote() != "") != tt.quote {
						t.Errorf("quote %q, want quote=%v", f.GetQuote(), tt.quote)
					}
				}
				if strings.Join(got, ",") != strings.Join(tt.want, ",") {
					t.Errorf("info types = %v, want %v", got, tt.want)
				}
				if resp.GetResult().GetFindingsTruncated() != tt.trunc {
					t.Errorf("truncated = %v", resp.GetResult().GetFindingsTruncated())
				}
			})
		}
	}
}

func TestErrorsOfficialClients(t *testing.T) {
	big := strings.Repeat("a", dlp.MaxRequestBytes)
	tests := []struct {
		name string
		req  *dlppb.DeidentifyContentRequest
		code codes.Code
		msg  string
		kind string
	}{
		{"unknown info type", deidRequest("projects/p", "x", []string{"SPAIN_DNI"}, replaceWithInfoType),
			codes.InvalidArgument, `Invalid built-in info type name "SPAIN_DNI".`, journal.KindDLPRejected},
		{"missing item", func() *dlppb.DeidentifyContentRequest {
			r := deidRequest("projects/p", "x", []string{"EMAIL_ADDRESS"}, replaceWithInfoType)
			r.Item = nil
			return r
		}(), codes.InvalidArgument, "A content item must be specified.", journal.KindDLPRejected},
		{"no info types anywhere", deidRequest("projects/p", "x", nil, replaceWithInfoType),
			codes.InvalidArgument, "Request contains no InfoTypes or CustomInfoTypes", journal.KindDLPRejected},
		{"masking character too long", deidRequest("projects/p", "x", []string{"EMAIL_ADDRESS"}, maskWith("##", 0, false, "")),
			codes.InvalidArgument, "Masking character must be a single character", journal.KindDLPRejected},
		{"over the size limit", deidRequest("projects/p", big, []string{"EMAIL_ADDRESS"}, replaceWithInfoType),
			codes.InvalidArgument, "Request payload size exceeds the limit: 524288 bytes.", journal.KindDLPRejected},
		{"bad parent", deidRequest("organizations/1", "x", []string{"EMAIL_ADDRESS"}, replaceWithInfoType),
			codes.InvalidArgument, "Invalid parent", journal.KindDLPRejected},
		{"info type in two transformations", func() *dlppb.DeidentifyContentRequest {
			r := deidRequest("projects/p", "x", []string{"EMAIL_ADDRESS"}, replaceWithInfoType)
			t := r.GetDeidentifyConfig().GetInfoTypeTransformations()
			t.Transformations = []*dlppb.InfoTypeTransformations_InfoTypeTransformation{
				{InfoTypes: infoTypes("EMAIL_ADDRESS"), PrimitiveTransformation: replaceWithInfoType},
				{InfoTypes: infoTypes("EMAIL_ADDRESS"), PrimitiveTransformation: redact},
			}
			return r
		}(), codes.InvalidArgument, "an InfoType may have only one transformation", journal.KindDLPRejected},
		{"stored template", func() *dlppb.DeidentifyContentRequest {
			r := deidRequest("projects/p", "x", []string{"EMAIL_ADDRESS"}, replaceWithInfoType)
			r.DeidentifyTemplateName = "projects/p/deidentifyTemplates/t"
			return r
		}(), codes.Unimplemented, "deidentify_template_name", journal.KindUnmodelled},
		{"unmodelled transformation", deidRequest("projects/p", "x", []string{"EMAIL_ADDRESS"},
			&dlppb.PrimitiveTransformation{Transformation: &dlppb.PrimitiveTransformation_CryptoHashConfig{CryptoHashConfig: &dlppb.CryptoHashConfig{}}}),
			codes.Unimplemented, "does not model", journal.KindUnmodelled},
	}
	j := journal.New(nil)
	s := dlp.RunT(t, dlp.WithJournal(j))
	for transport, c := range clients(t, s) {
		for _, tt := range tests {
			t.Run(transport+"/"+tt.name, func(t *testing.T) {
				if transport == "rest" && tt.name == "bad parent" {
					t.Skip("the REST client puts the parent in the path; a bad one is a 404, tested in TestREST")
				}
				seq := j.Last()
				_, err := c.DeidentifyContent(ctxT(t), tt.req)
				st := status.Convert(err)
				if st.Code() != tt.code || !strings.Contains(st.Message(), tt.msg) {
					t.Fatalf("err = %v (%v), want %v containing %q", err, st.Code(), tt.code, tt.msg)
				}
				evs := j.After(seq)
				if len(evs) != 1 || evs[0].Kind != tt.kind {
					t.Fatalf("journal = %+v, want one %s", evs, tt.kind)
				}
			})
		}
	}
}

func TestFaults(t *testing.T) {
	for _, transport := range []string{"grpc", "rest"} {
		// A server and journal for each transport: the call that "latency cut by deadline" cuts ends on
		// the server some time after the client gave up, and is journalled then, which may be while the
		// next transport's subtests read the journal.
		j := journal.New(nil)
		s := dlp.RunT(t, dlp.WithJournal(j))
		c := clients(t, s)[transport]
		t.Run(transport+"/quota", func(t *testing.T) {
			if err := s.InjectFault(context.Background(), control.Fault{Method: "deidentify", Kind: "RESOURCE_EXHAUSTED", Count: 1}); err != nil {
				t.Fatal(err)
			}
			_, err := c.DeidentifyContent(ctxT(t), deidRequest("projects/p", "a@b.es", []string{"EMAIL_ADDRESS"}, replaceWithInfoType))
			if status.Code(err) != codes.ResourceExhausted || !strings.Contains(status.Convert(err).Message(), "Quota exceeded") {
				t.Fatalf("err = %v, want RESOURCE_EXHAUSTED", err)
			}
			// Count: 1 — the next call goes through.
			if _, err := c.DeidentifyContent(ctxT(t), deidRequest("projects/p", "a@b.es", []string{"EMAIL_ADDRESS"}, replaceWithInfoType)); err != nil {
				t.Fatalf("after the fault: %v", err)
			}
		})
		t.Run(transport+"/unavailable is retried by the client", func(t *testing.T) {
			seq := j.Last()
			if err := s.InjectFault(context.Background(), control.Fault{Kind: "UNAVAILABLE", Count: 1}); err != nil {
				t.Fatal(err)
			}
			resp, err := c.DeidentifyContent(ctxT(t), deidRequest("projects/p", "a@b.es", []string{"EMAIL_ADDRESS"}, replaceWithInfoType))
			if err != nil || resp.GetItem().GetValue() != "[EMAIL_ADDRESS]" {
				t.Fatalf("resp %v err %v; the official client retries UNAVAILABLE", resp, err)
			}
			var kinds []string
			for _, e := range j.After(seq) {
				kinds = append(kinds, e.Kind)
			}
			if strings.Join(kinds, ",") != "fault.set,dlp.rejected,deidentify" {
				t.Errorf("journal kinds = %v", kinds)
			}
		})
		t.Run(transport+"/latency cut by deadline", func(t *testing.T) {
			if err := s.InjectFault(context.Background(), control.Fault{Method: "inspect", Delay: control.MaxFaultDelay, Count: 1}); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			_, err := c.InspectContent(ctx, &dlppb.InspectContentRequest{Parent: "projects/p",
				Item: &dlppb.ContentItem{DataItem: &dlppb.ContentItem_Value{Value: "x"}}})
			if err == nil || !errors.Is(err, context.DeadlineExceeded) && status.Code(err) != codes.DeadlineExceeded {
				t.Fatalf("err = %v, want deadline exceeded", err)
			}
			_ = s.ClearFaults(context.Background())
			if fs, _ := s.Faults(context.Background()); len(fs) != 0 {
				t.Fatalf("faults left: %v", fs)
			}
		})
	}
	if err := dlp.RunT(t).InjectFault(context.Background(), control.Fault{Method: "bogus", Kind: "UNAVAILABLE"}); err == nil {
		t.Error("a fault on an unknown method was accepted")
	}
	if _, err := dlp.NewServer(dlp.WithFault(control.Fault{})); err == nil {
		t.Error("an empty fault was accepted")
	}
}

func TestUnmodelledRPC(t *testing.T) {
	j := journal.New(nil)
	s := dlp.RunT(t, dlp.WithJournal(j))
	for transport, c := range clients(t, s) {
		t.Run(transport, func(t *testing.T) {
			seq := j.Last()
			_, err := c.ListInfoTypes(ctxT(t), &dlppb.ListInfoTypesRequest{})
			want := codes.Unimplemented
			if transport == "rest" {
				want = codes.NotFound // an unknown REST path is a 404 on Google's front end
			}
			if status.Code(err) != want {
				t.Fatalf("err = %v, want %v", err, want)
			}
			evs := j.After(seq)
			if len(evs) != 1 || evs[0].Kind != journal.KindUnmodelled {
				t.Fatalf("journal = %+v", evs)
			}
		})
	}
}

func BenchmarkDeidentify(b *testing.B) {
	s := dlp.RunT(b)
	req := deidRequest("projects/p", spanish, []string{"PERSON_NAME", "SPAIN_DNI_NUMBER", "PHONE_NUMBER", "EMAIL_ADDRESS"}, replaceWithInfoType)
	for transport, c := range clients(b, s) {
		b.Run(transport, func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				if _, err := c.DeidentifyContent(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A message just under the size limit made of identifiers: every one is transformed (and the detectors
// stay linear in the number of findings).
func TestManyFindings(t *testing.T) {
	s := dlp.RunT(t)
	var b strings.Builder
	n := 0
	for b.Len() < dlp.MaxRequestBytes-2048 {
		b.WriteString(pii.MakeDNI(n*7919) + " ")
		n++
	}
	for transport, c := range clients(t, s) {
		t.Run(transport, func(t *testing.T) {
			resp, err := c.DeidentifyContent(ctxT(t), deidRequest("projects/p", b.String(), []string{"SPAIN_DNI_NUMBER"}, replaceWithInfoType))
			if err != nil {
				t.Fatal(err)
			}
			sm := resp.GetOverview().GetTransformationSummaries()
			if len(sm) != 1 || sm[0].GetResults()[0].GetCount() != int64(n) {
				t.Fatalf("summaries = %v, want one with count %d", sm, n)
			}
			if got := strings.Count(resp.GetItem().GetValue(), "[SPAIN_DNI_NUMBER]"); got != n {
				t.Errorf("%d replaced, want %d", got, n)
			}
		})
	}
}
