package sim

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/report"
)

// GoalKind is what a customer wants from the assistant.
type GoalKind int

// The goals a customer can pursue.
const (
	GoalOptIn     GoalKind = iota + 1 // say yes to the assistant's question about offers
	GoalDecline                       // say no to it
	GoalOptOut                        // ask for no more offers
	GoalPerson                        // reach a person
	GoalDataCopy                      // ask for a copy of their data (GDPR art. 15)
	GoalErasure                       // ask for their data to be erased (art. 17)
	GoalObjection                     // object to their data being used for marketing (art. 21)
	GoalOrder                         // learn how their order is going
)

// String is the goal as a report says what the customer could not do.
func (k GoalKind) String() string {
	switch k {
	case GoalOptIn:
		return "opt in to offers"
	case GoalDecline:
		return "decline offers"
	case GoalOptOut:
		return "ask to stop the offers"
	case GoalPerson:
		return "reach a person"
	case GoalDataCopy:
		return "ask for a copy of their data"
	case GoalErasure:
		return "ask for their data to be erased"
	case GoalObjection:
		return "object to marketing"
	case GoalOrder:
		return "ask about their order"
	}
	return fmt.Sprintf("goal %d", int(k))
}

// DefaultTurns is how many times a customer acts for a goal before giving up: enough for a menu, a
// sub-menu and a confirmation, or three phrasings in their own words.
const DefaultTurns = 4

// Goal is an intent a customer pursues with any assistant: they read what it sent (buttons, list rows,
// quick replies, numbered menus, "answer YES" instructions), choose the answer whose meaning matches, or
// say it in their own words, for at most Turns actions.
type Goal struct {
	Kind GoalKind
	// Order is the code of the order a GoalOrder customer asks about.
	Order string
	// LinkAnswers says the assistant handles data-protection requests on a web page: a reply pointing to
	// one reaches a data-request goal.
	LinkAnswers bool
	// PrivacyURL is the business's privacy notice, for judging what a message means (audit.Means).
	PrivacyURL string
	// Turns bounds the actions; 0 means DefaultTurns.
	Turns int
	// BeforeAct, when set, is called just before each action the customer takes for the goal (a scenario
	// marks there where "the reply" starts).
	BeforeAct func(ctx context.Context) error
}

// Reach pursues the goal. The ground truth (consent given or refused, an opt-out, a request for a
// person, a data-protection request) is recorded when the customer states it, before the message that
// carries it; choosing a menu item that only leads there records nothing.
//
// The goal is reached when the assistant's answer shows it: an opt-in question answered yes (or no) and
// not met with "I did not understand"; an opt-out asked plainly, or in every way the turns allow when the
// assistant does not understand (whether it honours it is the auditor's to judge); a handoff announced or a way to a person given; a data-protection request
// acknowledged (or, with LinkAnswers, a link to the page that handles it); the order's status given.
// When it is not, Reach returns a *report.Unreached with what the assistant offered instead and the
// transcript.
func (c *Customer) Reach(ctx context.Context, g Goal) error {
	if g.Kind < GoalOptIn || g.Kind > GoalOrder {
		return fmt.Errorf("%s: unknown goal %d", c.Name, int(g.Kind))
	}
	if g.Kind == GoalOrder && strings.TrimSpace(g.Order) == "" {
		return fmt.Errorf("%s cannot ask about an order without its code", c.Name)
	}
	turns := g.Turns
	if turns <= 0 {
		turns = DefaultTurns
	}
	p := &pursuit{c: c, g: g, tried: map[string]bool{}, phrase: c.firstPhrase(g.Kind)}
	for range turns {
		inbox, err := c.w.WhatsApp.Inbox(ctx, c.WaID)
		if err != nil {
			return fmt.Errorf("%s reading the chat: %w", c.Name, err)
		}
		mv, ok := p.next(inbox)
		if !ok {
			break
		}
		if err := p.play(ctx, mv); err != nil {
			return err
		}
		after, err := c.w.WhatsApp.Inbox(ctx, c.WaID)
		if err != nil {
			return fmt.Errorf("%s reading the chat: %w", c.Name, err)
		}
		replies := after[min(len(inbox), len(after)):]
		p.replies = replies
		if p.reached(mv, replies) {
			return nil
		}
		if p.refused(replies) {
			break
		}
	}
	if p.g.Kind == GoalOptOut && p.stated {
		// Asking is the goal: an assistant that never understood was asked all the same, and the
		// auditor judges what it did with it.
		return nil
	}
	return p.unreached(ctx)
}

// firstPhrase picks which of the goal's phrasings the customer starts with, from their number (itself
// derived from the run's seed when numbers are assigned) and the goal, so runs repeat.
func (c *Customer) firstPhrase(k GoalKind) int {
	h := fnv.New32a()
	fmt.Fprintf(h, "%s/%d", c.WaID, int(k))
	return int(h.Sum32() % 1024)
}

// move is one action for a goal.
type move struct {
	text    string                 // what the customer writes or taps
	tap     *whatsapp.InboxMessage // the message whose button is tapped; nil when written
	states  bool                   // the action states the intent: it is recorded as ground truth
	wording string                 // for consent: the question answered
	key     string                 // what was tried, so it is not tried again
}

// pursuit is one customer's pursuit of one goal.
type pursuit struct {
	c       *Customer
	g       Goal
	tried   map[string]bool
	phrase  int
	stated  bool                    // the customer has stated the intent
	replies []whatsapp.InboxMessage // the assistant's answer to the last action
	offered []string                // the options the customer saw, for the reason of a failure
}

func (p *pursuit) means(m whatsapp.InboxMessage, meaning audit.Meaning) bool {
	return audit.Means(messageText(m), meaning, p.g.PrivacyURL)
}

// messageText is what the customer reads of a message: its text and the titles it offers.
func messageText(m whatsapp.InboxMessage) string {
	if len(m.Buttons) == 0 {
		return m.Text
	}
	return m.Text + "\n" + strings.Join(m.Buttons, "\n")
}

// fit is how well an option serves the goal.
type fit int

const (
	fitNone    fit = iota
	fitPath        // it leads towards the goal (a menu item "My data")
	fitConfirm     // it confirms what the customer already stated ("Are you sure? Reply YES")
	fitExact       // it is the goal itself
)

// next chooses the customer's next action: the newest option that is the goal itself, then one that
// leads there, then the customer's own words.
func (p *pursuit) next(inbox []whatsapp.InboxMessage) (move, bool) {
	best, bestFit := Option{}, fitNone
	latestMenu := -1
	for i := len(inbox) - 1; i >= 0; i-- {
		for _, o := range Options(inbox[i]) {
			p.saw(o)
			if o.Kind == OptionMenu && latestMenu < 0 {
				latestMenu = i
			}
			// A menu's numbers mean something only while it is the assistant's latest menu.
			if p.tried[optionKey(o)] || o.Kind == OptionMenu && i != latestMenu {
				continue
			}
			if f := p.fit(o); f > bestFit {
				best, bestFit = o, f
			}
		}
	}
	if bestFit != fitNone {
		mv := move{text: best.Reply, key: optionKey(best), states: bestFit == fitExact, wording: best.Message.Text}
		if best.Kind == OptionButton {
			m := best.Message
			mv.tap = &m
		}
		return mv, true
	}
	return p.ownWords(inbox)
}

// optionKey names what answering an option does: a menu's number means something only in its menu; a
// button or a keyword means the same wherever it is offered again.
func optionKey(o Option) string {
	if o.Kind == OptionMenu {
		return "menu\x00" + o.Message.ID + "\x00" + o.Reply
	}
	return "say\x00" + fold(o.Reply)
}

func (p *pursuit) saw(o Option) {
	label := fmt.Sprintf("%q", o.Label)
	for _, s := range p.offered {
		if s == label {
			return
		}
	}
	p.offered = append(p.offered, label)
}

// ownWords is the customer saying it: a yes or no to an opt-in question without buttons, or the goal's
// phrasings in turn.
func (p *pursuit) ownWords(inbox []whatsapp.InboxMessage) (move, bool) {
	lang := p.c.Lang
	switch p.g.Kind {
	case GoalOptIn, GoalDecline:
		yes := p.g.Kind == GoalOptIn
		if q, ok := p.question(inbox); ok && !p.tried["words\x00"+q.ID] {
			return move{text: answers[yes][lang], states: true, wording: q.Text, key: "words\x00" + q.ID}, true
		}
		if !yes {
			return move{}, false // nothing was asked: there is nothing to decline
		}
	}
	if p.g.Kind == GoalOrder && p.asksOrder(p.replies) && !p.tried["code"] {
		return move{text: p.g.Order, states: true, key: "code"}, true
	}
	phrases := freeWords[p.g.Kind][lang]
	text := phrases[p.phrase%len(phrases)]
	p.phrase++
	if p.g.Kind == GoalOrder {
		text = fmt.Sprintf(text, p.g.Order)
	}
	// Asking for the offers only makes the assistant ask its question: it is not consent.
	return move{text: text, states: p.g.Kind != GoalOptIn, key: "words\x00" + text}, true
}

// question is the newest message asking whether the customer wants offers.
func (p *pursuit) question(inbox []whatsapp.InboxMessage) (whatsapp.InboxMessage, bool) {
	for i := len(inbox) - 1; i >= 0; i-- {
		if p.means(inbox[i], audit.MeansOptInQuestion) {
			return inbox[i], true
		}
	}
	return whatsapp.InboxMessage{}, false
}

// fit judges an option for the goal by what it says and, for yes and no, by the question it answers.
func (p *pursuit) fit(o Option) fit {
	label := fold(o.Label)
	if o.Kind == OptionKeyword {
		label = fold(o.Reply)
	}
	about := fold(o.Message.Text)
	switch p.g.Kind {
	case GoalOptIn, GoalDecline:
		asked := p.means(o.Message, audit.MeansOptInQuestion)
		switch {
		case asked && p.g.Kind == GoalOptIn && (yesOption.MatchString(label) || hasTerm(label, subscribeWords...)):
			return fitExact
		case asked && p.g.Kind == GoalDecline && noOption.MatchString(label) && !hasTerm(label, stopWords...):
			return fitExact
		case !asked && o.Kind != OptionKeyword && hasTerm(label, offersWords...):
			return fitPath
		}
	case GoalOptOut:
		switch {
		case hasTerm(label, stopWords...) && !hasTerm(label, "no baja"):
			return fitExact
		case p.confirms(label, about, stopWords):
			return fitConfirm
		}
	case GoalPerson:
		switch {
		case hasTerm(label, personWords...):
			return fitExact
		case o.Kind != OptionKeyword && hasTerm(label, helpWords...):
			return fitPath
		}
	case GoalDataCopy, GoalErasure, GoalObjection:
		return p.dataFit(o, label, about)
	case GoalOrder:
		if o.Kind != OptionKeyword && hasTerm(label, orderWords...) {
			return fitPath
		}
	}
	return fitNone
}

// confirms reports whether an option is the yes to "are you sure?" about what the customer asked.
func (p *pursuit) confirms(label, about string, words []string) bool {
	return p.stated && yesOption.MatchString(label) && hasTerm(about, words...) && hasTerm(about, confirmWords...) &&
		!hasTerm(about, backWords...)
}

func (p *pursuit) dataFit(o Option, label, about string) fit {
	words := map[GoalKind][]string{GoalDataCopy: copyWords, GoalErasure: eraseWords, GoalObjection: objectWords}[p.g.Kind]
	aboutData := hasTerm(label, dataNounWord...) || hasTerm(label, dataWords...) || hasTerm(about, dataWords...)
	switch {
	case hasTerm(label, words...) && (aboutData || p.g.Kind == GoalObjection):
		return fitExact
	case p.confirms(label, about, words):
		return fitConfirm
	case o.Kind != OptionKeyword && hasTerm(label, dataWords...):
		return fitPath
	}
	return fitNone
}

// play records what the move states and then makes it, waiting for the assistant as every action does.
func (p *pursuit) play(ctx context.Context, mv move) error {
	p.tried[mv.key] = true
	if p.g.BeforeAct != nil {
		if err := p.g.BeforeAct(ctx); err != nil {
			return err
		}
	}
	if mv.states {
		p.record(mv)
		p.stated = true
	}
	if mv.tap != nil {
		_, err := p.c.tapOn(ctx, *mv.tap, mv.text)
		return err
	}
	_, err := p.c.Say(ctx, mv.text)
	return err
}

// record writes the ground truth of a move that states the intent.
func (p *pursuit) record(mv move) {
	c := p.c
	phrase := c.w.realNumbers(mv.text)
	switch p.g.Kind {
	case GoalOptIn:
		c.record(journal.KindConsentGiven, journal.ConsentData{Purpose: "marketing", Channel: "whatsapp", Wording: mv.wording})
	case GoalDecline:
		c.record(journal.KindConsentRefused, journal.ConsentData{Purpose: "marketing", Channel: "whatsapp", Wording: mv.wording})
	case GoalOptOut:
		via := "chat"
		if mv.tap != nil {
			via = "button"
		}
		c.record(journal.KindOptoutRequested, journal.OptoutData{Via: via, Phrase: phrase})
	case GoalPerson:
		c.record(journal.KindHandoffRequested, journal.HandoffData{Phrase: phrase})
	case GoalDataCopy:
		c.record(journal.KindDataRequest, journal.DataRequestData{Right: "access", Wording: phrase})
	case GoalErasure:
		c.record(journal.KindDataRequest, journal.DataRequestData{Right: "erasure", Wording: phrase})
	case GoalObjection:
		c.record(journal.KindDataRequest, journal.DataRequestData{Right: "objection", Wording: phrase})
	}
}

// reached judges the assistant's answer to the move.
func (p *pursuit) reached(mv move, replies []whatsapp.InboxMessage) bool {
	if !p.stated {
		return false
	}
	if p.any(replies, audit.MeansClarification) && !p.shows(replies) {
		return false // "I did not understand": try another way
	}
	switch p.g.Kind {
	case GoalOptIn, GoalDecline:
		return mv.states
	case GoalOptOut:
		// Asking is the goal; an assistant asking to confirm gets its answer first.
		return !p.offers(replies, fitConfirm, fitExact)
	case GoalPerson, GoalDataCopy, GoalErasure, GoalObjection, GoalOrder:
		return p.shows(replies)
	}
	return false
}

// shows reports whether the replies show the goal reached.
func (p *pursuit) shows(replies []whatsapp.InboxMessage) bool {
	switch p.g.Kind {
	case GoalOptOut:
		return p.any(replies, audit.MeansOptOutConfirmed)
	case GoalPerson:
		if p.any(replies, audit.MeansHandoff) {
			return true
		}
		// A way to a person given (a phone, an e-mail, a page), unless it is only the next button to press.
		return p.any(replies, audit.MeansPersonOffered) && !p.offers(replies, fitExact) && !p.any(replies, audit.MeansClarification)
	case GoalDataCopy, GoalErasure, GoalObjection:
		if p.offers(replies, fitExact, fitConfirm) {
			return false // a menu of requests, or "are you sure?": not answered yet
		}
		if p.any(replies, audit.MeansRequestAcknowledged) || p.any(replies, audit.MeansReference) {
			return true
		}
		if p.g.Kind == GoalObjection && p.any(replies, audit.MeansOptOutConfirmed) {
			return true
		}
		if p.g.Kind == GoalDataCopy && hasDocument(replies) {
			return true
		}
		return p.g.LinkAnswers && hasLink(replies)
	case GoalOrder:
		for _, m := range replies {
			t := fold(m.Text)
			if hasTerm(t, orderMissing...) || hasTerm(t, orderAsk...) {
				continue
			}
			if strings.Contains(t, fold(p.g.Order)) || hasTerm(t, orderStates...) {
				return true
			}
		}
	}
	return false
}

// refused reports whether the assistant's answer makes further tries pointless: it does not know the
// order.
func (p *pursuit) refused(replies []whatsapp.InboxMessage) bool {
	if p.g.Kind != GoalOrder {
		return false
	}
	for _, m := range replies {
		if hasTerm(fold(m.Text), orderMissing...) {
			return true
		}
	}
	return false
}

// asksOrder reports whether the assistant asked which order.
func (p *pursuit) asksOrder(replies []whatsapp.InboxMessage) bool {
	for _, m := range replies {
		if hasTerm(fold(m.Text), orderAsk...) {
			return true
		}
	}
	return false
}

func (p *pursuit) any(ms []whatsapp.InboxMessage, meaning audit.Meaning) bool {
	for _, m := range ms {
		if p.means(m, meaning) {
			return true
		}
	}
	return false
}

// offers reports whether the messages offer an untried option of one of the fits.
func (p *pursuit) offers(ms []whatsapp.InboxMessage, fits ...fit) bool {
	for _, m := range ms {
		for _, o := range Options(m) {
			if p.tried[optionKey(o)] {
				continue
			}
			f := p.fit(o)
			for _, want := range fits {
				if f == want {
					return true
				}
			}
		}
	}
	return false
}

func hasDocument(ms []whatsapp.InboxMessage) bool {
	for _, m := range ms {
		if m.Type == "document" {
			return true
		}
	}
	return false
}

func hasLink(ms []whatsapp.InboxMessage) bool {
	for _, m := range ms {
		if urlLike.MatchString(m.Text) {
			return true
		}
	}
	return false
}

// maxOffered is how many of the options seen a failure names: enough to show the assistant's menus.
const maxOffered = 12

// unreached explains what the assistant offered instead.
func (p *pursuit) unreached(ctx context.Context) error {
	var why []string
	switch {
	case (p.g.Kind == GoalOptIn || p.g.Kind == GoalDecline) && !p.stated:
		why = append(why, "no message asked whether the customer wants offers")
	case !p.stated:
		why = append(why, "the customer found no way to say it")
	default:
		why = append(why, fmt.Sprintf("the assistant's answers never showed it (%s)", p.expected()))
	}
	if n := len(p.offered); n > maxOffered {
		why = append(why, fmt.Sprintf("it offered %s and %d more", strings.Join(p.offered[:maxOffered], ", "), n-maxOffered))
	} else if n > 0 {
		why = append(why, "it offered "+strings.Join(p.offered, ", "))
	} else {
		why = append(why, "it offered no buttons, menu or keyword")
	}
	if len(p.replies) > 0 {
		why = append(why, fmt.Sprintf("its last answer was %q", clip(p.replies[len(p.replies)-1].Text, 160)))
	} else if p.stated {
		why = append(why, "it did not answer the last message")
	}
	return &report.Unreached{Customer: p.c.Name, Goal: p.g.Kind.String(), Reason: strings.Join(why, "; "),
		Transcript: p.c.Transcript(context.WithoutCancel(ctx))}
}

func (p *pursuit) expected() string {
	switch p.g.Kind {
	case GoalOptIn, GoalDecline:
		return "the answer to its opt-in question was not understood"
	case GoalOptOut:
		return "no opt-out confirmed"
	case GoalPerson:
		return "no handoff announced and no way to a person given"
	case GoalOrder:
		if p.refused(p.replies) {
			return fmt.Sprintf("the assistant does not know order %s for +%s; the profile's test order must belong to the customer's number", p.g.Order, p.c.WaID)
		}
		return fmt.Sprintf("no status of order %s given", p.g.Order)
	}
	return "no request acknowledged"
}

func clip(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n]) + "…"
}

// tapOn taps the button titled title on message m: a template's quick reply is a "button" message, an
// interactive message's reply button or list row an "interactive" one.
func (c *Customer) tapOn(ctx context.Context, m whatsapp.InboxMessage, title string) (whatsapp.SendResult, error) {
	typ := "interactive"
	if m.Type == "template" {
		typ = "button"
	}
	return c.send(ctx, whatsapp.CustomerMessage{Type: typ, Text: title, Context: m.ID})
}

// Spoke reports whether the customer has sent the assistant anything yet.
func (c *Customer) Spoke() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.said) > 0
}
