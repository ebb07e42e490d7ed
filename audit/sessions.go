package audit

import (
	"cmp"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/parley-dev/parley/journal"
)

// link ties events to customers. WhatsApp and customer events name their customer; Dialogflow sessions
// are pseudonymous, so a session is tied to a customer when one of its queries carries a text that exactly
// one customer sent (verbatim, or as DLP returned it de-identified), and no query of it points at another
// customer. Every event of a tied session then belongs to that customer.
func (v *View) link() {
	// Every event's own customer, on every core, gathering by chunk the events the maps below are built
	// from, in sequence order.
	type found struct{ inbound, dlp, queries []*ev }
	const chunk = 1 << 14
	parts := make([]found, (len(v.evs)+chunk-1)/chunk)
	inChunks(len(v.evs), chunk, func(lo, hi int) {
		f := &parts[lo/chunk]
		for _, e := range v.evs[lo:hi] {
			switch {
			case e.isInbound():
				e.cust = e.Customer
				f.inbound = append(f.inbound, e)
			case e.isOutbound():
				e.cust = cmp.Or(e.Customer, e.out().WaID, e.out().To)
			case e.Kind == journal.KindStatusFailed && e.p != nil:
				e.cust = cmp.Or(e.Customer, e.status().Recipient)
			case e.Source == journal.SourceCustomer || e.Source == journal.SourceWhatsApp || e.Source == journal.SourceHarness:
				e.cust = e.Customer
			}
			if e.dlp() != nil {
				f.dlp = append(f.dlp, e)
			} else if e.di() != nil || e.ctxs() != nil {
				f.queries = append(f.queries, e)
			}
		}
	})
	const ambiguous = "\x00"
	var nIn, nDLP int
	for _, f := range parts {
		nIn, nDLP = nIn+len(f.inbound), nDLP+len(f.dlp)
	}
	// Sized up front: growing them a million entries at a time was a fifth of linking.
	texts := make(map[string]string, nIn) // inbound text → customer, or ambiguous
	for e := range allOf(parts, func(f found) []*ev { return f.inbound }) {
		if t := strings.TrimSpace(e.in().Text); t != "" && e.cust != "" {
			if c, ok := texts[t]; ok && c != e.cust {
				texts[t] = ambiguous
			} else {
				texts[t] = e.cust
			}
		}
	}
	byText := func(t string) string {
		if c := texts[strings.TrimSpace(t)]; c != ambiguous {
			return c
		}
		return ""
	}
	// The lookups below only read the maps built before them: they run on every core, part by part, and
	// only the maps' building is in sequence order.
	parallel(len(parts), func(k int) {
		for _, e := range parts[k].dlp {
			e.cust = byText(e.dlp().Text) // the DLP mock's own customer field is not a wa_id
		}
	})
	// Each query's customer by its text, kept in e.cust until its session's customer replaces it below;
	// a query whose text no message carried is tied by the de-identified texts DLP returned, whose map is
	// only built when some query needs it.
	missed := make([]bool, len(parts))
	parallel(len(parts), func(k int) {
		for _, e := range parts[k].queries {
			if d := e.di(); d != nil && d.SessionID != "" {
				e.cust = byText(d.Text)
				missed[k] = missed[k] || e.cust == ""
			}
		}
	})
	if slices.Contains(missed, true) {
		deid := make(map[string]string, nDLP) // DLP result → customer, or ambiguous
		for e := range allOf(parts, func(f found) []*ev { return f.dlp }) {
			d := e.dlp()
			r := strings.TrimSpace(d.Result)
			if r == "" || e.cust == "" {
				continue
			}
			if c, ok := deid[r]; ok && c != e.cust {
				deid[r] = ambiguous
			} else {
				deid[r] = e.cust
			}
		}
		parallel(len(parts), func(k int) {
			for _, e := range parts[k].queries {
				if d := e.di(); d != nil && d.SessionID != "" && e.cust == "" {
					if dc := deid[strings.TrimSpace(d.Text)]; dc != ambiguous {
						e.cust = dc
					}
				}
			}
		})
	}
	conflict := map[string]bool{}
	for e := range allOf(parts, func(f found) []*ev { return f.queries }) {
		d := e.di()
		if d == nil || d.SessionID == "" {
			continue
		}
		c := e.cust
		if c == "" {
			continue
		}
		if prev, ok := v.sessions[d.SessionID]; ok && prev != c {
			conflict[d.SessionID] = true
		}
		v.sessions[d.SessionID] = c
	}
	for s := range conflict {
		delete(v.sessions, s)
	}
	if len(conflict) > 0 {
		v.problem(fmt.Sprintf("%d Dialogflow sessions carry texts of more than one customer; they were not tied to a customer (WA-XCUST-01 territory: check them by hand)", len(conflict)))
	}
	untiedIn := make([]int, len(parts))
	parallel(len(parts), func(k int) {
		for _, e := range parts[k].queries {
			var sid string
			if d := e.di(); d != nil {
				sid = d.SessionID
			} else if c := e.ctxs(); c != nil {
				sid = c.SessionID
			} else {
				continue
			}
			e.cust = v.sessions[sid]
			if e.cust == "" && e.Kind == journal.KindDetectIntent {
				untiedIn[k]++
			}
		}
	})
	untied := 0
	for _, n := range untiedIn {
		untied += n
	}
	if untied > 0 {
		v.problem(fmt.Sprintf("%d Dialogflow queries could not be tied to a customer (no unambiguous matching message); customer-specific rules did not judge them", untied))
	}
}

// allOf yields, in order, the events each part holds.
func allOf[P any](parts []P, list func(P) []*ev) iter.Seq[*ev] {
	return func(yield func(*ev) bool) {
		for _, p := range parts {
			for _, e := range list(p) {
				if !yield(e) {
					return
				}
			}
		}
	}
}
