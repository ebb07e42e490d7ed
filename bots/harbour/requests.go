package harbour

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
)

// export is the copy of a customer's data Harbour Books sends for an access or portability request.
type export struct {
	Controller  string     `json:"controller"`
	Contact     string     `json:"contact"`
	Case        string     `json:"case"`
	Request     string     `json:"request"`
	Customer    string     `json:"whatsapp_number"`
	Language    string     `json:"language"`
	FirstSeen   string     `json:"first_contact"`
	Purposes    []string   `json:"purposes"`
	Recipients  []string   `json:"recipients"`
	Retention   string     `json:"retention"`
	Rights      []string   `json:"rights"`
	Messages    []line     `json:"messages"`
	Consents    []consent  `json:"consents"`
	Cases       []caseFile `json:"cases"`
	Restricted  bool       `json:"processing_restricted"`
	Objected    bool       `json:"objected_to_marketing"`
	MarketingOK bool       `json:"receives_marketing"`
}

var requestKinds = map[want]string{wantAccess: "access", wantPortability: "portability", wantErasure: "erasure",
	wantRectify: "rectification", wantRestrict: "restriction", wantObject: "objection"}

// request handles a data-protection request: a case reference, then what the right asks for.
func (a *Assistant) request(ctx context.Context, tn *turn, w want) {
	ref := newReference(tn.at)
	kind := requestKinds[w]
	tn.c.Cases = append(tn.c.Cases, caseFile{Ref: ref, Kind: kind, Opened: tn.at, Status: "done"})
	switch w {
	case wantAccess:
		tn.sayf(tn.t.access, ref)
		tn.export = a.copyOf(tn, ref, kind)
	case wantPortability:
		tn.sayf(tn.t.portability, ref)
		tn.export = a.copyOf(tn, ref, kind)
	case wantErasure:
		a.erase(ctx, tn)
		tn.sayf(tn.t.erasure, ref)
	case wantRectify:
		if !rectify(&tn.c, tn.words) {
			tn.c.Cases[len(tn.c.Cases)-1].Status = "waiting for the corrected value"
			tn.c.Asking = "rectify"
			tn.sayf(tn.t.rectifyAsk, ref)
			return
		}
		tn.sayf(tn.t.rectified, ref)
	case wantRestrict:
		tn.c.Restricted = true
		tn.sayf(tn.t.restricted, ref)
	case wantObject:
		tn.c.Objected = true
		tn.c.OptedOut = tn.at
		tn.c.Consents = append(tn.c.Consents, consent{Purpose: purposeMarketing, Given: false, Channel: "whatsapp",
			Wording: tn.words, Time: tn.at, Source: "objection"})
		tn.sayf(tn.t.objected, ref)
	}
}

// erase clears what Dialogflow holds for the customer's session and forgets the customer, keeping a
// keyed hash on the suppression list.
func (a *Assistant) erase(ctx context.Context, tn *turn) {
	if err := a.brain.forget(ctx, a.book.sessionID(tn.c.WaID, tn.c.Session)); err != nil {
		a.log.Error("Dialogflow contexts not deleted; the session is abandoned all the same", "error", err)
	}
	a.book.erase(tn.c.WaID, tn.at, tn.c.Session)
	tn.erased = true
}

var emailIn = regexp.MustCompile(`(?i)[\w.+-]+@[\w-]+\.[\w.-]+`)

// rectify replaces the customer's previous e-mail address by the one in words, everywhere it is kept.
// It reports false when words carry no new value.
func rectify(c *customer, words string) bool {
	value := emailIn.FindString(words)
	if value == "" {
		return false
	}
	for i := len(c.Lines) - 1; i >= 0; i-- {
		for _, old := range emailIn.FindAllString(c.Lines[i].Text, -1) {
			if !strings.EqualFold(old, value) {
				c.replaceEverywhere(old, value)
				return true
			}
		}
	}
	return true
}

// copyOf is the export of everything kept about the customer, within the retention period.
func (a *Assistant) copyOf(tn *turn, ref, kind string) *export {
	tn.c.expire(tn.at)
	c := tn.c
	lang := c.Lang
	e := &export{
		Controller: controller, Contact: helpEmail, Case: ref, Request: kind, Customer: c.WaID, Language: lang,
		FirstSeen: c.FirstSeen.Format("2006-01-02T15:04:05Z07:00"),
		Purposes: []string{"answering your questions and orders in this chat",
			"offers and news on WhatsApp, only with your consent"},
		Recipients: []string{"Meta Platforms Ireland Ltd (WhatsApp), which carries the chat",
			"Google Cloud EMEA Ltd (Dialogflow and Cloud DLP, EU region), which helps the assistant understand it"},
		Retention: "messages are kept for " + retention + ", consent records while they are in force and six years after",
		Rights: []string{"access", "rectification", "erasure", "restriction", "portability", "objection to marketing",
			"complaint to the ICO or the AEPD"},
		Messages: c.Lines, Consents: c.Consents, Cases: c.Cases,
		Restricted: c.Restricted, Objected: c.Objected, MarketingOK: c.mayMarket(tn.at),
	}
	return e
}

func (e *export) encode() ([]byte, error) {
	return json.MarshalIndent(e, "", "  ")
}
