package main

import (
	"math/rand/v2"
	"net"
	"strconv"
	"testing"
)

// freeAddr returns a loopback address nothing listens on, for a command under test to bind. It is taken
// below Linux's ephemeral range (32768–60999): a port from there, free when checked, can be taken as the
// local port of any outgoing connection of the tests running beside this one before the command binds it
// ("address already in use"); below it only an explicit bind can take it.
func freeAddr(t *testing.T) string {
	t.Helper()
	for range 100 {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(20000+rand.IntN(12000)))
		l, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		l.Close()
		return addr
	}
	t.Fatal("no free port between 20000 and 32000 on 127.0.0.1")
	return ""
}
