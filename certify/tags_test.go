package certify

import "testing"

func TestParseTags(t *testing.T) {
	tags := []string{"@journey", "@WA-OPTOUT-01", "@WA-MKT-01"}
	tests := []struct {
		expr string
		want bool
	}{
		{"", true},
		{"@WA-OPTOUT-01", true},
		{"@GDPR-ERASE-01", false},
		{"@GDPR-ERASE-01 or @WA-MKT-01", true},
		{"@GDPR-ERASE-01,@WA-MKT-01", true},
		{"@journey and not @WA-MKT-01", false},
		{"@journey && ~@wip", true},
		{"not (@a or @b) and @journey", true},
		{"!@journey || @WA-MKT-01", true},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			e, err := ParseTags(tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			if got := e.Match(tags); got != tc.want {
				t.Errorf("match = %t, want %t", got, tc.want)
			}
		})
	}
	for _, bad := range []string{"journey", "@a and", "(@a", "@a )"} {
		if _, err := ParseTags(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
