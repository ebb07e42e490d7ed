package reference

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parley-dev/parley/mocks/whatsapp"
)

func BenchmarkRecognise(b *testing.B) {
	phrases := []string{"no quiero recibir más mensajes vuestros", "¿dónde está mi pedido TE-1001?", "borrad todos mis datos", "hola"}
	for i := 0; b.Loop(); i++ {
		recognise(phrases[i%len(phrases)])
	}
}

// BenchmarkTurn is one customer message end to end: signed webhook, DLP, Dialogflow (gRPC) and the
// replies through the WhatsApp mock, in-process on loopback. Each iteration is a new customer's
// first contact (welcome, order answer, opt-in prompt), so the per-customer pair rate limit never applies.
func BenchmarkTurn(b *testing.B) {
	// Without the assistant's own pacing (70 sends/s) and the mock's throttle, this measures the work.
	e := newEnvWith(b, []whatsapp.Option{whatsapp.WithMPS(0)}, []Option{WithSendRate(0)})
	i := 0
	for b.Loop() {
		w := fmt.Sprintf("3469%07d", i)
		i++
		if _, err := e.wa.SendFromCustomer(e.ctx, w, whatsapp.CustomerMessage{Text: "¿dónde está mi pedido TE-1001?"}); err != nil {
			b.Fatal(err)
		}
		if _, err := e.wa.AwaitInbox(e.ctx, w, 3); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecogniseLong is the worst case the assistant accepts: a 1000-character message.
func BenchmarkRecogniseLong(b *testing.B) {
	long := strings.Repeat("hola quiero saber donde esta mi pedido ", 26)[:maxProcessRunes]
	for b.Loop() {
		recognise(long)
	}
}
