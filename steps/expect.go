package steps

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/pii"
	"github.com/parley-dev/parley/report"
	"github.com/parley-dev/parley/sim"
)

// awaitContaining waits until a message the customer received since they last acted contains text.
func awaitContaining(ctx context.Context, s *scenarioState, c *sim.Customer, text string, limit time.Duration) (whatsapp.InboxMessage, error) {
	wctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	wa := s.env.World().WhatsApp
	for {
		inbox, err := wa.Inbox(wctx, c.WaID)
		if err != nil {
			return whatsapp.InboxMessage{}, err
		}
		for i := min(s.mark(c), len(inbox)); i < len(inbox); i++ {
			if sim.Contains(inbox[i], text) {
				s.setReply(c, &inbox[i])
				s.looked(c, i+1)
				return inbox[i], nil
			}
		}
		if _, err := wa.AwaitInbox(wctx, c.WaID, len(inbox)+1); err != nil {
			if ctx.Err() != nil {
				return whatsapp.InboxMessage{}, err // the scenario itself was stopped: no expectation failed
			}
			return whatsapp.InboxMessage{}, fmt.Errorf("%s\n%s", noneMentioned(langOf(ctx), c.Name, text, limit, inbox[min(s.mark(c), len(inbox)):]), transcript(context.WithoutCancel(ctx), c))
		}
	}
}

// noneMentioned is how a reply that never came reads: what the customer got instead, in their terms, not
// the poll that waited for it.
func noneMentioned(lang, name, text string, limit time.Duration, got []whatsapp.InboxMessage) string {
	switch len(got) {
	case 0:
		return fmt.Sprintf(pick(lang, "%s got no reply within %s; expected one mentioning %q",
			"%s no recibió ninguna respuesta en %s; se esperaba una que mencionara %q"), name, limit, text)
	case 1:
		return fmt.Sprintf(pick(lang, "%s got 1 reply within %s, which did not mention %q; it was: %s",
			"%s recibió 1 respuesta en %s, que no mencionaba %q; fue: %s"), name, limit, text, shown(lang, got[0]))
	}
	return fmt.Sprintf(pick(lang, "%s got %d replies within %s, none mentioned %q; the last was: %s",
		"%s recibió %d respuestas en %s, ninguna mencionaba %q; la última fue: %s"), name, len(got), limit, text, shown(lang, got[len(got)-1]))
}

// shown is a message as one line of a failure: its text (or template name) and the buttons it offered.
func shown(lang string, m whatsapp.InboxMessage) string {
	s := m.Text
	if m.Template != nil && s == "" {
		s = pick(lang, "template ", "plantilla ") + m.Template.Name
	}
	const most = 160
	if r := []rune(s); len(r) > most {
		s = string(r[:most]) + "…"
	}
	s = fmt.Sprintf("%q", strings.ReplaceAll(s, "\n", " "))
	if len(m.Buttons) > 0 {
		s += fmt.Sprintf(pick(lang, " with buttons %q", " con botones %q"), m.Buttons)
	}
	return s
}

// receivesReplyWithout checks what arrived since the customer's last look: at least one message, none
// containing text.
func receivesReplyWithout(ctx context.Context, name, text string) error {
	c, fresh, err := settledReplies(ctx, name)
	if err != nil {
		return err
	}
	if len(fresh) == 0 {
		return fmt.Errorf(words(ctx, "%s got no reply; expected one not mentioning %q\n%s", "%s no recibió ninguna respuesta; se esperaba una que no mencionara %q\n%s"), c.Name, text, transcript(ctx, c))
	}
	for _, m := range fresh {
		if sim.Contains(m, text) {
			return fmt.Errorf(words(ctx, "%s got a reply mentioning %q, which it must not: %s\n%s", "%s recibió una respuesta que menciona %q, y no debía: %s\n%s"), c.Name, text, shown(langOf(ctx), m), transcript(ctx, c))
		}
	}
	return nil
}

func receivesReply(ctx context.Context, name, text string) error {
	s, c, err := lookup(ctx, name)
	if err != nil {
		return err
	}
	_, err = awaitContaining(ctx, s, c, text, s.replyWait)
	return err
}

// LatencyMeasured is what a "within N seconds" step times, as the report says it.
const LatencyMeasured = "real time from the customer's message (before its webhook is delivered) to the reply reaching their phone, as the test runner sees it"

// receivesReplyWithin waits, up to the budget scaled by the run's latency factor, for a reply containing
// text, and records what it measured for the report. The time is the runner's: on a loaded runner the
// assistant's share of it is smaller, which the factor allows for.
func receivesReplyWithin(ctx context.Context, name, text string, seconds int) error {
	s, c, err := lookup(ctx, name)
	if err != nil {
		return err
	}
	budget := time.Duration(seconds) * time.Second
	factor := max(s.latencyFactor, 1)
	allowed := time.Duration(float64(budget) * factor)
	lat := report.Latency{Customer: c.Name, Reply: text, Measured: LatencyMeasured, BudgetMS: budget.Milliseconds(), Factor: factor, AllowedMS: allowed.Milliseconds()}
	_, err = awaitContaining(ctx, s, c, text, allowed)
	s.mu.Lock()
	took := time.Since(s.actedAt[c.WaID])
	if err == nil {
		lat.Arrived, lat.TookMS, lat.Within = true, took.Milliseconds(), took <= allowed
	}
	s.latencies = append(s.latencies, lat)
	s.mu.Unlock()
	switch {
	case err != nil && ctx.Err() == nil:
		return fmt.Errorf(words(ctx, "%s's reply did not come in time (budget %s × latency factor %g; a slow runner may give --latency-factor or PARLEY_LATENCY_FACTOR)\n%w",
			"la respuesta a %s no llegó a tiempo (plazo %s × factor de latencia %g; en una máquina lenta se puede dar --latency-factor o PARLEY_LATENCY_FACTOR)\n%w"), c.Name, budget, factor, err)
	case err != nil:
		return err
	case took > allowed:
		return fmt.Errorf(words(ctx, "%s received a reply containing %q %s after their last message, later than the budget %s × latency factor %g = %s (a slow runner may give --latency-factor or PARLEY_LATENCY_FACTOR)", "%s recibió una respuesta con %q %s después de su último mensaje, más tarde que el plazo %s × factor de latencia %g = %s (en una máquina lenta se puede dar --latency-factor o PARLEY_LATENCY_FACTOR)"),
			c.Name, text, took.Round(time.Millisecond), budget, factor, allowed)
	}
	return nil
}

func receivesNothing(ctx context.Context, name string) error {
	s, c, err := lookup(ctx, name)
	if err != nil {
		return err
	}
	if err := settle(ctx, s); err != nil {
		return err
	}
	inbox, err := s.env.World().WhatsApp.Inbox(ctx, c.WaID)
	if err != nil {
		return err
	}
	seen := min(s.seenCount(c), len(inbox))
	if fresh := inbox[seen:]; len(fresh) > 0 {
		return fmt.Errorf(words(ctx, "%s should have received nothing more, but got %d new message(s)\n%s", "%s no debía recibir nada más, pero recibió %d mensaje(s) nuevo(s)\n%s"), c.Name, len(fresh), transcript(ctx, c))
	}
	events, err := s.env.Events(ctx)
	if err != nil {
		return fmt.Errorf(words(ctx, "reading the journal: %w", "leyendo el registro de eventos: %w"), err)
	}
	// Attempts count from the customer's last message, or from the last message to them an earlier step
	// looked at when that came later: the same period as the inbox above.
	from := lastMessage(events, c.WaID)
	if seen > 0 {
		from = max(from, sendOf(events, inbox[seen-1].ID))
	}
	if tried := undelivered(events, c.WaID, from); len(tried) > 0 {
		return fmt.Errorf(words(ctx, "%s received nothing more, but the assistant tried to send %d message(s) that did not arrive; the attempt counts:\n  %s\n%s", "%s no recibió nada más, pero el asistente intentó enviarle %d mensaje(s) que no llegaron; lo que cuenta es el intento:\n  %s\n%s"),
			c.Name, len(tried), joinAttempts(langOf(ctx), tried), transcript(ctx, c))
	}
	return nil
}

// attempt is a send the assistant tried that never reached the customer's phone: one WhatsApp refused
// (outbound.rejected), or one it accepted that then failed (status.failed).
type attempt struct {
	seq      uint64
	out      journal.OutboundData
	accepted bool
	code     int
	why      string
}

// describe is the attempt as a line of a failure, in lang (es or en).
func (a attempt) describe(lang string) string {
	what := fmt.Sprintf(pick(lang, "%s message %q", "mensaje %s %q"), a.out.Type, a.out.Text)
	if a.out.Template != "" {
		what = fmt.Sprintf(pick(lang, "template %q", "plantilla %q"), a.out.Template)
		if a.out.Category != "" {
			what += " (" + a.out.Category + ")"
		}
	}
	how := pick(lang, "refused by WhatsApp", "rechazado por WhatsApp")
	if a.accepted {
		how = pick(lang, "accepted by WhatsApp, then failed", "aceptado por WhatsApp y después fallido")
	}
	s := fmt.Sprintf(pick(lang, "%s, %s with error %d", "%s, %s con el error %d"), what, how, a.code)
	if why := graphReason(a.why); why != "" {
		s += ": " + why
	}
	return fmt.Sprintf(pick(lang, "%s (journal event %d)", "%s (evento %d del registro)"), s, a.seq)
}

// graphReason is a Graph error message without the code it repeats ("(#132000) Number of …").
func graphReason(msg string) string {
	msg = strings.TrimSpace(msg)
	if strings.HasPrefix(msg, "(#") {
		if _, rest, ok := strings.Cut(msg, ") "); ok {
			return rest
		}
	}
	return msg
}

func joinAttempts(lang string, tried []attempt) string {
	lines := make([]string, len(tried))
	for i, a := range tried {
		lines[i] = a.describe(lang)
	}
	return strings.Join(lines, "\n  ")
}

// undelivered returns, in journal order, what the assistant tried to send the customer after journal
// event from that never reached their phone: sends WhatsApp refused, and sends it accepted that then
// failed. Negative expectations judge these too: the attempt is what the assistant did. A failure with
// 131050 is left out: it is WhatsApp's own "stop promotions" refusing marketing for the customer, which
// the assistant cannot know before its first attempt (the auditor's WA-MKT-02 judges what it does next).
func undelivered(events []journal.Event, waID string, from uint64) []attempt {
	var out []attempt
	sent := map[string]journal.OutboundData{} // wamid → accepted send to the customer, after from
	sentAt := map[string]uint64{}
	for _, e := range events {
		if e.Seq <= from {
			continue
		}
		switch e.Kind {
		case journal.KindOutboundAccepted, journal.KindOutboundRejected:
			var o journal.OutboundData
			if e.Decode(&o) != nil || cmp.Or(e.Customer, o.WaID) != waID {
				continue
			}
			if e.Kind == journal.KindOutboundAccepted {
				sent[o.ID], sentAt[o.ID] = o, e.Seq
				continue
			}
			if o.Code != whatsapp.CodeMarketingStopped {
				out = append(out, attempt{seq: e.Seq, out: o, code: o.Code, why: o.Error})
			}
		case journal.KindStatusFailed:
			var st journal.StatusData
			if e.Decode(&st) != nil {
				continue
			}
			if o, ok := sent[st.ID]; ok && st.Code != whatsapp.CodeMarketingStopped {
				out = append(out, attempt{seq: sentAt[st.ID], out: o, accepted: true, code: st.Code, why: st.Error})
				delete(sent, st.ID) // a status may be delivered twice
			}
		}
	}
	slices.SortStableFunc(out, func(a, b attempt) int { return cmp.Compare(a.seq, b.seq) })
	return out
}

// lastMessage returns the seq of the customer's latest message in the journal, where they last acted
// (every action of a customer is a message), or 0 when they wrote none. A message is taken where it was
// sent (inbound.sent): its inbound.delivered comes after the replies the assistant sent while its webhook
// was in flight.
func lastMessage(events []journal.Event, waID string) uint64 {
	var sent, other uint64
	for _, e := range events {
		if e.Customer != waID {
			continue
		}
		switch e.Kind {
		case journal.KindInboundSent:
			sent = e.Seq
		case journal.KindInboundDelivered, journal.KindInboundFailed:
			other = e.Seq
		}
	}
	return cmp.Or(sent, other)
}

// sendOf returns the seq of the accepted send with the given wamid, or 0.
func sendOf(events []journal.Event, wamid string) uint64 {
	for _, e := range events {
		if e.Kind != journal.KindOutboundAccepted {
			continue
		}
		var o journal.OutboundData
		if e.Decode(&o) == nil && o.ID == wamid {
			return e.Seq
		}
	}
	return 0
}

func offersButtons(ctx context.Context, a, b string) error {
	s, err := state(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	c, reply := s.last, s.lastReply
	s.mu.Unlock()
	if c == nil {
		return errors.New(words(ctx, "no customer has spoken yet, so there is no reply to look at", "ningún cliente ha hablado todavía, así que no hay respuesta que mirar"))
	}
	if err := settle(ctx, s); err != nil {
		return err
	}
	var m *whatsapp.InboxMessage
	if reply != nil && len(reply.Buttons) > 0 {
		m = reply
	} else {
		inbox, err := s.env.World().WhatsApp.Inbox(ctx, c.WaID)
		if err != nil {
			return err
		}
		for i := len(inbox) - 1; i >= 0 && m == nil; i-- {
			if len(inbox[i].Buttons) > 0 {
				m = &inbox[i]
			}
		}
	}
	if m == nil {
		return fmt.Errorf(words(ctx, "no message to %s offers buttons\n%s", "ningún mensaje a %s ofrece botones\n%s"), c.Name, transcript(ctx, c))
	}
	for _, want := range []string{a, b} {
		if !slices.ContainsFunc(m.Buttons, func(got string) bool { return strings.HasPrefix(fold(got), fold(want)) }) {
			return fmt.Errorf(words(ctx, "the reply to %s offers the buttons %s, none of them %q\n%s", "la respuesta a %s ofrece los botones %s, ninguno de ellos %q\n%s"), c.Name, quoteAll(m.Buttons), want, transcript(ctx, c))
		}
	}
	return nil
}

func isMarketing(m whatsapp.InboxMessage) bool {
	return m.Template != nil && m.Template.Category == "MARKETING"
}

// settledReplies waits for the assistant to finish and returns what the named customer received since
// their last action.
func settledReplies(ctx context.Context, name string) (*sim.Customer, []whatsapp.InboxMessage, error) {
	s, c, err := lookup(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	if err := settle(ctx, s); err != nil {
		return nil, nil, err
	}
	fresh, err := s.since(ctx, c)
	return c, fresh, err
}

func receivesMarketing(ctx context.Context, name string) error {
	c, fresh, err := settledReplies(ctx, name)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(fresh, isMarketing) {
		return fmt.Errorf(words(ctx, "%s received no marketing message\n%s", "%s no recibió ningún mensaje publicitario\n%s"), c.Name, transcript(ctx, c))
	}
	return nil
}

func receivesNoMarketing(ctx context.Context, name string) error {
	c, fresh, err := settledReplies(ctx, name)
	if err != nil {
		return err
	}
	if i := slices.IndexFunc(fresh, isMarketing); i >= 0 {
		return fmt.Errorf(words(ctx, "%s received marketing (template %q)\n%s", "%s recibió publicidad (plantilla %q)\n%s"), c.Name, fresh[i].Template.Name, transcript(ctx, c))
	}
	s, err := state(ctx)
	if err != nil {
		return err
	}
	events, err := s.env.Events(ctx)
	if err != nil {
		return fmt.Errorf(words(ctx, "reading the journal: %w", "leyendo el registro de eventos: %w"), err)
	}
	var tried []attempt // since the customer last acted, as fresh is
	for _, a := range undelivered(events, c.WaID, lastMessage(events, c.WaID)) {
		if a.out.Type == "template" && a.out.Category == "MARKETING" {
			tried = append(tried, a)
		}
	}
	if len(tried) > 0 {
		return fmt.Errorf(words(ctx, "%s received no marketing, but the assistant tried to send it; the attempt counts:\n  %s\n%s", "%s no recibió publicidad, pero el asistente intentó enviársela; lo que cuenta es el intento:\n  %s\n%s"),
			c.Name, joinAttempts(langOf(ctx), tried), transcript(ctx, c))
	}
	return nil
}

// receivesJSONDocument passes when a document the customer received, at any time, is their data in JSON:
// the copy of their data (receivesDataCopy) in that one format.
func receivesJSONDocument(ctx context.Context, name string) error {
	s, c, err := lookup(ctx, name)
	if err != nil {
		return err
	}
	if err := settle(ctx, s); err != nil {
		return err
	}
	inbox, err := s.env.World().WhatsApp.Inbox(ctx, c.WaID)
	if err != nil {
		return err
	}
	events, err := s.env.Events(ctx)
	if err != nil {
		return err
	}
	uploads, mine := uploadsAndValues(events, c)
	var problems []string
	for _, m := range inbox {
		if m.Type != "document" {
			continue
		}
		problem := judgeDataCopy(langOf(ctx), m, uploads, mine, c.Name, "application/json")
		if problem == "" {
			return nil
		}
		problems = append(problems, problem)
	}
	if len(problems) == 0 {
		problems = append(problems, words(ctx, "no document arrived", "no llegó ningún documento"))
	}
	return fmt.Errorf(words(ctx, "%s expected a document with their data in JSON: %s\n%s", "%s esperaba un documento con sus datos en JSON: %s\n%s"), c.Name, strings.Join(problems, "; "), transcript(ctx, c))
}

func dialogflowClean(ctx context.Context) error {
	s, err := state(ctx)
	if err != nil {
		return err
	}
	events, err := settledEvents(ctx, s)
	if err != nil {
		return err
	}
	var canaries []string
	queries := 0
	var leaks []string
	for _, e := range events {
		switch e.Kind {
		case journal.KindCanaryPlanted:
			var cd journal.CanaryData
			if e.Decode(&cd) == nil {
				canaries = append(canaries, cd.Value)
			}
		case journal.KindDetectIntent:
			var d journal.DetectIntentData
			if e.Decode(&d) != nil || d.Text == "" {
				continue
			}
			queries++
			for _, v := range canaries {
				if strings.Contains(strings.ToLower(d.Text), strings.ToLower(v)) {
					leaks = append(leaks, fmt.Sprintf(words(ctx, "event %d: %q carries the shared value %q", "evento %d: %q lleva el valor compartido %q"), e.Seq, d.Text, v))
				}
			}
			for _, m := range pii.Find(d.Text) {
				leaks = append(leaks, fmt.Sprintf(words(ctx, "event %d: %q carries a %s (%q)", "evento %d: %q lleva un %s (%q)"), e.Seq, d.Text, m.Type, m.Value))
			}
		}
	}
	if queries == 0 {
		return errors.New(words(ctx, "Dialogflow received no text query at all, so this step proves nothing; let a customer say something first", "Dialogflow no recibió ninguna consulta de texto, así que este paso no prueba nada; haz que un cliente diga algo antes"))
	}
	if len(leaks) > 0 {
		return fmt.Errorf(words(ctx, "Dialogflow received personal data:\n  %s\n%s", "Dialogflow recibió datos personales:\n  %s\n%s"), strings.Join(leaks, "\n  "), s.transcripts(ctx))
	}
	return nil
}

func knownRule(ctx context.Context, id string) error {
	var ids []string
	for _, r := range audit.Catalogue() {
		if r.ID == id {
			return nil
		}
		ids = append(ids, r.ID)
	}
	hint := ""
	if best := closest(id, ids, 1); len(best) > 0 {
		hint = fmt.Sprintf(words(ctx, " Did you mean %q?", " ¿Querías decir %q?"), best[0])
	}
	return fmt.Errorf(words(ctx, "%q is not a rule of the catalogue (parley rules lists them).%s", "%q no es una regla del catálogo (parley rules las enumera).%s"), id, hint)
}

func runAudit(ctx context.Context, s *scenarioState) (audit.Report, error) {
	events, err := settledEvents(ctx, s)
	if err != nil {
		return audit.Report{}, err
	}
	return audit.Run(events, s.env.AuditOptions()), nil
}

func auditReports(ctx context.Context, id string) error {
	if err := knownRule(ctx, id); err != nil {
		return err
	}
	s, err := state(ctx)
	if err != nil {
		return err
	}
	s.expect(id)
	rep, err := runAudit(ctx, s)
	if err != nil {
		return err
	}
	res, _ := rep.Result(id)
	if res.Status != audit.Broken {
		return fmt.Errorf(words(ctx, "the audit does not report %s (%s): its status is %s\n%s", "la auditoría no informa de %s (%s): su estado es %s\n%s"), id, res.Title, res.Status, s.transcripts(ctx))
	}
	return nil
}

func auditClean(ctx context.Context) error {
	s, err := state(ctx)
	if err != nil {
		return err
	}
	rep, err := runAudit(ctx, s)
	if err != nil {
		return err
	}
	return s.findingsError(ctx, rep.Broken())
}
