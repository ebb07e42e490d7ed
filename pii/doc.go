// Package pii finds personal data in free text the way a Spanish or English customer types it, and
// validates it with the real check digits, so that "12.345.678-Z" is a DNI and "12.345.678-A" is not.
//
// Detected (Type, validation, source):
//   - DNI: 8 digits and a letter, letter = "TRWAGMYFPDXBNJZSQVHLCKE"[n mod 23] (Ministerio del Interior,
//     "cálculo del dígito de control del NIF/NIE").
//   - NIE: X/Y/Z, 7 digits and a letter; X→0, Y→1, Z→2, then the DNI rule.
//   - IBAN: ISO 13616 / ISO 7064 MOD 97-10, with the registered length of the country when known
//     (ES is 24 characters); written compact or in groups.
//   - Card: 13 to 19 digits passing Luhn (ISO/IEC 7812), starting 2-6, compact or grouped as cards are
//     printed (4-4-4-4, 4-6-5 for Amex, 4-6-4 for Diners).
//   - NUSS (Spanish Social Security number, 12 digits PP NNNNNNNN CC): CC = (PP·10^8+N) mod 97 when
//     N ≥ 10^7, else (PP·10^7+N) mod 97; PP is a province code 01-53 or 66.
//   - Phone: Spanish numbers (mobile 6xx and 71x-74x, fixed and special 8xx/9xx) with or without +34 or
//     0034, and other international numbers written with a leading "+".
//   - Email: an RFC 5322-lite address.
//   - Passport: 2-3 letters or digits and 6 digits, only after the word pasaporte/passport.
//   - CVV: 3 or 4 digits, only shortly after CVV, CVC, "código de seguridad" or "security code".
//
// The numeric detectors work on runs of letter/digit groups joined by single separators (space, '-',
// '.', '/'), and try each window of consecutive groups, so "4111 1111 1111 1111 12/26" yields the card and
// not a longer invalid number. Grouping rules (cards in fours, NUSS as 2-8-2, …) and a few negative
// context words (pedido, order, factura, ref, …) before weakly checked numbers keep false positives down:
// an order number, a date, an amount or "acabada en 1111" are not personal data here.
//
// API: Find returns the findings ordered and non-overlapping (the longer, then the checksummed one wins);
// Only filters them by type, Contains asks, Mask replaces each with [TYPE]. The validators (ValidDNI,
// ValidNIE, ValidIBAN, Luhn, ValidNUSS) ignore separators and case. The generators (MakeDNI, MakeNIE,
// MakeIBAN, MakeSpanishIBAN, MakeCard, MakeNUSS, MakeMobile) build values that are valid by construction,
// for the canaries simulated customers plant; Find finds each of them.
//
// Not modelled: names and postal addresses (need NER), CIF and NIF K/L/M, driving licences (same shape as
// DNI, reported as DNI), the old 11-digit NUSS, non-ASCII digits.
package pii
