package dlp

import (
	"errors"
	"testing"

	"cloud.google.com/go/dlp/apiv2/dlppb"
)

// The examples of CharacterMaskConfig in google/privacy/dlp/v2/dlp.proto, plus edge cases.
func TestMask(t *testing.T) {
	skip := func(s string) []*dlppb.CharsToIgnore {
		return []*dlppb.CharsToIgnore{{Characters: &dlppb.CharsToIgnore_CharactersToSkip{CharactersToSkip: s}}}
	}
	common := func(c dlppb.CharsToIgnore_CommonCharsToIgnore) []*dlppb.CharsToIgnore {
		return []*dlppb.CharsToIgnore{{Characters: &dlppb.CharsToIgnore_CommonCharactersToIgnore{CommonCharactersToIgnore: c}}}
	}
	tests := []struct {
		name string
		cfg  *dlppb.CharacterMaskConfig
		in   string
		want string
	}{
		{"proto: all but four", &dlppb.CharacterMaskConfig{MaskingCharacter: "*", NumberToMask: -4, CharactersToIgnore: skip("-")},
			"1234-5678-9012-3456", "****-****-****-3456"},
		{"proto: all but four reversed", &dlppb.CharacterMaskConfig{MaskingCharacter: "*", NumberToMask: -4, ReverseOrder: true, CharactersToIgnore: skip("-")},
			"1234-5678-9012-3456", "1234-****-****-****"},
		{"proto: fourteen with zero", &dlppb.CharacterMaskConfig{MaskingCharacter: "0", NumberToMask: 14},
			"1234-5678-9012-3456", "00000000000000-3456"},
		{"proto: three reversed", &dlppb.CharacterMaskConfig{MaskingCharacter: "*", NumberToMask: 3, ReverseOrder: true},
			"12345", "12***"},
		{"proto: five skipping dashes", &dlppb.CharacterMaskConfig{MaskingCharacter: "*", NumberToMask: 5, CharactersToIgnore: skip("-")},
			"555-555-5555", "***-**5-5555"},
		{"default everything", &dlppb.CharacterMaskConfig{}, "ana@b.es", "********"},
		{"more than the length", &dlppb.CharacterMaskConfig{NumberToMask: 99}, "abc", "***"},
		{"all but more than the length", &dlppb.CharacterMaskConfig{NumberToMask: -99}, "abc", "abc"},
		{"code points not bytes", &dlppb.CharacterMaskConfig{MaskingCharacter: "•", NumberToMask: 2}, "Lucía", "••cía"},
		{"ignore punctuation", &dlppb.CharacterMaskConfig{MaskingCharacter: "#", CharactersToIgnore: common(dlppb.CharsToIgnore_PUNCTUATION)},
			"12.345.678-Z", "##.###.###-#"},
		{"ignore numeric", &dlppb.CharacterMaskConfig{CharactersToIgnore: common(dlppb.CharsToIgnore_NUMERIC)}, "X1234567L", "*1234567*"},
		{"ignore upper", &dlppb.CharacterMaskConfig{CharactersToIgnore: common(dlppb.CharsToIgnore_ALPHA_UPPER_CASE)}, "Ab1", "A**"},
		{"ignore lower", &dlppb.CharacterMaskConfig{CharactersToIgnore: common(dlppb.CharsToIgnore_ALPHA_LOWER_CASE)}, "Ab1", "*b*"},
		{"ignore whitespace", &dlppb.CharacterMaskConfig{CharactersToIgnore: common(dlppb.CharsToIgnore_WHITESPACE)}, "612 34 56", "*** ** **"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mask(tt.cfg, tt.in); got != tt.want {
				t.Errorf("mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFindNames(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string // quotes
		l    []dlppb.Likelihood
	}{
		{"full spanish name", "Hola, soy Lucía Fernández López.", []string{"Lucía Fernández López"}, []dlppb.Likelihood{dlppb.Likelihood_LIKELY}},
		{"compound first name", "José Luis Martínez llamó", []string{"José Luis Martínez"}, []dlppb.Likelihood{dlppb.Likelihood_LIKELY}},
		{"connector de", "María del Carmen de Vega", []string{"María del Carmen de Vega"}, []dlppb.Likelihood{dlppb.Likelihood_LIKELY}},
		{"lone first name possible", "Gracias, Ana", []string{"Ana"}, []dlppb.Likelihood{dlppb.Likelihood_POSSIBLE}},
		{"lower case after cue", "me llamo ana garcía", []string{"ana garcía"}, []dlppb.Likelihood{dlppb.Likelihood_LIKELY}},
		{"english", "My name is John Smith", []string{"John Smith"}, []dlppb.Likelihood{dlppb.Likelihood_LIKELY}},
		{"lower case without cue", "ana quiere saber", nil, nil},
		{"surname alone", "García", nil, nil},
		{"trailing connector", "Pedro de Madrid", []string{"Pedro"}, []dlppb.Likelihood{dlppb.Likelihood_POSSIBLE}},
		{"two people", "Ana y Pedro Gómez", []string{"Ana", "Pedro Gómez"}, []dlppb.Likelihood{dlppb.Likelihood_POSSIBLE, dlppb.Likelihood_LIKELY}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := findNames(tt.text)
			if len(got) != len(tt.want) {
				t.Fatalf("findNames(%q) = %+v, want %q", tt.text, got, tt.want)
			}
			for i, f := range got {
				if q := tt.text[f.start:f.end]; q != tt.want[i] || f.likelihood != tt.l[i] || f.infoType != InfoPersonName {
					t.Errorf("finding %d = %q %v, want %q %v", i, q, f.likelihood, tt.want[i], tt.l[i])
				}
			}
		})
	}
}

func TestValidParent(t *testing.T) {
	for p, want := range map[string]bool{
		"projects/p": true, "projects/my-proj/locations/europe-west3": true, "projects/123/locations/global": true,
		"": false, "projects/": false, "projects/p/locations/": false, "organizations/1": false,
		"projects/p/locations/l/extra": false, "projects/a b": false,
	} {
		if got := validParent(p); got != want {
			t.Errorf("validParent(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestApplyReplaceValues(t *testing.T) {
	rv := func(v *dlppb.Value) *dlppb.PrimitiveTransformation {
		return &dlppb.PrimitiveTransformation{Transformation: &dlppb.PrimitiveTransformation_ReplaceConfig{
			ReplaceConfig: &dlppb.ReplaceValueConfig{NewValue: v}}}
	}
	tests := []struct {
		name string
		p    *dlppb.PrimitiveTransformation
		want string
	}{
		{"string", rv(&dlppb.Value{Type: &dlppb.Value_StringValue{StringValue: "XXX"}}), "XXX"},
		{"integer", rv(&dlppb.Value{Type: &dlppb.Value_IntegerValue{IntegerValue: -42}}), "-42"},
		{"boolean", rv(&dlppb.Value{Type: &dlppb.Value_BooleanValue{BooleanValue: true}}), "true"},
		{"float", rv(&dlppb.Value{Type: &dlppb.Value_FloatValue{FloatValue: 1.5}}), "1.5"},
		{"no value", rv(nil), ""},
		{"info type", &dlppb.PrimitiveTransformation{Transformation: &dlppb.PrimitiveTransformation_ReplaceWithInfoTypeConfig{}}, "[EMAIL_ADDRESS]"},
		{"redact", &dlppb.PrimitiveTransformation{Transformation: &dlppb.PrimitiveTransformation_RedactConfig{}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := checkPrimitive(tt.p, "t"); err != nil {
				t.Fatalf("checkPrimitive: %v", err)
			}
			if got := apply(tt.p, "EMAIL_ADDRESS", "a@b.es"); got != tt.want {
				t.Errorf("apply = %q, want %q", got, tt.want)
			}
		})
	}
	date := rv(&dlppb.Value{Type: &dlppb.Value_DateValue{}})
	var um *unmodelledError
	if err := checkPrimitive(date, "t"); err == nil || !errors.As(err, &um) {
		t.Errorf("a date replacement was accepted: %v", err)
	}
}
