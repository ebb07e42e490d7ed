package dialogflow

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestResponseIDAsBefore: responseIDLocked writes the hex itself; the ids are those fmt wrote.
func TestResponseIDAsBefore(t *testing.T) {
	s := &Server{rng: rand.New(rand.NewPCG(7, 7^0x9e3779b97f4a7c15))}
	ref := rand.New(rand.NewPCG(7, 7^0x9e3779b97f4a7c15))
	for range 1000 {
		b := make([]byte, 20)
		for i := range b {
			b[i] = byte(ref.UintN(256))
		}
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		want := fmt.Sprintf("%x-%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16], b[16:20])
		if got := s.responseIDLocked(); got != want {
			t.Fatalf("responseIDLocked() = %q, want %q", got, want)
		}
	}
}
