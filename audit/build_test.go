package audit

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/parley-dev/parley/journal"
)

// jb builds a journal by hand, on its own simulated clock. Every method returns the seq of the event it
// added, so a table case can name its evidence.
type jb struct {
	evs []journal.Event
	now time.Time
}

func newJ() *jb { return &jb{now: journal.DefaultStart} }

const (
	ana = "34600000001"
	ben = "34600000002"
)

func (b *jb) add(src journal.Source, kind, cust string, data any) uint64 {
	var raw json.RawMessage
	if data != nil {
		raw, _ = json.Marshal(data)
	}
	seq := uint64(len(b.evs)) + 1
	b.evs = append(b.evs, journal.Event{Seq: seq, At: b.now, Source: src, Kind: kind, Customer: cust, Data: raw})
	return seq
}

// wait moves the clock.
func (b *jb) wait(d time.Duration) *jb { b.now = b.now.Add(d); return b }

func (b *jb) in(cust, text string) uint64 {
	return b.add(journal.SourceWhatsApp, journal.KindInboundDelivered, cust, journal.InboundData{ID: "wamid.in", Type: "text", Text: text, Status: 200, Attempts: 1})
}

func (b *jb) send(cust string, o journal.OutboundData) uint64 {
	o.To, o.WaID, o.HTTP = cust, cust, 200
	if o.Type == "" {
		o.Type = "text"
	}
	return b.add(journal.SourceWhatsApp, journal.KindOutboundAccepted, cust, o)
}

func (b *jb) out(cust, text string, buttons ...string) uint64 {
	return b.send(cust, journal.OutboundData{Text: text, Buttons: buttons})
}

func (b *jb) tpl(cust, name, category, text string, buttons ...string) uint64 {
	return b.send(cust, journal.OutboundData{Type: "template", Template: name, Category: category, Text: text, Buttons: buttons})
}

func (b *jb) refused(cust string, o journal.OutboundData) uint64 {
	o.To, o.WaID, o.HTTP = cust, cust, 400
	return b.add(journal.SourceWhatsApp, journal.KindOutboundRejected, cust, o)
}

// refusedTpl is a template WhatsApp refused with code, journalled as the WhatsApp mock does: with the
// registry's category and the text the send would have had.
func (b *jb) refusedTpl(cust, name, category, text string, code int) uint64 {
	return b.refused(cust, journal.OutboundData{Type: "template", Template: name, Language: "es", Category: category, Text: text,
		Code: code, Error: fmt.Sprintf("(#%d) %s", code, graphMessages[code])})
}

// refusedText is a free-form text WhatsApp refused with code.
func (b *jb) refusedText(cust, text string, code int) uint64 {
	return b.refused(cust, journal.OutboundData{Type: "text", Text: text, Code: code, Error: fmt.Sprintf("(#%d) %s", code, graphMessages[code])})
}

// refusedDoc is a document upload the assistant made and a send of it that WhatsApp refused with code.
func (b *jb) refusedDoc(cust, mediaID, mime, filename, content string, code int) uint64 {
	b.add(journal.SourceWhatsApp, journal.KindMediaUploaded, "", journal.MediaData{ID: mediaID, MimeType: mime, Filename: filename, Size: len(content), Content: []byte(content)})
	return b.refused(cust, journal.OutboundData{Type: "document", MediaID: mediaID, Filename: filename, Code: code,
		Error: fmt.Sprintf("(#%d) %s", code, graphMessages[code])})
}

// graphMessages are the Graph error messages the refused sends above carry.
var graphMessages = map[int]string{
	130429: "Rate limit hit",
	131047: "Re-engagement message",
	131050: "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business",
	132000: "Number of parameters does not match the expected number of params",
}

func (b *jb) doc(cust, mediaID, mime, filename, content string) uint64 {
	b.add(journal.SourceWhatsApp, journal.KindMediaUploaded, "", journal.MediaData{ID: mediaID, MimeType: mime, Filename: filename, Size: len(content), Content: []byte(content)})
	return b.send(cust, journal.OutboundData{Type: "document", MediaID: mediaID, Filename: filename})
}

func (b *jb) consent(cust, purpose, channel, wording string) uint64 {
	return b.add(journal.SourceCustomer, journal.KindConsentGiven, cust, journal.ConsentData{Purpose: purpose, Channel: channel, Wording: wording})
}

func (b *jb) ground(cust, kind string, data any) uint64 {
	return b.add(journal.SourceCustomer, kind, cust, data)
}

func (b *jb) optout(cust, phrase string) uint64 {
	return b.ground(cust, journal.KindOptoutRequested, journal.OptoutData{Via: "chat", Phrase: phrase})
}

func (b *jb) dsr(cust, right, wording string) uint64 {
	return b.ground(cust, journal.KindDataRequest, journal.DataRequestData{Right: right, Wording: wording})
}

func (b *jb) canary(cust, typ, value string) uint64 {
	return b.ground(cust, journal.KindCanaryPlanted, journal.CanaryData{Type: typ, Value: value})
}

func (b *jb) df(session, text string, params map[string]any, fallback bool) uint64 {
	return b.add(journal.SourceDialogflow, journal.KindDetectIntent, "", journal.DetectIntentData{
		API: "es", Transport: "grpc", Session: "projects/p/locations/europe-west1/agent/sessions/" + session,
		SessionID: session, Project: "p", Text: text, Parameters: params, Fallback: fallback})
}

func (b *jb) dfAt(path, text string) uint64 {
	id := path[len(path)-8:]
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			id = path[i+1:]
			break
		}
	}
	return b.add(journal.SourceDialogflow, journal.KindDetectIntent, "", journal.DetectIntentData{Session: path, SessionID: id, Text: text})
}

func (b *jb) cleared(session string) uint64 {
	return b.add(journal.SourceDialogflow, journal.KindContextsDeleted, "", journal.ContextsData{SessionID: session, All: true})
}

func (b *jb) deid(text, result string) uint64 {
	return b.add(journal.SourceDLP, journal.KindDeidentify, "", journal.DLPData{Text: text, Result: result})
}

// say is a customer message Dialogflow sees on session: the common two events of a turn.
func (b *jb) say(cust, session, text string) uint64 {
	s := b.in(cust, text)
	b.df(session, text, nil, false)
	return s
}

// welcome is a first contact answered compliantly on every count.
const welcomeText = "Hola, soy el asistente virtual de Tienda Ejemplo (un bot). Tratamos tus datos para atenderte; " +
	"los procesan Meta (WhatsApp) y Google (Dialogflow). Política: https://tienda.example/privacidad. " +
	"Tienes derecho de acceso, rectificación y supresión.\n" +
	"Puedes oponerte al uso de tus datos para publicidad en cualquier momento.\n" +
	"Si prefieres hablar con una persona, escribe AGENTE."

func (b *jb) greet(cust string) (in, out uint64) {
	return b.in(cust, "Hola"), b.out(cust, welcomeText)
}
