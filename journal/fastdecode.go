package journal

import (
	"encoding/json"
	"fmt"
)

// The payloads the auditor reads, and the event itself, decoded by hand (scanner): on a million events
// encoding/json's reflection and its check of every input before decoding were most of the cost of
// auditing a journal read from JSON. Each decoder fills the target in place; when the scanner declines, the
// target is put back as it was, for encoding/json to fill.

// decodeFast decodes data into v, a pointer to one of the types above, and reports whether it could.
// With lean it leaves out the raw copies a reader may not need (InboundData.Message, OutboundData.Body),
// still checking them.
func decodeFast(data []byte, v any, lean bool) bool {
	c := stringCaches.Get().(*stringCache)
	defer stringCaches.Put(c)
	return decodeFastCached(data, v, lean, c)
}

// decodeFastCached is decodeFast with the strings of cache c (which may be nil).
func decodeFastCached(data []byte, v any, lean bool, c *stringCache) bool {
	s := newScanner(data)
	s.strs = c
	switch p := v.(type) {
	case *InboundData:
		saved := *p
		if p.scan(&s, lean); s.end() {
			return true
		}
		*p = saved
	case *OutboundData:
		saved := *p
		if p.scan(&s, lean); s.end() {
			return true
		}
		*p = saved
	case *StatusData:
		saved := *p
		if p.scan(&s); s.end() {
			return true
		}
		*p = saved
	case *WebhookAttemptData:
		saved := *p
		if p.scan(&s); s.end() {
			return true
		}
		*p = saved
	case *MediaData:
		saved := *p
		if p.scan(&s); s.end() {
			return true
		}
		*p = saved
	case *TLSProbeData:
		saved := *p
		if p.scan(&s); s.end() {
			return true
		}
		*p = saved
	case *DetectIntentData:
		saved := *p
		if p.scan(&s); s.end() {
			return true
		}
		*p = saved
	case *ContextsData:
		saved := *p
		if p.scan(&s); s.end() {
			return true
		}
		*p = saved
	case *DLPData:
		saved := *p
		if p.scan(&s); s.end() {
			return true
		}
		*p = saved
	case *ConsentData:
		saved := *p
		if p.scan(&s); s.end() {
			return true
		}
		*p = saved
	case *OptoutData:
		saved := *p
		if p.scan(&s); s.end() {
			return true
		}
		*p = saved
	case *DataRequestData:
		saved := *p
		if p.scan(&s); s.end() {
			return true
		}
		*p = saved
	case *CanaryData:
		saved := *p
		if p.scan(&s); s.end() {
			return true
		}
		*p = saved
	case *HookData:
		saved := *p
		if p.scan(&s); s.end() {
			return true
		}
		*p = saved
	case *HandoffData:
		saved := *p
		if p.scan(&s); s.end() {
			return true
		}
		*p = saved
	case *Event:
		saved := *p
		if p.scan(&s); s.end() {
			return true
		}
		*p = saved
	case *Page:
		if cap(p.Events) > 0 {
			return false // encoding/json decodes into the events already there
		}
		saved := *p
		if p.scan(&s); s.end() {
			return true
		}
		*p = saved
	}
	return false
}

// UnmarshalJSON decodes a page by hand, or with encoding/json where the hand decoder declines: a run in
// containers reads every event of every mock this way, over HTTP.
func (p *Page) UnmarshalJSON(b []byte) error {
	if decodeFast(b, p, false) {
		return nil
	}
	type plain Page // the same fields without this method
	return json.Unmarshal(b, (*plain)(p))
}

// scan reads a page: its events and the sequence number to ask after next.
func (p *Page) scan(s *scanner) {
	for k := s.first(); k != nil; k = s.next() {
		switch string(k) {
		case "events":
			p.Events = s.events()
		case "last":
			p.Last = s.uint64()
		default:
			s.fail()
		}
	}
}

// events reads an array of events.
func (s *scanner) events() []Event {
	return scanArray(s, func() Event {
		var e Event
		e.scan(s)
		return e
	})
}

// DecodeLean is Decode without the raw copies of what crossed the wire (InboundData.Message,
// OutboundData.Body), for readers that do not need them: those stay as they were in v. Like Decode, it
// copies the recorded value in the process that recorded the event; there the raw copies are kept.
func (e Event) DecodeLean(v any) error {
	if e.Typed(v) {
		return nil
	}
	if len(e.Data) == 0 {
		return fmt.Errorf("event %d (%s) has no data", e.Seq, e.Kind)
	}
	if decodeFast(e.Data, v, true) {
		return nil
	}
	var err error
	switch p := v.(type) {
	case *InboundData:
		l := inboundLean{InboundData: *p}
		if err = json.Unmarshal(e.Data, &l); err == nil {
			*p = l.InboundData
		}
	case *OutboundData:
		l := outboundLean{OutboundData: *p}
		if err = json.Unmarshal(e.Data, &l); err == nil {
			*p = l.OutboundData
		}
	default:
		err = json.Unmarshal(e.Data, v)
	}
	if err != nil {
		return fmt.Errorf("event %d (%s): %w", e.Seq, e.Kind, err)
	}
	return nil
}

// skipJSON takes a JSON value without keeping it.
type skipJSON struct{}

func (*skipJSON) UnmarshalJSON([]byte) error { return nil }

// inboundLean and outboundLean are what encoding/json decodes a lean payload into when the scanner
// declines it: the outer field shadows the embedded raw copy.
type inboundLean struct {
	InboundData
	Message skipJSON `json:"message"`
}

type outboundLean struct {
	OutboundData
	Body skipJSON `json:"body"`
}

// rawOrSkip reads a json.RawMessage field, or only checks it when lean.
func rawOrSkip(s *scanner, dst *json.RawMessage, lean bool) {
	if lean {
		s.skip(0)
		return
	}
	*dst = s.raw()
}

func (d *InboundData) scan(s *scanner, lean bool) {
	for k := s.first(); k != nil; k = s.next() {
		switch string(k) {
		case "id":
			d.ID = s.str()
		case "type":
			d.Type = s.str()
		case "text":
			d.Text = s.str()
		case "payload":
			d.Payload = s.str()
		case "message":
			rawOrSkip(s, &d.Message, lean)
		case "webhook_status":
			d.Status = s.int()
		case "attempts":
			d.Attempts = s.int()
		case "error":
			d.Error = s.str()
		default:
			s.fail()
		}
	}
}

func (d *OutboundData) scan(s *scanner, lean bool) {
	for k := s.first(); k != nil; k = s.next() {
		switch string(k) {
		case "id":
			d.ID = s.str()
		case "to":
			d.To = s.str()
		case "wa_id":
			d.WaID = s.str()
		case "type":
			d.Type = s.str()
		case "text":
			d.Text = s.str()
		case "header":
			d.Header = s.str()
		case "footer":
			d.Footer = s.str()
		case "template":
			d.Template = s.str()
		case "language":
			d.Language = s.str()
		case "category":
			d.Category = s.str()
		case "buttons":
			d.Buttons = s.strings()
		case "media_id":
			d.MediaID = s.str()
		case "link":
			d.Link = s.str()
		case "filename":
			d.Filename = s.str()
		case "context":
			d.Context = s.str()
		case "in_window":
			d.InWindow = s.bool()
		case "body":
			rawOrSkip(s, &d.Body, lean)
		case "http_status":
			d.HTTP = s.int()
		case "code":
			d.Code = s.int()
		case "subcode":
			d.Subcode = s.int()
		case "error":
			d.Error = s.str()
		default:
			s.fail()
		}
	}
}

func (d *StatusData) scan(s *scanner) {
	for k := s.first(); k != nil; k = s.next() {
		switch string(k) {
		case "id":
			d.ID = s.str()
		case "status":
			d.Status = s.str()
		case "recipient_id":
			d.Recipient = s.str()
		case "code":
			d.Code = s.int()
		case "error":
			d.Error = s.str()
		default:
			s.fail()
		}
	}
}

func (d *WebhookAttemptData) scan(s *scanner) {
	for k := s.first(); k != nil; k = s.next() {
		switch string(k) {
		case "url":
			d.URL = s.str()
		case "field":
			d.Field = s.str()
		case "ref_id":
			d.RefID = s.str()
		case "attempt":
			d.Attempt = s.int()
		case "status":
			d.Status = s.int()
		case "error":
			d.Error = s.str()
		case "signed":
			d.Signed = s.bool()
		case "duplicate":
			d.Duplicate = s.bool()
		default:
			s.fail()
		}
	}
}

func (d *MediaData) scan(s *scanner) {
	for k := s.first(); k != nil; k = s.next() {
		switch string(k) {
		case "id":
			d.ID = s.str()
		case "mime_type":
			d.MimeType = s.str()
		case "filename":
			d.Filename = s.str()
		case "size":
			d.Size = s.int()
		case "content":
			d.Content = s.bytes()
		case "truncated":
			d.Truncated = s.bool()
		default:
			s.fail()
		}
	}
}

func (d *TLSProbeData) scan(s *scanner) {
	for k := s.first(); k != nil; k = s.next() {
		switch string(k) {
		case "url":
			d.URL = s.str()
		case "version":
			d.Version = s.str()
		case "accepted":
			d.Accepted = s.bool()
		case "error":
			d.Error = s.str()
		default:
			s.fail()
		}
	}
}

// scan reads a query. Its parameters are read into a map of their own and merged into the target's only
// once everything was read, as encoding/json fills an existing map rather than replacing it.
func (d *DetectIntentData) scan(s *scanner) {
	var params []map[string]any
	for k := s.first(); k != nil; k = s.next() {
		switch string(k) {
		case "api":
			d.API = s.str()
		case "transport":
			d.Transport = s.str()
		case "session":
			d.Session = s.str()
		case "session_id":
			d.SessionID = s.str()
		case "project":
			d.Project = s.str()
		case "language":
			d.Language = s.str()
		case "text":
			d.Text = s.str()
		case "event":
			d.Event = s.str()
		case "parameters":
			m := map[string]any{}
			s.anyObject(m, 1)
			params = append(params, m)
		case "intent":
			d.Intent = s.str()
		case "confidence":
			d.Confidence = s.float64()
		case "fallback":
			d.Fallback = s.bool()
		case "reply":
			d.Reply = s.str()
		case "code":
			d.Code = s.str()
		case "error":
			d.Error = s.str()
		default:
			s.fail()
		}
	}
	if !s.end() { // the payload is the whole input: nothing may follow it
		return
	}
	for _, m := range params {
		if d.Parameters == nil {
			d.Parameters = m
			continue
		}
		for k, v := range m {
			d.Parameters[k] = v
		}
	}
}

func (d *ContextsData) scan(s *scanner) {
	for k := s.first(); k != nil; k = s.next() {
		switch string(k) {
		case "session":
			d.Session = s.str()
		case "session_id":
			d.SessionID = s.str()
		case "contexts":
			d.Contexts = s.strings()
		case "all":
			d.All = s.bool()
		default:
			s.fail()
		}
	}
}

func (d *DLPData) scan(s *scanner) {
	for k := s.first(); k != nil; k = s.next() {
		switch string(k) {
		case "transport":
			d.Transport = s.str()
		case "text":
			d.Text = s.str()
		case "result":
			d.Result = s.str()
		case "info_types":
			d.InfoTypes = s.strings()
		case "findings":
			d.Findings = s.int()
		case "found":
			d.Found = s.strings()
		case "parent":
			d.Parent = s.str()
		case "code":
			d.Code = s.str()
		case "error":
			d.Error = s.str()
		default:
			s.fail()
		}
	}
}

func (d *ConsentData) scan(s *scanner) {
	for k := s.first(); k != nil; k = s.next() {
		switch string(k) {
		case "purpose":
			d.Purpose = s.str()
		case "channel":
			d.Channel = s.str()
		case "wording":
			d.Wording = s.str()
		default:
			s.fail()
		}
	}
}

func (d *OptoutData) scan(s *scanner) {
	for k := s.first(); k != nil; k = s.next() {
		switch string(k) {
		case "via":
			d.Via = s.str()
		case "phrase":
			d.Phrase = s.str()
		default:
			s.fail()
		}
	}
}

func (d *DataRequestData) scan(s *scanner) {
	for k := s.first(); k != nil; k = s.next() {
		switch string(k) {
		case "right":
			d.Right = s.str()
		case "wording":
			d.Wording = s.str()
		case "old":
			d.Old = s.str()
		case "new":
			d.New = s.str()
		default:
			s.fail()
		}
	}
}

func (d *CanaryData) scan(s *scanner) {
	for k := s.first(); k != nil; k = s.next() {
		switch string(k) {
		case "type":
			d.Type = s.str()
		case "value":
			d.Value = s.str()
		default:
			s.fail()
		}
	}
}

func (d *HookData) scan(s *scanner) {
	for k := s.first(); k != nil; k = s.next() {
		switch string(k) {
		case "hook":
			d.Hook = s.str()
		case "order":
			d.Order = s.str()
		case "status":
			d.Status = s.int()
		case "error":
			d.Error = s.str()
		default:
			s.fail()
		}
	}
}

func (d *HandoffData) scan(s *scanner) {
	for k := s.first(); k != nil; k = s.next() {
		switch string(k) {
		case "phrase":
			d.Phrase = s.str()
		default:
			s.fail()
		}
	}
}

// scanField reads one key of an event as written by WriteJSONL.
func (e *Event) scan(s *scanner) {
	for k := s.first(); k != nil; k = s.next() {
		switch string(k) {
		case "seq":
			e.Seq = s.uint64()
		case "at":
			// time.Time decodes itself from the quoted bytes, as encoding/json hands them over.
			if s.peek() != '"' {
				s.fail()
				return
			}
			start := s.i
			s.skipString()
			if s.ok && e.At.UnmarshalJSON(s.b[start:s.i]) != nil {
				s.fail()
			}
		case "source":
			e.Source = Source(s.str())
		case "kind":
			e.Kind = s.str()
		case "customer":
			e.Customer = s.str()
		case "data":
			e.Data = s.raw()
		default:
			s.fail()
		}
	}
}
