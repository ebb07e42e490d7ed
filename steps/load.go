package steps

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"testing/fstest"
)

// A folder of feature files comes from whoever runs parley, and a hostile or careless one can hold a
// symlink to /dev/zero, a FIFO, or a file of gigabytes. Reading is therefore bounded: only regular files
// (a symlink counts when it points at one), each and all together under a size limit, with a line length
// the Gherkin parser can take, and the context is checked between reads so Ctrl-C stops a slow load.

// Default limits of a feature suite; a Limits field left at zero takes these.
const (
	DefaultFileBytes  = 4 << 20  // one .feature file: 4 MiB, far above any hand-written file
	DefaultSuiteBytes = 32 << 20 // every .feature file of a suite together
	DefaultScenarios  = 5000     // scenarios and outline rows of a suite; each is played in its own environment
)

// MaxLineBytes is the longest line of a feature file parley reads. The Gherkin parser cannot take lines
// of 64 KiB or more; a step's text is a customer's message, which WhatsApp caps at 4,096 characters.
const MaxLineBytes = 32 << 10

// Limits bound what a feature suite may make parley read and play.
type Limits struct {
	FileBytes  int64 // the largest .feature file (0: DefaultFileBytes)
	SuiteBytes int64 // all .feature files together (0: DefaultSuiteBytes)
	Scenarios  int   // scenarios, counting each row of an outline (0: DefaultScenarios); checked by the caller that compiles them
}

// WithDefaults is l with every zero field set to its default.
func (l Limits) WithDefaults() Limits {
	if l.FileBytes <= 0 {
		l.FileBytes = DefaultFileBytes
	}
	if l.SuiteBytes <= 0 {
		l.SuiteBytes = DefaultSuiteBytes
	}
	if l.Scenarios <= 0 {
		l.Scenarios = DefaultScenarios
	}
	return l
}

// ErrTooLarge is wrapped by the errors of a suite over one of its Limits.
var ErrTooLarge = errors.New("over the feature suite's limits")

// ErrNotRegular is wrapped by the error for a .feature entry that is not a regular file (a device, a FIFO,
// a socket, or a symlink to one).
var ErrNotRegular = errors.New("not a regular file")

// LoadProgress is how far ReadFeatures has got.
type LoadProgress struct {
	File  string // the file just read
	Files int    // files read so far
	Bytes int64  // bytes read so far
}

// ReadFeatures reads every .feature file of fsys into memory within the limits, so that everything after
// (linting, hashing, playing) works on one bounded, consistent copy. progress, when not nil, is called
// after each file. It stops with ctx's error when ctx ends.
func ReadFeatures(ctx context.Context, fsys fs.FS, lim Limits, progress func(LoadProgress)) (fstest.MapFS, error) {
	lim = lim.WithDefaults()
	out := fstest.MapFS{}
	var done LoadProgress
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if d.IsDir() || path.Ext(p) != ".feature" {
			return nil
		}
		b, err := readFeature(ctx, fsys, p, d, lim.FileBytes, lim.SuiteBytes-done.Bytes)
		if err != nil {
			return err
		}
		out[p] = &fstest.MapFile{Data: b, Mode: 0o444}
		done.File, done.Files, done.Bytes = p, done.Files+1, done.Bytes+int64(len(b))
		if progress != nil {
			progress(done)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// readFeature reads one file of at most limit bytes, and refuses it when it would take the suite past
// what is left of its limit.
func readFeature(ctx context.Context, fsys fs.FS, p string, d fs.DirEntry, limit, left int64) ([]byte, error) {
	mode := d.Type()
	var size int64 = -1
	if mode&fs.ModeSymlink != 0 || mode.IsRegular() {
		// Stat follows a symlink: what counts is what would be read.
		st, err := fs.Stat(fsys, p)
		if err != nil {
			return nil, err
		}
		mode, size = st.Mode(), st.Size()
	}
	if !mode.IsRegular() {
		return nil, fmt.Errorf("%s: %w (%s); a feature folder holds regular .feature files only", p, ErrNotRegular, kindOf(mode))
	}
	if size > limit {
		return nil, fmt.Errorf("%s: %w: %d bytes, more than the %d a feature file may have", p, ErrTooLarge, size, limit)
	}
	if size > left {
		return nil, fmt.Errorf("%s: %w: the suite's files together pass the limit of the suite", p, ErrTooLarge)
	}
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// What was opened may not be what was looked at: a FIFO or device put in its place meanwhile is
	// refused by what the open file is (DirFS opens it without blocking).
	if st, err := f.Stat(); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (%s); a feature folder holds regular .feature files only", p, ErrNotRegular, kindOf(st.Mode()))
	}
	// The file may grow after Stat: read at most one byte over the limit, in chunks, checking ctx.
	max := min(limit, left)
	var buf bytes.Buffer
	chunk := make([]byte, 64<<10)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, err := f.Read(chunk)
		buf.Write(chunk[:n])
		if int64(buf.Len()) > max {
			return nil, fmt.Errorf("%s: %w: more than %d bytes", p, ErrTooLarge, max)
		}
		if err == io.EOF {
			return buf.Bytes(), nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
}

func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeSymlink != 0:
		return "a symlink"
	case m.IsDir():
		return "a folder"
	}
	return "mode " + m.String()
}

// longLine is the number of the first line of content longer than MaxLineBytes, or 0.
func longLine(content []byte) int {
	line := 1
	for len(content) > 0 {
		i := bytes.IndexByte(content, '\n')
		if i < 0 {
			i = len(content)
		}
		if i > MaxLineBytes {
			return line
		}
		content = content[min(i+1, len(content)):]
		line++
	}
	return 0
}
