package whatsapp

import (
	"encoding/base64"
)

func base64RawStd(b []byte) string { return base64.RawStdEncoding.EncodeToString(b) }
