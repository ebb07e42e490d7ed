package audit

import (
	"time"

	"github.com/parley-dev/parley/journal"
)

// windowCases are the table cases of the rules of the 24-hour window and templates: free-form messages
// inside the window, approved templates outside it.
var windowCases = []ruleCase{
	// WA-WINDOW-01
	{rule: "WA-WINDOW-01", name: "exactly 24h after the last message is inside", want: Passed, build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		b.wait(day).out(ana, "Tu pedido ha salido")
		return nil
	}},
	{rule: "WA-WINDOW-01", name: "one second past 24h", want: Broken, build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		return evid(b.wait(day+time.Second).out(ana, "Tu pedido ha salido"))
	}},
	{rule: "WA-WINDOW-01", name: "refused 131047 attempt still counts", want: Broken, build: func(b *jb) []uint64 {
		return evid(b.refused(ana, journal.OutboundData{Type: "text", Text: "hola", Code: 131047}))
	}},
	{rule: "WA-WINDOW-01", name: "template outside the window is not this rule's", want: NotExercised, build: func(b *jb) []uint64 {
		b.tpl(ana, "pedido_enviado", "UTILITY", "Tu pedido ha salido")
		return nil
	}},

	// WA-TPL-01
	{rule: "WA-TPL-01", name: "utility template with utility content", want: Passed, build: func(b *jb) []uint64 {
		b.tpl(ana, "pedido_enviado", "UTILITY", "Hola Ana, tu pedido 1234 ha salido.")
		return nil
	}},
	{rule: "WA-TPL-01", name: "discount inside a utility template", want: Broken, build: func(b *jb) []uint64 {
		return evid(b.tpl(ana, "pedido_enviado", "UTILITY", "Tu pedido ha salido. ¡20% de descuento en tu próxima compra!"))
	}},
	{rule: "WA-TPL-01", name: "unknown template refused", want: Broken, build: func(b *jb) []uint64 {
		return evid(b.refused(ana, journal.OutboundData{Type: "template", Template: "nope", Code: 132001}))
	}},
	{rule: "WA-TPL-01", name: "not in the approved registry", opts: Options{ApprovedTemplates: map[string]string{"pedido_enviado": "UTILITY"}}, want: Broken, build: func(b *jb) []uint64 {
		return evid(b.tpl(ana, "otra", "UTILITY", "hola"))
	}},
}
