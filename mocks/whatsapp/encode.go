package whatsapp

import (
	"encoding/base64"
	"sort"
)

func base64RawStd(b []byte) string { return base64.RawStdEncoding.EncodeToString(b) }

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
