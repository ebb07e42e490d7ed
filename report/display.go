package report

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
)

// What a report shows people (report.md, report.html, the terminal) includes what customers and
// assistants wrote, which may be hostile: escape sequences that rewrite a terminal, bidirectional
// overrides that make a bubble read backwards, HTML a Markdown viewer would run. report.json keeps the
// exact text; the renderings for people show it made harmless.

// Clean makes s safe to show: control characters other than newline and tab are dropped (ESC included,
// so no terminal escape sequence survives), and each bidirectional embedding, override or isolate
// (U+202A–U+202E, U+2066–U+2069) is shown as its code point, e.g. "[U+202E]", so it neither reverses
// what follows nor goes unseen. Invalid UTF-8 becomes U+FFFD.
func Clean(s string) string {
	if !needsCleaning(s) {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
		case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			fmt.Fprintf(&b, "[U+%04X]", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsCleaning(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r <= 0x9f) ||
			(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return true
		}
	}
	return false
}

// ForDisplay is a copy of r with every string passed through Clean, for the renderings people read.
func (r Report) ForDisplay() Report {
	// A round trip through report.json's encoding is a deep copy (what report render reads back); on
	// the copy, every string can be changed in place.
	b, err := json.Marshal(r)
	if err != nil {
		return r
	}
	var c Report
	if err := json.Unmarshal(b, &c); err != nil {
		return r
	}
	cleanValue(reflect.ValueOf(&c).Elem())
	return c
}

func cleanValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString(Clean(v.String()))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			cleanValue(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				cleanValue(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			cleanValue(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() || !v.CanSet() {
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			k := reflect.New(v.Type().Key()).Elem()
			k.Set(it.Key())
			cleanValue(k)
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(it.Value())
			cleanValue(e)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Interface:
		if !v.IsNil() && v.CanSet() {
			e := reflect.New(v.Elem().Type()).Elem()
			e.Set(v.Elem())
			cleanValue(e)
			v.Set(e)
		}
	}
}

// mdText escapes text for Markdown: HTML a viewer would render (<script>, <img onerror>) becomes text,
// and so do link brackets, code spans and table bars.
var mdText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `\`, `\\`, "[", `\[`, "]", `\]`, "`", "\\`", "|", `\|`)
