package journal

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
	"unicode/utf8"
)

// Event is one entry of the journal.
type Event struct {
	Seq      uint64          `json:"seq"`
	At       time.Time       `json:"at"`
	Source   Source          `json:"source"`
	Kind     string          `json:"kind"`
	Customer string          `json:"customer,omitempty"`
	Data     json.RawMessage `json:"data,omitempty"`
	// Value is the payload as Record was given it in this process, so that readers in the same process
	// (the auditor over a million events, above all) can skip decoding Data; nil for events read from JSON
	// Lines or over HTTP, and for payloads given by pointer (which the caller might change afterwards).
	// It is shared by every copy of the event: treat it as read-only.
	Value any `json:"-"`
}

// Decode unmarshals the event's payload into v (a pointer to one of the …Data types, usually). In the
// process that recorded the event it copies the recorded value instead when Typed can.
func (e Event) Decode(v any) error {
	if e.Typed(v) {
		return nil
	}
	if len(e.Data) == 0 {
		return fmt.Errorf("event %d (%s) has no data", e.Seq, e.Kind)
	}
	if decodeFast(e.Data, v, false) {
		return nil
	}
	if err := json.Unmarshal(e.Data, v); err != nil {
		return fmt.Errorf("event %d (%s): %w", e.Seq, e.Kind, err)
	}
	return nil
}

// Journal is an append-only, ordered record of events, safe for concurrent use. The zero value is not
// usable; call New.
type Journal struct {
	clock *Clock

	mu sync.Mutex
	// chunks hold the events in order: every chunk but the last holds exactly eventChunk events and is
	// never reallocated, so a growing journal copies at most one chunk, not every event it holds.
	chunks [][]Event
	n      int // events in all chunks
	// changed is closed on the append after someone took it (changedLocked), so waiters wake without
	// polling; nil while no one waits, so an append nobody waits for makes no channel.
	changed chan struct{}
	// awaiting are the AwaitAfter calls waiting for an event: an append hands each the event if it matches,
	// so a waiter wakes once, for its event, not on every append before it.
	awaiting []*awaiter
}

// awaiter is an AwaitAfter call waiting for the first appended event that match accepts.
type awaiter struct {
	after uint64 // the events it has looked at: after a Reset, those numbered up to it again are not its
	match func(Event) bool
	got   chan Event // buffered (1): the append that matches never blocks
}

// New returns an empty journal whose events are stamped with clock's time. A nil clock gets a new one
// starting at DefaultStart.
func New(clock *Clock) *Journal {
	if clock == nil {
		clock = NewClock(time.Time{})
	}
	return &Journal{clock: clock}
}

// Clock returns the simulated clock that stamps this journal's events.
func (j *Journal) Clock() *Clock { return j.clock }

// Record appends an event with the current simulated time and data marshalled to JSON, and returns it.
// Data that cannot be marshalled is recorded as a JSON string describing the error, so nothing is lost.
// A RequestData's text fields are cut to MaxRequestField bytes.
func (j *Journal) Record(source Source, kind, customer string, data any) Event {
	switch d := data.(type) {
	case RequestData:
		data = d.capped()
	case *RequestData:
		if d != nil {
			c := d.capped()
			data = &c
		}
	}
	var raw json.RawMessage
	if data != nil {
		p := getPayloadEncoder()
		if err := p.enc.Encode(data); err != nil {
			p.buf.Reset()
			_ = p.enc.Encode(map[string]string{"marshal_error": err.Error()})
			data = nil // Data says what went wrong; the value would contradict it
		}
		// An exact copy: the event keeps no spare capacity, and the encoder goes back to the pool.
		enc := bytes.TrimSuffix(p.buf.Bytes(), []byte("\n"))
		raw = make(json.RawMessage, len(enc))
		copy(raw, enc)
		putPayloadEncoder(p)
	}
	e := Event{Source: source, Kind: kind, Customer: customer, Data: raw}
	if typedOK(data) {
		e.Value = data
	}
	return j.Append(e)
}

// payloadEncoder is a buffer with its JSON encoder, reused by Record: a new encoder and a growing buffer
// per event were three allocations of every recorded payload.
type payloadEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var payloadEncoders sync.Pool

func getPayloadEncoder() *payloadEncoder {
	if p, ok := payloadEncoders.Get().(*payloadEncoder); ok {
		return p
	}
	p := &payloadEncoder{}
	p.enc = json.NewEncoder(&p.buf)
	p.enc.SetEscapeHTML(false) // keep "<" and "&" readable in exports; the payload is data, not HTML
	return p
}

// maxPooledPayload keeps a rare huge payload's buffer (a media message's body) out of the pool.
const maxPooledPayload = 64 << 10

func putPayloadEncoder(p *payloadEncoder) {
	if p.buf.Cap() > maxPooledPayload {
		return
	}
	p.buf.Reset()
	payloadEncoders.Put(p)
}

// Append adds e to the journal, giving it the next sequence number and, when e.At is zero, the current
// simulated time. It returns the event as stored.
func (j *Journal) Append(e Event) Event {
	if !utf8.Valid(e.Data) {
		e.Data = validUTF8(e.Data)
	}
	if e.At.IsZero() {
		e.At = j.clock.Now()
	}
	j.mu.Lock()
	e.Seq = uint64(j.n) + 1
	last := len(j.chunks) - 1
	if last < 0 || len(j.chunks[last]) == eventChunk {
		capacity := eventChunk
		if last < 0 {
			capacity = 0 // the first chunk grows as a slice does: most journals stay small
		}
		j.chunks = append(j.chunks, make([]Event, 0, capacity))
		last++
	}
	j.chunks[last] = append(j.chunks[last], e)
	j.n++
	j.wakeLocked()
	j.handLocked(e)
	j.mu.Unlock()
	return e
}

// handLocked gives e to the waiters whose match accepts it, and forgets them. j.mu must be held.
func (j *Journal) handLocked(e Event) {
	kept := j.awaiting[:0]
	for _, w := range j.awaiting {
		if e.Seq > w.after && w.match(e) {
			w.got <- e
			continue
		}
		kept = append(kept, w)
	}
	clear(j.awaiting[len(kept):])
	j.awaiting = kept
}

// validUTF8 returns b with every byte that is not part of valid UTF-8 replaced by U+FFFD, as
// encoding/json decodes such a byte. encoding/json copies a json.RawMessage unchecked, so a payload that
// embeds a request body as sent would otherwise carry the raw bytes into every page and export, which
// JSON (RFC 8259, section 8.1) does not allow. In valid JSON such bytes can only sit inside strings, so
// the result stays valid JSON.
func validUTF8(b []byte) json.RawMessage {
	out := make(json.RawMessage, 0, len(b)+8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return out
}

// Len returns the number of events recorded.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.n
}

// Last returns the sequence number of the newest event, 0 when empty.
func (j *Journal) Last() uint64 { return uint64(j.Len()) }

// Events returns a copy of every event, in order.
func (j *Journal) Events() []Event { return j.After(0) }

// After returns a copy of the events whose sequence number is greater than seq, in order.
func (j *Journal) After(seq uint64) []Event {
	j.mu.Lock()
	defer j.mu.Unlock()
	if seq >= uint64(j.n) {
		return nil
	}
	out := make([]Event, 0, uint64(j.n)-seq)
	for i := int(seq); i < j.n; {
		run := j.runLocked(i, j.n)
		out = append(out, run...)
		i += len(run)
	}
	return out
}

// eventChunk is the number of events in each full chunk of a journal (about half a megabyte).
const eventChunk = 4096

// runLocked returns the events from index from (0-based) up to index to, or up to the end of from's
// chunk if that comes first. The events are never changed once appended, so the run may be read after
// j.mu is released. j.mu must be held.
func (j *Journal) runLocked(from, to int) []Event {
	c := j.chunks[from/eventChunk]
	lo, hi := from%eventChunk, min(to-from/eventChunk*eventChunk, len(c))
	return c[lo:hi:hi]
}

// Page is what every mock answers to GET /_parley/journal?after=N, the same for all: the events after
// sequence number N and Last, the number to ask after next time (N itself when nothing is new).
type Page struct {
	Events []Event `json:"events"`
	Last   uint64  `json:"last"`
	// Now is the journal's simulated time, read after the events: a reader that records events of its
	// own beside these (the containers harness) stamps them with it, without asking for the clock in a
	// request of its own. Zero, and left out of the JSON, from a mock that does not say.
	Now time.Time `json:"now,omitzero"`
}

// PageAfter returns the events after seq as a Page, with the clock's time once they are read; Events is
// empty, never nil, so it encodes as [].
func (j *Journal) PageAfter(seq uint64) Page {
	p := Page{Events: j.After(seq), Last: seq}
	p.Now = j.clock.Now()
	if n := len(p.Events); n > 0 {
		p.Last = p.Events[n-1].Seq
	} else {
		p.Events = []Event{}
	}
	return p
}

// Filter returns a copy of the events for which keep returns true, in order.
func (j *Journal) Filter(keep func(Event) bool) []Event {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []Event
	for _, c := range j.chunks {
		for _, e := range c {
			if keep(e) {
				out = append(out, e)
			}
		}
	}
	return out
}

// Await returns the first event, from the beginning of the journal, that satisfies match, waiting for new
// events until ctx is done. It returns ctx's error, wrapped, when nothing matched in time.
func (j *Journal) Await(ctx context.Context, match func(Event) bool) (Event, error) {
	return j.AwaitAfter(ctx, 0, match)
}

// AwaitAfter is Await over the events after sequence number seq only. Once it has looked at every event
// there is, match is called by the goroutines that append, under the journal's lock, on each new event
// until one matches: it must not call the journal, and the waiter wakes once, for that event.
func (j *Journal) AwaitAfter(ctx context.Context, seq uint64, match func(Event) bool) (Event, error) {
	next := seq
	for {
		j.mu.Lock()
		n := j.n
		if int(next) >= n {
			// Nothing left to look at: wait for the appends to hand over the first event that matches.
			// Registered under the lock that the last look took, so no event falls between the two.
			w := &awaiter{after: next, match: match, got: make(chan Event, 1)}
			j.awaiting = append(j.awaiting, w)
			j.mu.Unlock()
			select {
			case e := <-w.got:
				return e, nil
			case <-ctx.Done():
				j.mu.Lock()
				j.forgetLocked(w)
				j.mu.Unlock()
				select {
				case e := <-w.got: // matched before it was forgotten
					return e, nil
				default:
				}
				return Event{}, fmt.Errorf("waiting for a journal event after #%d: %w", next, ctx.Err())
			}
		}
		events := j.runLocked(int(next), n) // events are never changed once appended
		j.mu.Unlock()
		for _, e := range events {
			if match(e) {
				return e, nil
			}
		}
		next += uint64(len(events))
	}
}

// forgetLocked removes w from the waiters, if an append has not already. j.mu must be held.
func (j *Journal) forgetLocked(w *awaiter) {
	for i, x := range j.awaiting {
		if x == w {
			j.awaiting = slices.Delete(j.awaiting, i, i+1)
			return
		}
	}
}

// Changed returns a channel that is closed at the next append. Callers that wait on their own conditions
// (state held elsewhere, but journalled) use it to wake without polling.
func (j *Journal) Changed() <-chan struct{} {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.changedLocked()
}

// changedLocked returns the channel the next append closes. j.mu must be held.
func (j *Journal) changedLocked() chan struct{} {
	if j.changed == nil {
		j.changed = make(chan struct{})
	}
	return j.changed
}

// wakeLocked closes the channel of those waiting for an append, if any. j.mu must be held.
func (j *Journal) wakeLocked() {
	if j.changed != nil {
		close(j.changed)
		j.changed = nil
	}
}

// Reset drops every event. Sequence numbers start again at 1.
func (j *Journal) Reset() {
	j.mu.Lock()
	j.chunks, j.n = nil, 0
	j.wakeLocked()
	j.mu.Unlock()
}

// WriteJSONL writes every event as one JSON object per line.
func (j *Journal) WriteJSONL(w io.Writer) error { return WriteJSONL(w, j.Events()) }

// WriteJSONL writes events as one JSON object per line.
func WriteJSONL(w io.Writer, events []Event) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, e := range events {
		if err := enc.Encode(e); err != nil {
			return fmt.Errorf("writing event %d: %w", e.Seq, err)
		}
	}
	return bw.Flush()
}

// MaxLineBytes bounds one line of a JSON Lines journal on import.
const MaxLineBytes = 16 << 20

// ReadJSONL reads events written by WriteJSONL. Blank lines are skipped; a line that is not an event is an
// error naming its line number. Events keep the sequence numbers and times they were written with, so a
// merged or damaged journal can be inspected as it is.
func ReadJSONL(r io.Reader) ([]Event, error) {
	var out []Event
	jr := NewReader(r)
	for {
		e, err := jr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
}

// Reader reads the events of a JSON Lines journal one at a time, holding no more than one line
// (MaxLineBytes at most) besides the events it returns, so a reader that keeps only what it needs of each
// event reads a journal of any length in bounded memory.
type Reader struct {
	sc   *bufio.Scanner
	line int
	strs stringCache // kinds, sources and customers recur on every line
}

// NewReader returns a Reader of the journal in r.
func NewReader(r io.Reader) *Reader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineBytes)
	return &Reader{sc: sc}
}

// Next returns the next event, or io.EOF after the last. Blank lines are skipped; a line that is not an
// event is an error naming its line number, as ReadJSONL's are.
func (r *Reader) Next() (Event, error) {
	for r.sc.Scan() {
		r.line++
		b := r.sc.Bytes()
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		e, err := decodeEvent(b, &r.strs)
		if err != nil {
			return Event{}, fmt.Errorf("journal line %d: %w", r.line, err)
		}
		if e.Kind == "" {
			return Event{}, fmt.Errorf("journal line %d: event has no kind", r.line)
		}
		return e, nil
	}
	if err := r.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return Event{}, fmt.Errorf("journal line %d: longer than %d bytes", r.line+1, MaxLineBytes)
		}
		return Event{}, fmt.Errorf("reading journal: %w", err)
	}
	return Event{}, io.EOF
}

// decodeEvent decodes one event by hand, or with encoding/json when the line is not plain (scanner).
// Neither keeps a reference to b.
func decodeEvent(b []byte, c *stringCache) (Event, error) {
	var e Event
	if decodeFastCached(b, &e, false, c) {
		return e, nil
	}
	e = Event{}
	err := json.Unmarshal(b, &e)
	return e, err
}
