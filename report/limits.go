package report

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// What parley reads back (a report, a signature, a key) may be any path a user names, /dev/zero
// included: every such read stops at a size no genuine file reaches.
const (
	MaxReportBytes    = 256 << 20 // report.json and the files a manifest lists
	MaxSignatureBytes = 4 << 10   // a signature file: one line of base64
	MaxKeyBytes       = 64 << 10  // a PEM key
	MaxManifestBytes  = 64 << 10  // a manifest: one line per file of the report
)

// ErrFileTooLarge is wrapped by ReadFileMax's error for a file over its limit.
var ErrFileTooLarge = errors.New("file too large")

// ReadFileMax reads a file of at most max bytes; past that it stops reading and fails. A FIFO or a
// socket is refused: opened without blocking, so a pipe with no writer cannot hold the command for ever.
func ReadFileMax(name string, max int64) ([]byte, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if st.Mode()&(os.ModeNamedPipe|os.ModeSocket) != 0 {
		return nil, fmt.Errorf("%s is not a regular file", name)
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s: %w: more than %d bytes, more than parley ever writes there", name, ErrFileTooLarge, max)
	}
	return b, nil
}
