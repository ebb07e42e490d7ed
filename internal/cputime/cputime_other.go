//go:build !unix

package cputime

func used() (int64, bool) { return 0, false }
