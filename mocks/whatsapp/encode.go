package whatsapp

import (
	"encoding/base64"
	"sort"
)

func base64StdEncode(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
