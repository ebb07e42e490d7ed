package audit

// customerServiceCases are the table cases of the rules of customer service law: a tracking code and the
// customer's language.
var customerServiceCases = []ruleCase{
	// ES-CS-01
	{rule: "ES-CS-01", name: "complaint in English, answered in English with a code", want: Passed, build: func(b *jb) []uint64 {
		b.in(ana, "I want to file a complaint, my order has not arrived")
		b.out(ana, "We are sorry. Your complaint is registered with tracking code REC-2026-0007.")
		return nil
	}},
	{rule: "ES-CS-01", name: "complaint in English answered in Spanish", want: Broken, build: func(b *jb) []uint64 {
		i := b.in(ana, "I want to file a complaint, my order has not arrived")
		return evid(i, b.out(ana, "Lo sentimos, hemos registrado tu queja con el código REC-2026-0007."))
	}},
	{rule: "ES-CS-01", name: "no tracking code", want: Broken, build: func(b *jb) []uint64 {
		i := b.in(ana, "Quiero poner una queja")
		return evid(i, b.out(ana, "Lo sentimos mucho."))
	}},
	{rule: "ES-CS-01", name: "an English greeting answered in Spanish", want: Broken, build: func(b *jb) []uint64 {
		i := b.in(ana, "Hello there")
		return evid(i, b.out(ana, welcomeText))
	}},
	{rule: "ES-CS-01", name: "a Spanish greeting answered in Spanish", want: Passed, build: func(b *jb) []uint64 {
		b.greet(ana)
		return nil
	}},
	{rule: "ES-CS-01", name: "out of scope", opts: Options{OutOfCustomerServiceLaw: true}, want: NotExercised, build: func(b *jb) []uint64 {
		b.in(ana, "Quiero poner una queja")
		b.out(ana, "Lo sentimos mucho.")
		return nil
	}},
}
