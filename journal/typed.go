package journal

import (
	"reflect"
	"sync"
)

// Typed copies the event's in-process payload (Value) into v, a pointer to the same type, and reports
// whether it did. It declines, and the caller decodes Data instead, when there is no Value, when the types
// differ, or when the type holds interface values anywhere (DetectIntentData's parameters): a JSON round
// trip turns their numbers into float64 and their slices into []any, and readers expect what JSON gives.
// The copy is shallow: slices in it are shared with the journal and must not be changed.
func (e Event) Typed(v any) bool {
	if e.Value == nil || v == nil {
		return false
	}
	dst := reflect.ValueOf(v)
	if dst.Kind() != reflect.Pointer || dst.IsNil() {
		return false
	}
	src := reflect.ValueOf(e.Value)
	if src.Type() != dst.Elem().Type() || !plain(src.Type()) {
		return false
	}
	dst.Elem().Set(src)
	return true
}

// typedOK reports whether Record may keep data as the event's Value: a struct given by value (a copy the
// caller cannot change afterwards) of a plain type.
func typedOK(data any) bool {
	if data == nil {
		return false
	}
	t := reflect.TypeOf(data)
	return t.Kind() == reflect.Struct && plain(t)
}

var plainTypes sync.Map // reflect.Type → bool

// plain reports whether t holds no interface, channel or function anywhere, so that a copy of it reads
// the same as a JSON round trip of it.
func plain(t reflect.Type) bool {
	if v, ok := plainTypes.Load(t); ok {
		return v.(bool)
	}
	ok := plainWalk(t, map[reflect.Type]bool{})
	plainTypes.Store(t, ok)
	return ok
}

func plainWalk(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return true
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer, reflect.Pointer:
		return false
	case reflect.Slice, reflect.Array:
		return plainWalk(t.Elem(), seen)
	case reflect.Map:
		return plainWalk(t.Key(), seen) && plainWalk(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() && t.PkgPath() != "time" { // time.Time's unexported fields are fine
				return false
			}
			if t.PkgPath() == "time" {
				continue
			}
			if f.Tag.Get("json") == "-" || !plainWalk(f.Type, seen) {
				return false
			}
		}
	}
	return true
}
