package dlp

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"cloud.google.com/go/dlp/apiv2/dlppb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// checkPrimitive refuses transformations the mock does not model and malformed ones it does.
func checkPrimitive(p *dlppb.PrimitiveTransformation, at string) error {
	switch t := p.GetTransformation().(type) {
	case *dlppb.PrimitiveTransformation_ReplaceWithInfoTypeConfig, *dlppb.PrimitiveTransformation_RedactConfig:
		return nil
	case *dlppb.PrimitiveTransformation_ReplaceConfig:
		switch t.ReplaceConfig.GetNewValue().GetType().(type) {
		case *dlppb.Value_StringValue, *dlppb.Value_IntegerValue, *dlppb.Value_BooleanValue, *dlppb.Value_FloatValue, nil:
			return nil
		}
		return errUnmodelled(fmt.Sprintf("%s.replace_config.new_value of type %T", at, t.ReplaceConfig.GetNewValue().GetType()))
	case *dlppb.PrimitiveTransformation_CharacterMaskConfig:
		c := t.CharacterMaskConfig
		if n := utf8.RuneCountInString(c.GetMaskingCharacter()); n > 1 {
			return status.Errorf(codes.InvalidArgument, "Masking character must be a single character, got %q.", c.GetMaskingCharacter())
		}
		for _, ig := range c.GetCharactersToIgnore() {
			if _, ok := ig.GetCharacters().(*dlppb.CharsToIgnore_CommonCharactersToIgnore); ok &&
				ig.GetCommonCharactersToIgnore() == dlppb.CharsToIgnore_COMMON_CHARS_TO_IGNORE_UNSPECIFIED {
				return status.Error(codes.InvalidArgument, "CharsToIgnore must specify characters_to_skip or common_characters_to_ignore.")
			}
		}
		return nil
	case nil:
		return status.Errorf(codes.InvalidArgument, "%s: a primitive transformation must be specified.", at)
	default:
		return errUnmodelled(fmt.Sprintf("%s of type %T", at, t))
	}
}

// apply transforms one finding's quote.
func apply(p *dlppb.PrimitiveTransformation, infoType, quote string) string {
	switch t := p.GetTransformation().(type) {
	case *dlppb.PrimitiveTransformation_ReplaceWithInfoTypeConfig:
		return "[" + infoType + "]"
	case *dlppb.PrimitiveTransformation_RedactConfig:
		return ""
	case *dlppb.PrimitiveTransformation_ReplaceConfig:
		switch v := t.ReplaceConfig.GetNewValue().GetType().(type) {
		case *dlppb.Value_StringValue:
			return v.StringValue
		case *dlppb.Value_IntegerValue:
			return strconv.FormatInt(v.IntegerValue, 10)
		case *dlppb.Value_BooleanValue:
			return strconv.FormatBool(v.BooleanValue)
		case *dlppb.Value_FloatValue:
			return strconv.FormatFloat(v.FloatValue, 'g', -1, 64)
		}
		return ""
	case *dlppb.PrimitiveTransformation_CharacterMaskConfig:
		return mask(t.CharacterMaskConfig, quote)
	}
	return quote
}

// mask follows CharacterMaskConfig as documented in dlp.proto: maskingCharacter defaults to '*' (text
// items are strings); numberToMask 0 masks everything, a negative n masks all but |n| characters;
// reverseOrder masks from the end; ignored characters are kept and do not count.
func mask(c *dlppb.CharacterMaskConfig, s string) string {
	ch := '*'
	if mc := c.GetMaskingCharacter(); mc != "" {
		ch, _ = utf8.DecodeRuneInString(mc)
	}
	rs := []rune(s)
	maskable := make([]bool, len(rs))
	total := 0
	for i, r := range rs {
		if !ignored(c.GetCharactersToIgnore(), r) {
			maskable[i] = true
			total++
		}
	}
	n := int(c.GetNumberToMask())
	switch {
	case n == 0 || n > total:
		n = total
	case n < 0:
		n = max(0, total+n)
	}
	order := make([]int, 0, len(rs))
	for i := range rs {
		order = append(order, i)
	}
	if c.GetReverseOrder() {
		for i, j := 0, len(order)-1; i < j; i, j = i+1, j-1 {
			order[i], order[j] = order[j], order[i]
		}
	}
	for _, i := range order {
		if n == 0 {
			break
		}
		if maskable[i] {
			rs[i] = ch
			n--
		}
	}
	return string(rs)
}

func ignored(ig []*dlppb.CharsToIgnore, r rune) bool {
	for _, c := range ig {
		switch x := c.GetCharacters().(type) {
		case *dlppb.CharsToIgnore_CharactersToSkip:
			if strings.ContainsRune(x.CharactersToSkip, r) {
				return true
			}
		case *dlppb.CharsToIgnore_CommonCharactersToIgnore:
			switch x.CommonCharactersToIgnore {
			case dlppb.CharsToIgnore_NUMERIC:
				if r >= '0' && r <= '9' {
					return true
				}
			case dlppb.CharsToIgnore_ALPHA_UPPER_CASE:
				if r >= 'A' && r <= 'Z' {
					return true
				}
			case dlppb.CharsToIgnore_ALPHA_LOWER_CASE:
				if r >= 'a' && r <= 'z' {
					return true
				}
			case dlppb.CharsToIgnore_PUNCTUATION:
				if r < utf8.RuneSelf && unicode.IsPunct(r) || r < utf8.RuneSelf && unicode.IsSymbol(r) {
					return true
				}
			case dlppb.CharsToIgnore_WHITESPACE:
				if unicode.IsSpace(r) {
					return true
				}
			}
		}
	}
	return false
}
