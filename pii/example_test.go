package pii_test

import (
	"fmt"

	"github.com/parley-dev/parley/pii"
)

func ExampleFind() {
	for _, m := range pii.Find("Soy Ana, DNI 12.345.678-Z, móvil +34 612 34 56 78, pedido 123456789012") {
		fmt.Printf("%s %q at %d\n", m.Type, m.Value, m.Start)
	}
	// Output:
	// DNI "12.345.678-Z" at 13
	// PHONE "+34 612 34 56 78" at 34
}

func ExampleMask() {
	fmt.Println(pii.Mask("mi tarjeta es 4111-1111-1111-1111 y el CVV 123"))
	// Output: mi tarjeta es [CARD] y el CVV [CVV]
}

func ExampleMakeDNI() {
	d := pii.MakeDNI(12345678)
	fmt.Println(d, pii.ValidDNI(d), pii.ValidDNI("12345678A"))
	// Output: 12345678Z true false
}
