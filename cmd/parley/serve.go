package main

import (
	"context"
	"io"
)

// runServe is filled in by the WhatsApp mock (issue 2).
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return usageError("serve is not built yet")
}
