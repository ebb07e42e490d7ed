package pii

import (
	"strings"
	"testing"
)

func TestValidators(t *testing.T) {
	tests := []struct {
		name  string
		check func(string) bool
		in    string
		want  bool
	}{
		{"dni valid", ValidDNI, "12345678Z", true},
		{"dni valid lower with dots", ValidDNI, "12.345.678-z", true},
		{"dni wrong letter", ValidDNI, "12345678A", false},
		{"dni seven digits", ValidDNI, "1234567Z", false},
		{"dni zero", ValidDNI, "00000000T", true},
		{"nie X", ValidNIE, "X1234567L", true},
		{"nie Y", ValidNIE, "Y1234567X", true},
		{"nie Z", ValidNIE, "Z1234567R", true},
		{"nie wrong letter", ValidNIE, "X1234567A", false},
		{"nie bad prefix", ValidNIE, "W1234567L", false},
		{"iban es", ValidIBAN, "ES9121000418450200051332", true},
		{"iban es grouped lower", ValidIBAN, "es91 2100 0418 4502 0005 1332", true},
		{"iban es wrong check", ValidIBAN, "ES9121000418450200051333", false},
		{"iban es wrong length", ValidIBAN, "ES912100041845020005133", false},
		{"iban gb", ValidIBAN, "GB82WEST12345698765432", true},
		{"iban de", ValidIBAN, "DE89370400440532013000", true},
		{"iban de wrong", ValidIBAN, "DE89370400440532013001", false},
		{"luhn visa", Luhn, "4111111111111111", true},
		{"luhn mastercard", Luhn, "5555555555554444", true},
		{"luhn amex", Luhn, "378282246310005", true},
		{"luhn grouped", Luhn, "4111-1111-1111-1111", true},
		{"luhn fails", Luhn, "4111111111111112", false},
		{"luhn letters", Luhn, "4111a11111111111", false},
		{"nuss 8-digit N", ValidNUSS, "281234567840", true},
		{"nuss 7-digit N", ValidNUSS, "080123456774", true},
		{"nuss grouped", ValidNUSS, "28/12345678/40", true},
		{"nuss wrong control", ValidNUSS, "281234567841", false},
		{"nuss bad province", ValidNUSS, "991234567840", false},
		{"nuss short", ValidNUSS, "28123456784", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.check(tt.in); got != tt.want {
				t.Errorf("check(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestGenerators(t *testing.T) {
	for seed := -5; seed < 2000; seed += 7 {
		if d := MakeDNI(seed * 48271); !ValidDNI(d) || len(d) != 9 {
			t.Fatalf("MakeDNI(%d) = %q invalid", seed, d)
		}
		if n := MakeNIE(seed * 16807); !ValidNIE(n) {
			t.Fatalf("MakeNIE(%d) = %q invalid", seed, n)
		}
		if ib := MakeSpanishIBAN(seed); !ValidIBAN(ib) || len(ib) != 24 || !strings.HasPrefix(ib, "ES") {
			t.Fatalf("MakeSpanishIBAN(%d) = %q invalid", seed, ib)
		}
		for _, p := range []string{"4", "4111", "5555", "37", "6011"} {
			c := MakeCard(p, seed)
			if !Luhn(c) || !strings.HasPrefix(c, p) {
				t.Fatalf("MakeCard(%q,%d) = %q invalid", p, seed, c)
			}
		}
		if nu := MakeNUSS(1+seed%53, seed); !ValidNUSS(nu) {
			t.Fatalf("MakeNUSS(%d) = %q invalid", seed, nu)
		}
	}
	if MakeDNI(12345678) != "12345678Z" {
		t.Errorf("MakeDNI(12345678) = %q", MakeDNI(12345678))
	}
	if MakeIBAN("ES", "21000418450200051332") != "ES9121000418450200051332" {
		t.Errorf("MakeIBAN = %q", MakeIBAN("ES", "21000418450200051332"))
	}
	if MakeCard("4111", 1) == MakeCard("4111", 2) {
		t.Errorf("MakeCard ignores the seed")
	}
	// Generated values are found by Find, as canaries must be.
	for _, v := range []string{MakeDNI(77), MakeNIE(5), MakeSpanishIBAN(3), MakeCard("4", 99), MakeNUSS(28, 4), MakeMobile(1234), "+34 " + MakeMobile(-3)} {
		if ms := Find("dato: " + v + " fin"); len(ms) != 1 || ms[0].Value != v {
			t.Errorf("Find(%q) = %+v", v, ms)
		}
	}
}

type want struct {
	typ   Type
	value string
}

func TestFind(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []want
	}{
		{"dni compact", "mi dni es 12345678Z gracias", []want{{DNI, "12345678Z"}}},
		{"dni dotted", "DNI: 12.345.678-Z.", []want{{DNI, "12.345.678-Z"}}},
		{"dni lower", "12345678z", []want{{DNI, "12345678z"}}},
		{"dni space letter", "12345678 Z", []want{{DNI, "12345678 Z"}}},
		{"nie lower", "soy x1234567l", []want{{NIE, "x1234567l"}}},
		{"nie dashed", "NIE X-1234567-L", []want{{NIE, "X-1234567-L"}}},
		{"iban grouped", "IBAN ES91 2100 0418 4502 0005 1332 por favor", []want{{IBAN, "ES91 2100 0418 4502 0005 1332"}}},
		{"iban compact", "ES9121000418450200051332", []want{{IBAN, "ES9121000418450200051332"}}},
		{"card dashes", "tarjeta 4111-1111-1111-1111", []want{{Card, "4111-1111-1111-1111"}}},
		{"card spaces then expiry", "4111 1111 1111 1111 12/26", []want{{Card, "4111 1111 1111 1111"}}},
		{"card amex", "amex 3782 822463 10005", []want{{Card, "3782 822463 10005"}}},
		{"card and cvv", "4111111111111111 CVV 123", []want{{Card, "4111111111111111"}, {CVV, "123"}}},
		{"cvv spanish", "el código de seguridad es 4567", []want{{CVV, "4567"}}},
		{"phone +34 grouped", "llámame al +34 612 34 56 78", []want{{Phone, "+34 612 34 56 78"}}},
		{"phone compact", "612345678", []want{{Phone, "612345678"}}},
		{"phone 0034", "0034 612345678", []want{{Phone, "0034 612345678"}}},
		{"phone fixed", "91 123 45 67", []want{{Phone, "91 123 45 67"}}},
		{"phone uk", "call +44 20 7946 0958", []want{{Phone, "+44 20 7946 0958"}}},
		{"email", "ana.canary+01@example.com", []want{{Email, "ana.canary+01@example.com"}}},
		{"email with digits", "escribe a juan_612345678@correo.es", []want{{Email, "juan_612345678@correo.es"}}},
		{"nuss", "mi número de la seguridad social es 28 12345678 40", []want{{NUSS, "28 12345678 40"}}},
		{"nuss compact", "NUSS 281234567840", []want{{NUSS, "281234567840"}}},
		{"passport", "mi pasaporte es PAA123456", []want{{Passport, "PAA123456"}}},
		{"passport english", "passport number: XDA654321", []want{{Passport, "XDA654321"}}},
		{"several", "DNI 12345678Z, móvil 612345678, correo a@b.es", []want{{DNI, "12345678Z"}, {Phone, "612345678"}, {Email, "a@b.es"}}},
		{"email trailing dot", "escríbeme a ana@example.com.", []want{{Email, "ana@example.com"}}},
		{"cvv colon upper", "CVV: 123", []want{{CVV, "123"}}},
		{"cvv capitalised spanish", "Código de seguridad 987", []want{{CVV, "987"}}},
		{"passport colon capitalised", "Pasaporte: PAA123456", []want{{Passport, "PAA123456"}}},
		{"phone us e164", "my number is +1 415 555 2671", []want{{Phone, "+1 415 555 2671"}}},
		{"phone 0034 compact", "0034612345678", []want{{Phone, "0034612345678"}}},
		{"phone +34 compact", "+34612345678", []want{{Phone, "+34612345678"}}},
		{"nie separated upper", "NIE Y 1234567 X", []want{{NIE, "Y 1234567 X"}}},
		{"card in text with date", "la 5555555555554444 caduca 12/27", []want{{Card, "5555555555554444"}}},
		{"unicode around", "Año: ñ 12345678Z ü", []want{{DNI, "12345678Z"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Find(tt.text)
			if len(got) != len(tt.want) {
				t.Fatalf("Find(%q) = %+v, want %v", tt.text, got, tt.want)
			}
			for i, m := range got {
				if m.Type != tt.want[i].typ || m.Value != tt.want[i].value || tt.text[m.Start:m.End] != m.Value {
					t.Errorf("Find(%q)[%d] = %+v, want %v", tt.text, i, m, tt.want[i])
				}
			}
		})
	}
}

func TestFindFalsePositives(t *testing.T) {
	tests := []struct {
		name string
		text string
	}{
		{"order number", "pedido 123456789012"},
		{"order number phone-shaped", "mi pedido 612345678 no ha llegado"},
		{"order hash", "pedido #A-10023"},
		{"order nº", "pedido nº 612345678"},
		{"invoice", "factura 4111111111111111"},
		{"date slash", "llegó el 12/05/2024"},
		{"date iso", "2024-05-12"},
		{"amount", "son 1.234,56 € en total"},
		{"amount big", "1.234.567 euros"},
		{"last four", "la tarjeta acabada en 1111"},
		{"dni wrong letter", "12345678A"},
		{"nie wrong letter", "X1234567A"},
		{"iban wrong check", "ES91 2100 0418 4502 0005 1333"},
		{"card fails luhn", "4111 1111 1111 1112"},
		{"nuss wrong control", "281234567841"},
		{"passport without keyword", "código PAA123456"},
		{"cvv without keyword", "tengo 123 puntos"},
		{"dni followed by y", "son 12345678 y algo"},
		{"time", "a las 9:30"},
		{"short number", "llamé 3 veces"},
		{"postal code", "28001 Madrid"},
		{"special-rate looking digits grouped by slash", "612/345/678"},
		{"email without tld", "usuario@localhost"},
		{"email one-letter tld", "x@y.c"},
		{"lone at", "nos vemos @ las 5"},
		{"nie prefix is the word y", "y 1234567 x"},
		{"ticket number", "ticket 4111111111111111"},
		{"tracking", "seguimiento: 612345678"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Find(tt.text); len(got) != 0 {
				t.Errorf("Find(%q) = %+v, want nothing", tt.text, got)
			}
		})
	}
}

func TestMaskAndOnly(t *testing.T) {
	text := "DNI 12345678Z y móvil +34 612 34 56 78."
	if got, want := Mask(text), "DNI [DNI] y móvil [PHONE]."; got != want {
		t.Errorf("Mask = %q, want %q", got, want)
	}
	if got := Only(Find(text), Phone); len(got) != 1 || got[0].Type != Phone {
		t.Errorf("Only(Phone) = %+v", got)
	}
	if !Contains(text, DNI) || Contains(text, IBAN) || !Contains(text) {
		t.Errorf("Contains wrong")
	}
	if Mask("nada") != "nada" {
		t.Errorf("Mask changed a clean text")
	}
}

func FuzzFind(f *testing.F) {
	for _, s := range []string{"12.345.678-Z", "x1234567l", "ES91 2100 0418 4502 0005 1332", "+34 612 34 56 78",
		"4111-1111-1111-1111 CVV 123", "a@b.es", "pasaporte PAA123456", "28/12345678/40", "", "+", "ñ\xff1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ms := Find(text)
		prev := 0
		for _, m := range ms {
			if m.Start < 0 || m.Start >= m.End || m.End > len(text) || text[m.Start:m.End] != m.Value {
				t.Fatalf("bad match %+v in %q", m, text)
			}
			if m.Start < prev {
				t.Fatalf("overlapping or unordered %+v in %q", ms, text)
			}
			prev = m.End
			// Whatever the input, a reported identifier passes its own check.
			switch m.Type {
			case DNI:
				ok(t, ValidDNI(m.Value), m)
			case NIE:
				ok(t, ValidNIE(m.Value), m)
			case IBAN:
				ok(t, ValidIBAN(m.Value), m)
			case Card:
				ok(t, Luhn(m.Value), m)
			case NUSS:
				ok(t, ValidNUSS(m.Value), m)
			}
		}
		_ = Mask(text)
	})
}

func ok(t *testing.T, valid bool, m Match) {
	t.Helper()
	if !valid {
		t.Fatalf("reported %s %q does not pass its check", m.Type, m.Value)
	}
}

const benchMessage = `Hola, buenas tardes. Os escribo porque el pedido 123456789012 que hice el 12/05/2024 todavía no ha ` +
	`llegado y ya han pasado más de diez días. Pagué 1.234,56 € con la tarjeta acabada en 1111. Mis datos: ` +
	`me llamo Ana García López, mi DNI es 12.345.678-Z y mi móvil es +34 612 34 56 78, aunque también podéis ` +
	`llamarme al 912345678 por las mañanas. El correo es ana.garcia+pedidos@example.com. Si necesitáis hacer ` +
	`la devolución, mi cuenta es ES91 2100 0418 4502 0005 1332. La dirección de entrega era Calle Mayor 12, ` +
	`3º B, 28013 Madrid. Por favor, respondedme cuanto antes porque necesito el producto para el viernes; ` +
	`si no llega, quiero cancelar la compra y que me devolváis el dinero a la misma tarjeta 4111 1111 1111 ` +
	`1111 (CVV 123, caduca 12/26). Gracias de antemano y un saludo cordial. PD: mi número de la seguridad ` +
	`social es 28 12345678 40 por si hace falta para la factura, y mi pasaporte PAA123456. Saludos, Ana.`

func BenchmarkFind(b *testing.B) {
	b.SetBytes(int64(len(benchMessage)))
	for b.Loop() {
		Find(benchMessage)
	}
}

func TestBenchMessage(t *testing.T) {
	got := map[Type]int{}
	for _, m := range Find(benchMessage) {
		got[m.Type]++
	}
	want := map[Type]int{DNI: 1, Phone: 2, Email: 1, IBAN: 1, Card: 1, CVV: 1, NUSS: 1, Passport: 1}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %d, want %d (all %v)", k, got[k], v, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("types found %v, want %v", got, want)
	}
}
