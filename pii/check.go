package pii

import (
	"fmt"
	"strconv"
	"strings"
)

const dniLetters = "TRWAGMYFPDXBNJZSQVHLCKE"

// ValidDNI reports whether s (separators and case ignored) is 8 digits and the right control letter.
func ValidDNI(s string) bool {
	s = normalize(s)
	if len(s) != 9 || !isDigits(s[:8]) {
		return false
	}
	n, _ := strconv.Atoi(s[:8])
	return dniLetters[n%23] == s[8]
}

// ValidNIE reports whether s is X, Y or Z, 7 digits and the right control letter (X→0, Y→1, Z→2).
func ValidNIE(s string) bool {
	s = normalize(s)
	if len(s) != 9 {
		return false
	}
	p := strings.IndexByte("XYZ", s[0])
	if p < 0 || !isDigits(s[1:8]) {
		return false
	}
	return ValidDNI(strconv.Itoa(p) + s[1:])
}

// ibanLengths holds the registered IBAN lengths of the countries a customer of a Spanish business is
// likely to quote (SWIFT IBAN registry); other countries are accepted at any length from 15 to 34.
var ibanLengths = map[string]int{
	"ES": 24, "PT": 25, "FR": 27, "DE": 22, "IT": 27, "GB": 22, "IE": 22, "NL": 18, "BE": 16, "AD": 24,
	"LU": 20, "CH": 21, "AT": 20, "PL": 28, "RO": 24, "MA": 28, "GI": 23, "SE": 24, "DK": 18, "FI": 18,
	"NO": 15, "GR": 27, "MT": 31, "CY": 28,
}

// ValidIBAN reports whether s (spaces and case ignored) is an IBAN: country, check digits, the
// country's length when known, and ISO 7064 MOD 97-10 equal to 1.
func ValidIBAN(s string) bool {
	s = normalize(s)
	if len(s) < 15 || len(s) > 34 || !isUpper(s[0]) || !isUpper(s[1]) || !isDigits(s[2:4]) {
		return false
	}
	if n, ok := ibanLengths[s[:2]]; ok && n != len(s) {
		return false
	}
	return ibanMod97(s[4:]+s[:4]) == 1
}

func ibanMod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			r = (r*10 + int(c-'0')) % 97
		case isUpper(c):
			v := int(c-'A') + 10
			r = (r*100 + v) % 97
		default:
			return -1
		}
	}
	return r
}

// Luhn reports whether the digits of s (separators ignored) pass the Luhn check (ISO/IEC 7812).
func Luhn(s string) bool {
	s = normalize(s)
	if len(s) < 2 || !isDigits(s) {
		return false
	}
	return luhnSum(s)%10 == 0
}

func luhnSum(s string) int {
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum
}

// ValidNUSS reports whether s is a 12-digit Spanish Social Security number (PP NNNNNNNN CC) with a known
// province code and the mod-97 control.
func ValidNUSS(s string) bool {
	s = normalize(s)
	if len(s) != 12 || !isDigits(s) {
		return false
	}
	pp, _ := strconv.Atoi(s[:2])
	if !(pp >= 1 && pp <= 53 || pp == 66) {
		return false
	}
	cc, _ := strconv.Atoi(s[10:])
	return nussControl(pp, s[2:10]) == cc
}

func nussControl(pp int, nDigits string) int {
	n, _ := strconv.Atoi(nDigits)
	if n < 10_000_000 {
		return (pp*10_000_000 + n) % 97
	}
	return (pp*100_000_000 + n) % 97
}

// MakeDNI returns the DNI of number n (taken mod 10^8): 8 digits and the right letter.
func MakeDNI(n int) string {
	n = mod(n, 100_000_000)
	return fmt.Sprintf("%08d%c", n, dniLetters[n%23])
}

// MakeNIE returns a valid NIE built from n: the prefix X, Y or Z is chosen by (n / 10^7) mod 3 and the
// seven digits are n mod 10^7.
func MakeNIE(n int) string {
	n = mod(n, 30_000_000)
	p, digits := n/10_000_000, n%10_000_000
	full := p*10_000_000 + digits
	return fmt.Sprintf("%c%07d%c", "XYZ"[p], digits, dniLetters[full%23])
}

// MakeIBAN returns the IBAN of bban in country (two letters), with the check digits computed.
func MakeIBAN(country, bban string) string {
	country = strings.ToUpper(country)
	bban = normalize(bban)
	check := 98 - ibanMod97(bban+country+"00")
	return fmt.Sprintf("%s%02d%s", country, check, bban)
}

// MakeSpanishIBAN returns a valid Spanish IBAN (ES + 22 digits) derived from seed, whose 20-digit account
// number (CCC) also carries the right mod-11 control digits.
func MakeSpanishIBAN(seed int) string {
	seed = mod(seed, 1_000_000_000)
	bank := fmt.Sprintf("%04d", 2000+seed%100)
	branch := fmt.Sprintf("%04d", (seed/100)%10000)
	account := fmt.Sprintf("%010d", (int64(seed)*7919)%10_000_000_000)
	d1 := cccDigit("00" + bank + branch)
	d2 := cccDigit(account)
	return MakeIBAN("ES", bank+branch+strconv.Itoa(d1)+strconv.Itoa(d2)+account)
}

// cccDigit is one control digit of the Spanish CCC: weights 1,2,4,8,5,10,9,7,3,6, 11 - sum mod 11.
func cccDigit(ten string) int {
	w := []int{1, 2, 4, 8, 5, 10, 9, 7, 3, 6}
	sum := 0
	for i := 0; i < 10; i++ {
		sum += int(ten[i]-'0') * w[i]
	}
	d := 11 - sum%11
	switch d {
	case 11:
		return 0
	case 10:
		return 1
	}
	return d
}

// MakeCard returns a Luhn-valid card number starting with prefix: 15 digits for Amex prefixes (34, 37),
// 16 otherwise; the middle digits come from seed.
func MakeCard(prefix string, seed int) string {
	prefix = normalize(prefix)
	n := 16
	if strings.HasPrefix(prefix, "34") || strings.HasPrefix(prefix, "37") {
		n = 15
	}
	body := prefix
	if len(body) >= n {
		body = body[:n-1]
	}
	if fill := n - 1 - len(body); fill > 0 {
		m := 1
		for range fill {
			m *= 10
		}
		body += fmt.Sprintf("%0*d", fill, mod(seed, m))
	}
	for d := 0; d <= 9; d++ {
		if c := body + strconv.Itoa(d); Luhn(c) {
			return c
		}
	}
	return body + "0" // unreachable: one digit always completes a Luhn sum
}

// MakeNUSS returns a valid 12-digit Social Security number for province pp (1-53) from seed.
func MakeNUSS(pp, seed int) string {
	if !(pp >= 1 && pp <= 53) {
		pp = 28
	}
	n := 10_000_000 + mod(seed, 90_000_000)
	digits := fmt.Sprintf("%08d", n)
	return fmt.Sprintf("%02d%s%02d", pp, digits, nussControl(pp, digits))
}

// MakeMobile returns a Spanish mobile number of 9 digits starting with 6 (6DDDDDDDD) derived from seed;
// prefix "+34 " or "0034" as the persona would write it.
func MakeMobile(seed int) string {
	return fmt.Sprintf("6%08d", mod(seed, 100_000_000))
}

func mod(n, m int) int {
	n %= m
	if n < 0 {
		n += m
	}
	return n
}
