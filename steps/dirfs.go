package steps

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// DirFS is os.DirFS(dir) for a folder of feature files, except that a file is opened without blocking:
// a FIFO put in place of a .feature file after it was looked at opens at once, and is then refused by
// its type, instead of waiting for a writer for ever. Regular files read as ever.
func DirFS(dir string) fs.FS { return dirFS{FS: os.DirFS(dir), dir: dir} }

type dirFS struct {
	fs.FS // os.DirFS(dir), for Stat and ReadDir
	dir   string
}

func (d dirFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := os.OpenFile(filepath.Join(d.dir, filepath.FromSlash(name)), os.O_RDONLY|syscall.O_NONBLOCK, 0)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		pe.Path = name // as os.DirFS names it: relative to the folder
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

func (d dirFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(d.FS, name) }

func (d dirFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(d.FS, name) }
