package steps

import (
	"regexp"
	"strings"
	"testing"

	"github.com/parley-dev/parley/internal/golden"
)

// TestDocs: docs/steps.md is what Markdown generates from the registrations; -update rewrites it.
func TestDocs(t *testing.T) {
	golden.Assert(t, "../docs/steps.md", []byte(Markdown()))
}

// TestDefs: every regex is anchored and compiles; each example matches its own step and no other, in
// both languages, so no step is ambiguous; every step has a doc line.
func TestDefs(t *testing.T) {
	defs := Defs()
	for i, d := range defs {
		for _, re := range []string{d.EN, d.ES} {
			if !strings.HasPrefix(re, "^") || !strings.HasSuffix(re, "$") {
				t.Errorf("%q is not anchored", re)
			}
			regexp.MustCompile(re)
		}
		if d.Doc == "" || d.fn == nil {
			t.Errorf("%s: no doc or no function", d.ExEN)
		}
		for _, ex := range []string{d.ExEN, d.ExES} {
			m := Match(ex)
			if len(m) != 1 || m[0].EN != d.EN {
				var got []string
				for _, x := range m {
					got = append(got, x.EN)
				}
				t.Errorf("example %q (def %d) matches %d definitions: %q", ex, i, len(m), got)
			}
		}
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"typo", `"Lucía" sayss "hola"`, `"Lucía" says "BAJA"`},
		{"spanish typo", `"Lucía" recive una respuesta que contiene "x"`, `"Lucía" recibe una respuesta que contiene "TE-1001"`},
		{"missing word", `a customer "Ana" with phone "+34 600 000 003"`, `a customer "Lucía" with phone "+34 612 345 678" who speaks Spanish`},
		{"time", `25 hour pass`, `25 hours pass`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Suggest(tt.text, 3)
			if len(got) == 0 || got[0] != tt.want {
				t.Errorf("Suggest(%q) = %q, want %q first", tt.text, got, tt.want)
			}
		})
	}
}

func TestClosest(t *testing.T) {
	tests := []struct {
		name  string
		s     string
		cands []string
		want  []string
	}{
		{"accent", "Lucia", []string{"Mario", "Lucía"}, []string{"Lucía"}},
		{"case", "lucía", []string{"Lucía"}, []string{"Lucía"}},
		{"too far", "Xavier", []string{"Lucía", "Mario"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := closest(tt.s, tt.cands, 1)
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("closest(%q) = %q, want %q", tt.s, got, tt.want)
			}
		})
	}
}
