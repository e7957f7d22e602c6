package serve

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/serve/servetest"
)

// openTestServer starts s on a free port of 127.0.0.1 and returns its
// address; the server is closed when the test ends.
func openTestServer(tb testing.TB, s *Server) string {
	tb.Helper()
	if err := s.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close(tb.Context()) })
	return s.Addr().String()
}

// TestStalledBody sends the headers of a request and part of its body,
// then nothing: past READ_TIMEOUT the answer is 408, with no socket
// address or error text in it, and the connection is closed.
func TestStalledBody(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, func(c *Config) {
		c.Host, c.Port, c.ReadTimeout = "127.0.0.1", 0, 300*time.Millisecond
	})
	addr := openTestServer(t, s)
	for _, path := range []string{"/predict", "/predict/batch"} {
		t.Run(path, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"loan_amnt\":", path)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestTimeout {
				t.Errorf("status %d; want 408: %s", resp.StatusCode, body)
			}
			if !strings.Contains(string(body), problemTypeBase+ProblemTimeout) {
				t.Errorf("body %s; want problem type %s", body, ProblemTimeout)
			}
			checkNoInternals(t, string(body))
			if !resp.Close {
				t.Error("the connection is kept open after a body that did not arrive")
			}
		})
	}
}

// TestShortBody closes the connection before the body reaches its
// Content-Length: 400, with no error text.
func TestShortBody(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, func(c *Config) { c.Host, c.Port = "127.0.0.1", 0 })
	addr := openTestServer(t, s)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"loan_amnt\":")
	conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), problemTypeBase+ProblemUnreadable) {
		t.Errorf("status %d, body %s; want 400 %s", resp.StatusCode, body, ProblemUnreadable)
	}
	checkNoInternals(t, string(body))
}

// checkNoInternals fails when a response body holds what only the server
// should know: addresses, Go error text, file paths.
func checkNoInternals(tb testing.TB, body string) {
	tb.Helper()
	for _, bad := range []string{"127.0.0.1", "tcp ", "i/o timeout", "EOF", "/tmp/", ".model", "goroutine", "sha256 mismatch"} {
		if strings.Contains(body, bad) {
			tb.Errorf("response holds %q: %s", bad, body)
		}
	}
}
