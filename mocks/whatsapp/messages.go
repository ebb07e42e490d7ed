package whatsapp

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
)

// Limits of the messages endpoint (Meta's message-type pages).
const (
	MaxTextChars         = 4096
	MaxCaptionChars      = 1024
	MaxReplyButtons      = 3
	MaxButtonTitleChars  = 20
	MaxListRows          = 10
	MaxListSections      = 10
	MaxRowTitleChars     = 24
	MaxRowDescChars      = 72
	MaxInteractiveBody   = 1024
	MaxListBody          = 4096
	MaxHeaderFooterChars = 60
	MaxContacts          = 257
)

type sendRequest struct {
	MessagingProduct string `json:"messaging_product"`
	RecipientType    string `json:"recipient_type"`
	To               string `json:"to"`
	Type             string `json:"type"`
	Context          *struct {
		ID string `json:"message_id"`
	} `json:"context"`
	BizOpaque       string `json:"biz_opaque_callback_data"`
	Status          string `json:"status"`
	MessageID       string `json:"message_id"`
	TypingIndicator *struct {
		Type string `json:"type"`
	} `json:"typing_indicator"`
	Text        *textBody        `json:"text"`
	Image       *mediaRef        `json:"image"`
	Audio       *mediaRef        `json:"audio"`
	Video       *mediaRef        `json:"video"`
	Document    *mediaRef        `json:"document"`
	Sticker     *mediaRef        `json:"sticker"`
	Location    *locationBody    `json:"location"`
	Contacts    []contactBody    `json:"contacts"`
	Interactive *interactiveBody `json:"interactive"`
	Template    *templateRequest `json:"template"`
	Reaction    *reactionBody    `json:"reaction"`
}

type textBody struct {
	Body       string `json:"body"`
	PreviewURL bool   `json:"preview_url"`
}

type mediaRef struct {
	ID       string `json:"id,omitempty"`
	Link     string `json:"link,omitempty"`
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
	Voice    bool   `json:"voice,omitempty"`
}

type locationBody struct {
	Latitude  json.RawMessage `json:"latitude"`
	Longitude json.RawMessage `json:"longitude"`
	Name      string          `json:"name,omitempty"`
	Address   string          `json:"address,omitempty"`
}

type contactBody struct {
	Name *struct {
		FormattedName string `json:"formatted_name"`
	} `json:"name"`
}

type reactionBody struct {
	MessageID string  `json:"message_id"`
	Emoji     *string `json:"emoji"`
}

type interactiveBody struct {
	Type   string `json:"type"`
	Header *struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"header"`
	Body *struct {
		Text string `json:"text"`
	} `json:"body"`
	Footer *struct {
		Text string `json:"text"`
	} `json:"footer"`
	Action *struct {
		Button  string `json:"button"`
		Buttons []struct {
			Type  string `json:"type"`
			Reply struct {
				ID    string `json:"id"`
				Title string `json:"title"`
			} `json:"reply"`
		} `json:"buttons"`
		Sections []struct {
			Title string `json:"title"`
			Rows  []struct {
				ID          string `json:"id"`
				Title       string `json:"title"`
				Description string `json:"description"`
			} `json:"rows"`
		} `json:"sections"`
		Name       string `json:"name"`
		Parameters *struct {
			DisplayText string `json:"display_text"`
			URL         string `json:"url"`
		} `json:"parameters"`
	} `json:"action"`
}

// offeredButton is a reply the customer can tap: a reply button, a list row, or a template quick reply.
type offeredButton struct {
	Title       string `json:"title"`
	ID          string `json:"id"` // reply id, row id, or quick-reply payload
	Description string `json:"description,omitempty"`
	Kind        string `json:"-"` // button_reply, list_reply, quick_reply
}

// sentMessage is a message of the business to a customer, by wamid.
type sentMessage struct {
	waID     string
	typ      string
	buttons  []offeredButton
	status   string
	category string // pricing category: marketing, utility, authentication, service
	free     bool   // free customer-service message (non-template or utility template in the window)
	opaque   string // biz_opaque_callback_data, echoed on every status
	at       time.Time
}

// mediaTypes are the media message types and the field each uses.
var mediaTypes = map[string]func(*sendRequest) *mediaRef{
	"image":    func(r *sendRequest) *mediaRef { return r.Image },
	"audio":    func(r *sendRequest) *mediaRef { return r.Audio },
	"video":    func(r *sendRequest) *mediaRef { return r.Video },
	"document": func(r *sendRequest) *mediaRef { return r.Document },
	"sticker":  func(r *sendRequest) *mediaRef { return r.Sticker },
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// normaliseRecipient turns the "to" of a send into a wa_id: Meta accepts +, -, parentheses and spaces.
func normaliseRecipient(to string) (string, bool) {
	var b strings.Builder
	for _, r := range to {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' || r == '-' || r == '(' || r == ')' || r == ' ':
		default:
			return "", false
		}
	}
	n := b.Len()
	return b.String(), n >= 5 && n <= 15
}

// outcome is what the send decided, besides the HTTP answer.
type outcome struct {
	id       string
	waID     string
	failCode int           // accepted, then a failed status with this code (async errors)
	delay    time.Duration // an injected fault's, before answering
	reaction bool
	buttons  []offeredButton
	inbox    *InboxMessage
}

// handleMessages serves POST /{version}/{phone-number-id}/messages: sends and mark-as-read.
func (s *Server) handleMessages(w http.ResponseWriter, r *http.Request, pnid string) {
	out := journal.OutboundData{}
	var o outcome
	res, gerr := s.sendMessage(w, r, pnid, &out, &o)
	// An injected fault's delay; a caller that gave up meanwhile still had its send taken or refused.
	_ = control.Sleep(r.Context(), o.delay)
	kind := journal.KindOutboundAccepted
	if out.Type == "read" || out.Type == "typing" {
		kind = journal.KindMarkRead
	}
	if gerr != nil {
		if kind != journal.KindMarkRead {
			kind = journal.KindOutboundRejected
		}
		out.HTTP, out.Code, out.Subcode, out.Error = gerr.HTTP, gerr.Code, gerr.Subcode, gerr.Message
		s.journal.Record(journal.SourceWhatsApp, kind, out.WaID, out)
		s.writeGraphError(w, gerr)
		return
	}
	out.HTTP = http.StatusOK
	s.journal.Record(journal.SourceWhatsApp, kind, out.WaID, out)
	if o.id != "" {
		s.afterAccept(o)
	}
	if sr, ok := res.(sendResponse); ok {
		b := appendSendResponse(make([]byte, 0, 192), sr)
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=UTF-8")
		h.Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// appendSendResponse writes the success body by hand: it is the hot path, and every string in it is
// already validated ASCII (digits and "+-() " in input, digits in wa_id, base64 in the id).
func appendSendResponse(b []byte, r sendResponse) []byte {
	b = append(b, `{"messaging_product":"whatsapp","contacts":[{"input":"`...)
	b = append(b, r.Contacts[0].Input...)
	b = append(b, `","wa_id":"`...)
	b = append(b, r.Contacts[0].WaID...)
	b = append(b, `"}],"messages":[{"id":"`...)
	b = append(b, r.Messages[0].ID...)
	if r.Messages[0].MessageStatus != "" {
		b = append(b, `","message_status":"`...)
		b = append(b, r.Messages[0].MessageStatus...)
	}
	return append(b, `"}]}`...)
}

type sendResponse struct {
	MessagingProduct string            `json:"messaging_product"`
	Contacts         []responseContact `json:"contacts"`
	Messages         []responseMessage `json:"messages"`
}

type responseContact struct {
	Input string `json:"input"`
	WaID  string `json:"wa_id"`
}

type responseMessage struct {
	ID            string `json:"id"`
	MessageStatus string `json:"message_status,omitempty"`
}

func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request, pnid string, out *journal.OutboundData, o *outcome) (any, *graphError) {
	body, gerr := s.readBody(w, r, s.cfg.maxBody)
	if gerr != nil {
		return nil, gerr
	}
	if gerr := s.authorize(r); gerr != nil {
		if json.Valid(body) {
			out.Body = body
		}
		return nil, gerr
	}
	if pnid != s.cfg.phoneNumberID {
		if json.Valid(body) {
			out.Body = body
		}
		return nil, errUnknownObject("post", pnid)
	}
	var req sendRequest
	if gerr := decodeJSON(body, &req); gerr != nil {
		if json.Valid(body) {
			out.Body = body
		}
		return nil, gerr
	}
	out.Body = body
	res, gerr := s.send(r, &req, out, o)
	if gerr != nil && req.Status == "" {
		s.describeRefused(&req, out)
	}
	return res, gerr
}

// send checks and takes a decoded send (or a mark-as-read), filling the journal record as it goes.
func (s *Server) send(r *http.Request, req *sendRequest, out *journal.OutboundData, o *outcome) (any, *graphError) {
	if req.MessagingProduct == "" {
		return nil, errRequired("messaging_product")
	}
	if req.MessagingProduct != "whatsapp" {
		return nil, errInvalid("Param messaging_product must be one of {WHATSAPP} - got %q.", req.MessagingProduct)
	}
	if req.Status != "" {
		return s.markRead(req, out)
	}
	if req.RecipientType != "" && req.RecipientType != "individual" {
		if req.RecipientType == "group" {
			return nil, s.unmodelled(r, "group messaging (recipient_type group)")
		}
		return nil, errInvalid("Param recipient_type must be one of {INDIVIDUAL, GROUP} - got %q.", req.RecipientType)
	}
	out.To = req.To
	if req.To == "" {
		return nil, errRequired("to")
	}
	waID, ok := normaliseRecipient(req.To)
	if !ok {
		return nil, errInvalid("Param to is not a valid phone number or WhatsApp ID: %q", req.To)
	}
	out.WaID = waID
	if req.Type == "" {
		req.Type = "text" // Graph's default when the type is left out
	}
	out.Type = req.Type
	if req.Context != nil {
		out.Context = req.Context.ID
	}
	if runes(req.BizOpaque) > 512 {
		return nil, errInvalid("Param biz_opaque_callback_data must be at most 512 characters long.")
	}
	buttons, gerr := s.checkContent(r, req, out)
	if gerr != nil {
		return nil, gerr
	}
	if waID == s.cfg.displayNumber {
		return nil, newError(CodeRecipientIsSender, "The recipient phone number is the sender phone number")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	c := s.state.customer(waID)
	out.InWindow = c.inWindow(now)
	var tpl templateSend
	if req.Type == "template" {
		var gerr *graphError
		if tpl, gerr = s.checkTemplateLocked(req.Template); gerr != nil {
			return nil, gerr
		}
		out.Template, out.Language, out.Category = tpl.tpl.Name, tpl.tpl.Language, tpl.tpl.Category
		out.Text, out.Header, out.Footer = tpl.text, tpl.header, tpl.footer
		buttons = tpl.buttons
		for _, b := range buttons {
			out.Buttons = append(out.Buttons, b.Title)
		}
	}
	code, msg, delay := s.takeFaultLocked()
	o.delay = delay
	if code != 0 {
		if !codes[code].async {
			return nil, newError(code, msg)
		}
		o.failCode = code
	}
	if !s.takeMPSLocked(now) {
		return nil, newError(CodeRateLimit, "Message failed to send because there were too many messages sent from this phone number in a short period of time")
	}
	if !s.takePairLocked(c, now) {
		return nil, newError(CodePairRateLimit, "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time")
	}
	if req.Type != "template" && !out.InWindow {
		if s.cfg.windowMode == WindowErrorSync {
			return nil, newError(CodeReengagement, windowDetails)
		}
		if o.failCode == 0 {
			o.failCode = CodeReengagement
		}
	}
	if req.Type == "reaction" {
		o.reaction = true
		if o.failCode == 0 && !s.reactableLocked(waID, req.Reaction.MessageID, now) {
			o.failCode = CodeParameterInvalid
		}
	}
	if o.failCode == 0 && tpl.tpl.Category == CategoryMarketing && c.marketingStopped {
		o.failCode = CodeMarketingStopped
	}
	if o.failCode == 0 && c.blocked {
		o.failCode = CodeUndeliverable
	}

	s.state.msgSeq++
	id := s.wamid(waID, s.state.msgSeq)
	o.id, o.waID, o.buttons = id, waID, buttons
	out.ID = id
	sm := &sentMessage{waID: waID, typ: req.Type, buttons: buttons, status: "accepted", category: "service", free: out.InWindow, opaque: req.BizOpaque, at: now}
	if req.Type == "template" {
		sm.category = strings.ToLower(tpl.tpl.Category)
		sm.free = out.InWindow && tpl.tpl.Category == CategoryUtility
	}
	s.state.sent[id] = sm
	if o.failCode == 0 {
		o.inbox = &InboxMessage{ID: id, Type: req.Type, Text: out.Text, Buttons: out.Buttons, Timestamp: now, Status: "delivered", Message: out.Body}
		if req.Type == "template" {
			o.inbox.Template = &InboxTemplate{Name: tpl.tpl.Name, Language: tpl.tpl.Language, Category: tpl.tpl.Category}
		}
		if req.Type == "interactive" {
			o.inbox.Interactive = req.Interactive.Type
		}
	}
	res := sendResponse{MessagingProduct: "whatsapp", Contacts: []responseContact{{Input: req.To, WaID: waID}}, Messages: []responseMessage{{ID: id}}}
	if req.Type == "template" {
		res.Messages[0].MessageStatus = "accepted"
	}
	return res, nil
}

// describeRefused completes the journal record of a refused send with what it tried to send, as far as
// the request says: the recipient, the type, the text or media, and for a template its name, language,
// category and text from the registry. The checks stop at the first error and fill the record as they
// go, so without this a template refused for its parameters would be journalled without its category,
// and the auditor judges attempts: a marketing template to a customer who opted out is a violation
// whether or not WhatsApp took it.
func (s *Server) describeRefused(req *sendRequest, out *journal.OutboundData) {
	if out.To == "" {
		out.To = req.To
	}
	if out.WaID == "" && (req.RecipientType == "" || req.RecipientType == "individual") {
		out.WaID, _ = normaliseRecipient(req.To)
	}
	if out.Type == "" {
		out.Type = cmp.Or(req.Type, "text")
	}
	if out.Context == "" && req.Context != nil {
		out.Context = req.Context.ID
	}
	switch {
	case out.Type == "text" && req.Text != nil && out.Text == "":
		out.Text = req.Text.Body
	case out.Type == "template" && req.Template != nil && out.Template == "":
		s.mu.Lock()
		s.describeTemplateLocked(req.Template, out)
		s.mu.Unlock()
	case mediaTypes[out.Type] != nil && out.MediaID == "" && out.Link == "":
		if m := mediaTypes[out.Type](req); m != nil {
			out.Text, out.MediaID, out.Link, out.Filename = m.Caption, m.ID, m.Link, m.Filename
		}
	}
}

const windowDetails = "Message failed to send because more than 24 hours have passed since the customer last replied to this number."

// wamid returns a deterministic message id in the shape of Meta's: "wamid.HBgL" and base64 of a
// protobuf-like record holding the wa_id and a sequence.
func (s *Server) wamid(waID string, n uint64) string {
	raw := make([]byte, 0, 64)
	raw = append(raw, 0x0b)
	raw = append(raw, waID...)
	raw = append(raw, 0x15, 0x02, 0x00, 0x11, 0x18, 0x12, 'P')
	raw = appendHex(raw, uint64(s.cfg.seed)*0x9e3779b97f4a7c15+n, 16)
	raw = appendHex(raw, n&0xffff, 4)
	return "wamid.HBgL" + base64RawStd(raw)
}

func appendHex(b []byte, v uint64, width int) []byte {
	const digits = "0123456789ABCDEF"
	for i := width - 1; i >= 0; i-- {
		b = append(b, digits[(v>>(4*uint(i)))&0xf])
	}
	return b
}

// checkContent validates the type-specific part of a send and fills the journal record.
func (s *Server) checkContent(r *http.Request, req *sendRequest, out *journal.OutboundData) ([]offeredButton, *graphError) {
	if req.Context != nil && req.Type == "reaction" {
		return nil, errInvalid("Param context is not allowed for reaction messages")
	}
	switch req.Type {
	case "text":
		if req.Text == nil || req.Text.Body == "" {
			return nil, errRequired("text['body']")
		}
		if runes(req.Text.Body) > MaxTextChars {
			return nil, errInvalid("Param text['body'] must be at most %d characters long.", MaxTextChars)
		}
		out.Text = req.Text.Body
	case "image", "audio", "video", "document", "sticker":
		m := mediaTypes[req.Type](req)
		if m == nil {
			return nil, errRequired(req.Type)
		}
		if (m.ID == "") == (m.Link == "") {
			return nil, errInvalid("Param %s must have exactly one of id or link", req.Type)
		}
		if m.Link != "" && !strings.HasPrefix(m.Link, "https://") && !strings.HasPrefix(m.Link, "http://") {
			return nil, errInvalid("Param %s['link'] must be an http or https URL", req.Type)
		}
		if m.ID != "" {
			s.mu.Lock()
			_, ok := s.state.media[m.ID]
			s.mu.Unlock()
			if !ok {
				return nil, errInvalid("Param %s['id'] is not a valid media id: %q", req.Type, m.ID)
			}
		}
		if m.Caption != "" && (req.Type == "audio" || req.Type == "sticker") {
			return nil, errInvalid("Param %s['caption'] is not allowed for %s messages", req.Type, req.Type)
		}
		if runes(m.Caption) > MaxCaptionChars {
			return nil, errInvalid("Param %s['caption'] must be at most %d characters long.", req.Type, MaxCaptionChars)
		}
		out.Text, out.MediaID, out.Link, out.Filename = m.Caption, m.ID, m.Link, m.Filename
	case "location":
		if req.Location == nil {
			return nil, errRequired("location")
		}
		for _, f := range []struct {
			name string
			raw  json.RawMessage
			max  float64
		}{{"latitude", req.Location.Latitude, 90}, {"longitude", req.Location.Longitude, 180}} {
			if len(f.raw) == 0 {
				return nil, errRequired("location['" + f.name + "']")
			}
			v, err := strconv.ParseFloat(strings.Trim(string(f.raw), `"`), 64)
			if err != nil || v < -f.max || v > f.max {
				return nil, newError(CodeParameterInvalid, fmt.Sprintf("location['%s'] must be a number between -%g and %g", f.name, f.max, f.max))
			}
		}
		out.Text = strings.TrimSpace(req.Location.Name + " " + req.Location.Address)
	case "contacts":
		if len(req.Contacts) == 0 {
			return nil, errRequired("contacts")
		}
		if len(req.Contacts) > MaxContacts {
			return nil, errInvalid("Param contacts must have at most %d elements", MaxContacts)
		}
		for i, c := range req.Contacts {
			if c.Name == nil || c.Name.FormattedName == "" {
				return nil, errRequired(fmt.Sprintf("contacts[%d]['name']['formatted_name']", i))
			}
		}
	case "reaction":
		if req.Reaction == nil || req.Reaction.MessageID == "" {
			return nil, errRequired("reaction['message_id']")
		}
		// emoji is required; the empty string removes the business's reaction (reaction-messages).
		if req.Reaction.Emoji == nil {
			return nil, errRequired("reaction['emoji']")
		}
		out.Text = *req.Reaction.Emoji
		out.Context = req.Reaction.MessageID
	case "interactive":
		return checkInteractive(req.Interactive, out, func(what string) *graphError { return s.unmodelled(r, what) })
	case "template":
		if req.Template == nil {
			return nil, errRequired("template")
		}
	default:
		return nil, newError(CodeUnsupportedType, fmt.Sprintf("Message type %q is not supported. Valid types: audio, contacts, document, image, interactive, location, reaction, sticker, template, text, video", req.Type))
	}
	return nil, nil
}

func invalidValue(format string, args ...any) *graphError {
	return newError(CodeParameterInvalid, fmt.Sprintf(format, args...))
}

func checkInteractive(in *interactiveBody, out *journal.OutboundData, unmodelled func(string) *graphError) ([]offeredButton, *graphError) {
	if in == nil {
		return nil, errRequired("interactive")
	}
	if in.Type == "" {
		return nil, errRequired("interactive['type']")
	}
	if in.Action == nil {
		return nil, errRequired("interactive['action']")
	}
	if in.Body == nil || in.Body.Text == "" {
		return nil, errRequired("interactive['body']['text']")
	}
	out.Text = in.Body.Text
	if in.Footer != nil {
		out.Footer = in.Footer.Text
	}
	if in.Header != nil && in.Header.Type == "text" {
		out.Header = in.Header.Text
	}
	if in.Footer != nil && runes(in.Footer.Text) > MaxHeaderFooterChars {
		return nil, invalidValue("Footer text length invalid. Min length: 1, Max length: %d", MaxHeaderFooterChars)
	}
	if in.Header != nil && in.Header.Type == "text" && runes(in.Header.Text) > MaxHeaderFooterChars {
		return nil, invalidValue("Header text length invalid. Min length: 1, Max length: %d", MaxHeaderFooterChars)
	}
	var offered []offeredButton
	switch in.Type {
	case "button":
		if runes(in.Body.Text) > MaxInteractiveBody {
			return nil, invalidValue("Body text length invalid. Min length: 1, Max length: %d", MaxInteractiveBody)
		}
		n := len(in.Action.Buttons)
		if n < 1 || n > MaxReplyButtons {
			return nil, invalidValue("Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: %d", MaxReplyButtons)
		}
		seenTitle, seenID := map[string]bool{}, map[string]bool{}
		for _, b := range in.Action.Buttons {
			if b.Type != "reply" {
				return nil, invalidValue("Button type %q is not valid; reply buttons have type reply", b.Type)
			}
			if t := runes(b.Reply.Title); t < 1 || t > MaxButtonTitleChars {
				return nil, invalidValue("Button title length invalid. Min length: 1, Max length: %d", MaxButtonTitleChars)
			}
			if id := runes(b.Reply.ID); id < 1 || id > 256 {
				return nil, invalidValue("Button id length invalid. Min length: 1, Max length: 256")
			}
			if seenTitle[b.Reply.Title] || seenID[b.Reply.ID] {
				return nil, invalidValue("Button title and id must be unique within the message")
			}
			seenTitle[b.Reply.Title], seenID[b.Reply.ID] = true, true
			offered = append(offered, offeredButton{Title: b.Reply.Title, ID: b.Reply.ID, Kind: "button_reply"})
		}
	case "list":
		if runes(in.Body.Text) > MaxListBody {
			return nil, invalidValue("Body text length invalid. Min length: 1, Max length: %d", MaxListBody)
		}
		if in.Header != nil && in.Header.Type != "text" {
			return nil, invalidValue("Header type %q is not valid for list messages; only text", in.Header.Type)
		}
		if t := runes(in.Action.Button); t < 1 || t > MaxButtonTitleChars {
			return nil, invalidValue("Button title length invalid. Min length: 1, Max length: %d", MaxButtonTitleChars)
		}
		if n := len(in.Action.Sections); n < 1 || n > MaxListSections {
			return nil, invalidValue("Invalid sections count. Min allowed sections: 1, Max allowed sections: %d", MaxListSections)
		}
		rows := 0
		for _, sec := range in.Action.Sections {
			if runes(sec.Title) > MaxRowTitleChars || (len(in.Action.Sections) > 1 && sec.Title == "") {
				return nil, invalidValue("Section title length invalid. Min length: 1, Max length: %d", MaxRowTitleChars)
			}
			for _, row := range sec.Rows {
				rows++
				if t := runes(row.Title); t < 1 || t > MaxRowTitleChars {
					return nil, invalidValue("Row title length invalid. Min length: 1, Max length: %d", MaxRowTitleChars)
				}
				if id := runes(row.ID); id < 1 || id > 200 {
					return nil, invalidValue("Row id length invalid. Min length: 1, Max length: 200")
				}
				if runes(row.Description) > MaxRowDescChars {
					return nil, invalidValue("Row description length invalid. Max length: %d", MaxRowDescChars)
				}
				offered = append(offered, offeredButton{Title: row.Title, ID: row.ID, Description: row.Description, Kind: "list_reply"})
			}
		}
		if rows < 1 || rows > MaxListRows {
			return nil, invalidValue("Total row count exceed max allowed count: %d", MaxListRows)
		}
	case "cta_url":
		if runes(in.Body.Text) > MaxInteractiveBody {
			return nil, invalidValue("Body text length invalid. Min length: 1, Max length: %d", MaxInteractiveBody)
		}
		p := in.Action.Parameters
		if p == nil || p.URL == "" || p.DisplayText == "" {
			return nil, errRequired("interactive['action']['parameters']")
		}
		if runes(p.DisplayText) > MaxButtonTitleChars {
			return nil, invalidValue("Display text length invalid. Min length: 1, Max length: %d", MaxButtonTitleChars)
		}
	case "location_request_message":
		// Asks the customer to share their location: a body and the one action send_location
		// (https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/location-request-messages).
		if t := runes(in.Body.Text); t < 1 || t > MaxInteractiveBody {
			return nil, invalidValue("Body text length invalid. Min length: 1, Max length: %d", MaxInteractiveBody)
		}
		if in.Action.Name != "send_location" {
			return nil, invalidValue("Action name %q is not valid for location request messages; only send_location", in.Action.Name)
		}
	case "product", "product_list", "catalog_message", "flow", "address_message", "call_permission_request":
		return nil, unmodelled("interactive type " + in.Type)
	default:
		return nil, invalidValue("Interactive type %q is not valid", in.Type)
	}
	for _, b := range offered {
		out.Buttons = append(out.Buttons, b.Title)
	}
	return offered, nil
}

// markRead handles {"status":"read","message_id":…} with or without a typing indicator.
func (s *Server) markRead(req *sendRequest, out *journal.OutboundData) (any, *graphError) {
	out.Type = "read"
	if req.TypingIndicator != nil {
		out.Type = "typing"
		if req.TypingIndicator.Type != "text" {
			return nil, errInvalid("Param typing_indicator['type'] must be one of {TEXT}")
		}
	}
	if req.Status != "read" {
		return nil, errInvalid("Param status must be one of {READ} - got %q.", req.Status)
	}
	if req.MessageID == "" {
		return nil, errRequired("message_id")
	}
	out.Context = req.MessageID
	s.mu.Lock()
	rm, ok := s.state.received[req.MessageID]
	s.mu.Unlock()
	waID := rm.waID
	if !ok {
		return nil, newError(CodeParameterInvalid, fmt.Sprintf("Message ID %q is not a message this business received", req.MessageID))
	}
	out.WaID = waID
	return map[string]bool{"success": true}, nil
}

// MaxReactionAge is how old a message may be and still be reacted to (Meta, reaction-messages).
const MaxReactionAge = 30 * 24 * time.Hour

// reactableLocked reports whether the business may react to message id in its chat with waID at now.
// Meta's reaction-messages page: a reaction to a message that "is more than 30 days old, doesn't
// correspond to any message in the chat thread, has been deleted, or is itself a reaction message" is
// accepted (200 and a wamid) and then not delivered, with a failed status webhook carrying 131009. A
// message of the chat thread is one the customer sent, or one the business sent that reached them; the
// page's example reacts to a customer's message, and the WhatsApp client lets either side react to its
// own messages as well. s.mu must be held.
func (s *Server) reactableLocked(waID, id string, now time.Time) bool {
	if rm, ok := s.state.received[id]; ok {
		return rm.waID == waID && rm.typ != "reaction" && now.Sub(rm.at) <= MaxReactionAge
	}
	if sm, ok := s.state.sent[id]; ok {
		return sm.waID == waID && sm.typ != "reaction" && sm.status != "failed" && now.Sub(sm.at) <= MaxReactionAge
	}
	return false
}

// afterAccept puts an accepted message on the customer's phone and queues its status webhooks. It runs
// after outbound.accepted is journalled, so every status event follows its send in the journal.
func (s *Server) afterAccept(o outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sm := s.state.sent[o.id]
	if sm == nil { // reset in between
		return
	}
	if o.failCode != 0 {
		sm.status = "failed"
		s.enqueueStatusesLocked(o.id, o.waID, []string{"failed"}, o.failCode)
		return
	}
	sm.status = "delivered"
	c := s.state.customer(o.waID)
	c.inbox = append(c.inbox, &inboxEntry{msg: *o.inbox, buttons: o.buttons})
	seq := []string{"sent", "delivered"}
	if o.reaction {
		seq = []string{"sent"} // reactions only ever get "sent" (Meta, reaction-messages)
	}
	s.enqueueStatusesLocked(o.id, o.waID, seq, 0)
	s.notifyLocked()
}
