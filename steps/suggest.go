package steps

import (
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// fold lowers s and strips accents, so "Lucia" is close to "Lucía" and "telefono" to "teléfono".
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// distance is the Levenshtein distance between a and b, in runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// closest returns up to n candidates nearest to s (accents and case ignored), nearest first, leaving out
// those so far that they cannot be what was meant (more than half of the longer string differs).
func closest(s string, candidates []string, n int) []string {
	type scored struct {
		c string
		d int
	}
	fs := fold(s)
	var all []scored
	for _, c := range candidates {
		fc := fold(c)
		d := distance(fs, fc)
		if d*2 > max(len([]rune(fs)), len([]rune(fc))) {
			continue
		}
		all = append(all, scored{c, d})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].d < all[j].d })
	var out []string
	for _, s := range all {
		if len(out) == n {
			break
		}
		out = append(out, s.c)
	}
	return out
}
