package audit

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"testing"
)

// TestFindCodesIsTheRegexp: the hand scanner finds exactly what the regular expression it replaces finds,
// on the codes businesses print and on random strings over the characters that matter at its edges.
func TestFindCodesIsTheRegexp(t *testing.T) {
	re := regexp.MustCompile(`\b[A-Z]{2,5}-\d{3,}\b`)
	cases := []string{
		"", "TE-1001", "Tu pedido TE-1001 llega mañana", "PED-771234, TE-1002 y XX-12",
		"ABCDEF-1234", "xTE-1001", "TE-1001a", "TE-1001-CD-456", "ÑTE-1001", "TE-1001ñ", "_TE-100",
		"A-1000", "AB-12", "AB--123", "-123", "AB-", "referencia: RC-2026-000123", "(TE-1001)",
	}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "ABZaz09-_ .ñ"
	for range 200000 {
		b := make([]rune, r.IntN(16))
		rs := []rune(alphabet)
		for i := range b {
			b[i] = rs[r.IntN(len(rs))]
		}
		cases = append(cases, string(b))
	}
	for _, c := range cases {
		want, got := re.FindAllString(c, -1), findCodes(c)
		if !slices.Equal(want, got) {
			t.Fatalf("findCodes(%q) = %q, the regexp finds %q", c, got, want)
		}
	}
}
