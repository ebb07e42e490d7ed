// Command badbot is an assistant that fails in one chosen way, for the harness's bad-input tests. Its
// image is built FROM scratch by the tests. BADBOT_MODE picks the failure:
//
//	exit3           logs a line and exits with code 3 at start
//	never-listens   logs a line and never opens its port
//	wrong-challenge answers the hub.challenge handshake with another number
//	silent          answers GET / but never answers the handshake
package main

import (
	"fmt"
	"net/http"
	"os"
	"time"
)

func main() {
	mode := os.Getenv("BADBOT_MODE")
	port := os.Getenv("PORT")
	fmt.Fprintf(os.Stderr, "badbot: mode %s, WHATSAPP_API_URL=%s\n", mode, os.Getenv("WHATSAPP_API_URL"))
	switch mode {
	case "exit3":
		fmt.Fprintln(os.Stderr, "badbot: cannot reach the config store, giving up")
		os.Exit(3)
	case "never-listens":
		fmt.Fprintln(os.Stderr, "badbot: waiting for a database that never comes")
		for {
			time.Sleep(time.Hour)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "badbot") })
	mux.HandleFunc("/webhook", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(os.Stderr, "badbot: handshake %s\n", r.URL.RawQuery)
		switch mode {
		case "wrong-challenge":
			fmt.Fprint(w, "12345")
		case "silent":
			select {
			case <-r.Context().Done():
			case <-time.After(time.Hour):
			}
		}
	})
	fmt.Fprintf(os.Stderr, "badbot: listening on :%s\n", port)
	if err := http.ListenAndServe(":"+port, mux); err != nil {
		fmt.Fprintln(os.Stderr, "badbot:", err)
		os.Exit(1)
	}
}
