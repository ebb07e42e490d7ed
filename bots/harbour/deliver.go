package harbour

import (
	"context"
	"fmt"
	"time"
)

// deliver sends a turn's texts in order, then its export. A failed send is logged and ends the turn:
// sending what follows a lost message would read out of order.
func (a *Assistant) deliver(ctx context.Context, to string, tn *turn) {
	for _, body := range tn.out {
		if _, err := a.wa.text(ctx, to, body); err != nil {
			a.log.Warn("message not sent", "code", codeOf(err), "error", err)
			return
		}
	}
	if tn.export == nil {
		return
	}
	data, err := tn.export.encode()
	if err != nil {
		a.log.Error("export not encoded", "error", err)
		return
	}
	name := fmt.Sprintf("harbour-books-%s.json", tn.export.Case)
	if _, err := a.wa.document(ctx, to, name, fmt.Sprintf(tn.t.exportCaption, tn.export.Case), data); err != nil {
		a.log.Warn("export not sent", "code", codeOf(err), "error", err)
	}
}

// platformSaid acts on what WhatsApp reports about marketing to a customer: 131050 (the customer stopped
// marketing from the business, in WhatsApp) ends marketing to them; 131049 holds it for 24 hours.
func (a *Assistant) platformSaid(waID string, code int, at time.Time) {
	c, known := a.book.get(waID)
	if !known {
		return
	}
	switch code {
	case codeStopped:
		c.Stopped = true
	case codeUserLimit:
		c.HeldUntil = at.Add(24 * time.Hour)
	}
	a.book.put(c)
}
