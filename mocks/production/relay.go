package production

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// Relay forwards every connection accepted on l to target (host:port), both ways, until either side
// closes. In a run impersonating production the assistant's container has no route out of its network,
// so nothing outside it (the harness calling the certification hooks, a readiness probe) can reach it
// but through the mocks' container, which has: the relay is that way in. stop closes l and every
// connection, and waits for them.
func Relay(l net.Listener, target string) (stop func() error) {
	var (
		mu    sync.Mutex
		conns = map[net.Conn]bool{}
		wg    sync.WaitGroup
	)
	track := func(c net.Conn, on bool) {
		mu.Lock()
		defer mu.Unlock()
		if on {
			conns[c] = true
		} else {
			delete(conns, c)
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				track(in, true)
				defer track(in, false)
				defer in.Close()
				out, err := net.DialTimeout("tcp", target, 5*time.Second)
				if err != nil {
					return // the assistant is not listening (yet): the caller sees the connection close
				}
				track(out, true)
				defer track(out, false)
				defer out.Close()
				pipe(in, out)
			}()
		}
	}()
	return func() error {
		err := l.Close()
		<-done
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		return err
	}
}

// pipe copies a to b and b to a until both directions end; a direction that ends half-closes the other
// side, so a request and its answer both get through.
func pipe(a, b net.Conn) {
	var wg sync.WaitGroup
	cp := func(dst, src net.Conn) {
		defer wg.Done()
		_, _ = io.Copy(dst, src)
		if cw, ok := dst.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		} else {
			dst.Close()
		}
	}
	wg.Add(2)
	go cp(a, b)
	go cp(b, a)
	wg.Wait()
}
