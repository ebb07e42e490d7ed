package main

import (
	"errors"
	"flag"
	"io"
)

// parseFlags parses args with fs. With -h or --help it prints the command's usage (fs.Usage) and reports
// help, so the caller returns nil: asking for help is not an error. Any other problem (an unknown flag, a
// bad value) is one line naming it and where the flags are listed, exit 2: the flag package would print
// the whole usage first, and the line that matters would scroll away under it.
func parseFlags(fs *flag.FlagSet, args []string) (help bool, err error) {
	usage, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err = fs.Parse(args)
	fs.Usage = usage
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		if usage != nil {
			usage()
		} else {
			fs.PrintDefaults()
		}
		return true, nil
	}
	if err != nil {
		return false, flagError(fs.Name(), err)
	}
	return false, nil
}

// flagError is a flag problem of command cmd as one line, with the way to the command's flags.
func flagError(cmd string, err error) error {
	return usageError("%s: %v (parley %s -h lists the flags)", cmd, err, cmd)
}
