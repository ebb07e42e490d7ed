package reference

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strconv"
	"sync"
)

// macPool hands out HMAC-SHA256s keyed once under one key, each with room for its input and its sum:
// keying one costs two SHA-256 blocks and a kilobyte of garbage, and a sum or an input written through
// the hash.Hash interface escapes to the heap unless it lives in the pooled value.
type macPool struct {
	key  []byte
	pool sync.Pool
}

type pooledMAC struct {
	h   hash.Hash
	in  []byte
	sum [sha256.Size]byte
}

func newMACPool(key []byte) *macPool { return &macPool{key: key} }

func (p *macPool) get() *pooledMAC {
	if m, ok := p.pool.Get().(*pooledMAC); ok {
		return m
	}
	return &pooledMAC{h: hmac.New(sha256.New, p.key)}
}

func (p *macPool) put(m *pooledMAC) {
	m.h.Reset()
	if cap(m.in) <= 1<<10 { // a long input's buffer is not kept
		m.in = m.in[:0]
		p.pool.Put(m)
	}
}

// sumOf returns the MAC of m.in (and of anything already written to m.h).
func (m *pooledMAC) sumOf() []byte {
	m.h.Write(m.in)
	return m.h.Sum(m.sum[:0])
}

// sessionHash is hex(HMAC(key, waID+":"+gen))[:32], what fmt.Fprintf(m, "%s:%d", waID, gen) hashed.
func (p *macPool) sessionHash(waID string, gen int) string {
	m := p.get()
	m.in = strconv.AppendInt(append(append(m.in, waID...), ':'), int64(gen), 10)
	s := hex.EncodeToString(m.sumOf()[:16])
	p.put(m)
	return s
}

// prefixedHash is hex(HMAC(key, prefix+s)).
func (p *macPool) prefixedHash(prefix, s string) string {
	m := p.get()
	m.in = append(append(m.in, prefix...), s...)
	out := hex.EncodeToString(m.sumOf())
	p.put(m)
	return out
}

// signed says whether header is "sha256=" and the hex HMAC of body (either case of hex digits), compared
// in constant time.
func (p *macPool) signed(body []byte, header string) bool {
	const prefix = "sha256="
	if len(header) != len(prefix)+2*sha256.Size || header[:len(prefix)] != prefix {
		return false
	}
	var got [sha256.Size]byte
	for i := range got {
		hi, ok1 := unhex(header[len(prefix)+2*i])
		lo, ok2 := unhex(header[len(prefix)+2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		got[i] = hi<<4 | lo
	}
	m := p.get()
	m.h.Write(body)
	ok := hmac.Equal(got[:], m.h.Sum(m.sum[:0]))
	p.put(m)
	return ok
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
