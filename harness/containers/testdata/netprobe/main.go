// Command netprobe reports, from inside a container, where it can go: its routes (/proc/net/route) and,
// for each host:port argument, whether a TCP connection opens within two seconds. It prints one line per
// route ("route DEST/MASK via GW") and per address ("dial ADDR ok" or "dial ADDR failed: why").
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

func main() {
	if f, err := os.Open("/proc/net/route"); err == nil {
		sc := bufio.NewScanner(f)
		sc.Scan() // header
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			if len(fs) >= 8 {
				fmt.Printf("route %s/%s via %s\n", ip(fs[1]), ip(fs[7]), ip(fs[2]))
			}
		}
		f.Close()
	}
	for _, addr := range os.Args[1:] {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			fmt.Printf("dial %s failed: %v\n", addr, err)
			continue
		}
		c.Close()
		fmt.Printf("dial %s ok\n", addr)
	}
}

// ip reads an address as /proc/net/route writes it: hex, in the machine's (little-endian) byte order.
func ip(h string) string {
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != 4 {
		return h
	}
	v := make(net.IP, 4)
	binary.BigEndian.PutUint32(v, binary.LittleEndian.Uint32(b))
	return v.String()
}
