package kit

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestRequest(t *testing.T) {
	post := string(Request("POST", "/v1/decisions", "h:1", []Header{{"Content-Type", "application/json"}, {"Accept", "application/json"}}, []byte(`{"a":1}`)))
	if want := "POST /v1/decisions HTTP/1.1\r\nHost: h:1\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}"; post != want {
		t.Errorf("POST: %q, want %q", post, want)
	}
	get := string(Request("GET", "/health", "h:1", nil, nil))
	if want := "GET /health HTTP/1.1\r\nHost: h:1\r\n\r\n"; get != want {
		t.Errorf("GET: %q, want %q", get, want)
	}
}

// serveCanned answers the requests on the i-th accepted connection with replies[i], one reply
// a request, then closes that connection.
func serveCanned(t *testing.T, replies [][]string) (string, func() int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan int, 1)
	go func() {
		n := 0
		defer func() { accepted <- n }()
		for ; n < len(replies); n++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r := bufio.NewReader(c)
			for _, reply := range replies[n] {
				for { // the request's head (the test's requests have no body)
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if line == "\r\n" {
						break
					}
				}
				_, _ = io.WriteString(c, reply)
			}
			_ = c.Close()
		}
	}()
	return ln.Addr().String(), func() int { _ = ln.Close(); return <-accepted }
}

func TestConnReadsLengthChunkedAndClose(t *testing.T) {
	addr, stop := serveCanned(t, [][]string{
		{
			"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
			"HTTP/1.1 404 Not Found\r\ncontent-LENGTH: 2\r\n\r\nno",
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n3;x=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n",
			"HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 1\r\n\r\nz",
		},
		{"HTTP/1.1 200 OK\r\n\r\n"},
		{"SSH-2.0-nope\r\n"},
	})
	h := NewConn(addr, time.Now().Add(10*time.Second))
	defer h.Close()
	var seen []int
	h.OnData = func(_ []byte, from int) { seen = append(seen, from) }
	req := Request("GET", "/", addr, nil, nil)
	for i, want := range []struct {
		status int
		body   string
	}{{200, "hello"}, {404, "no"}, {200, "abcde"}, {503, "z"}} {
		status, err := h.Do(req)
		if err != nil || status != want.status || string(h.Body) != want.body {
			t.Fatalf("response %d: %d %q %v, want %d %q", i, status, h.Body, err, want.status, want.body)
		}
	}
	if got := len(seen); got != 5 || seen[2] != 0 || seen[3] != 3 {
		t.Errorf("OnData saw %v: want from 0 for each length body, 0 and 3 for the two chunks", seen)
	}
	if h.c != nil {
		t.Fatal("Connection: close did not close")
	}
	if status, err := h.Do(req); err == nil || status != 200 {
		t.Errorf("no length: %d %v, want 200 and an error", status, err)
	}
	if status, err := h.Do(req); !errors.Is(err, errMalformed) || status != 0 {
		t.Errorf("not HTTP: %d %v, want 0 and errMalformed", status, err)
	}
	if n := stop(); n != 3 {
		t.Errorf("%d connections, want 3 (kept alive until the server closed it, then dialled again)", n)
	}
}

func TestConnSeesChunksAsTheyArrive(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("Authorization") != "Bearer k" || r.URL.Path != "/v1/chat/completions" || string(body) != `{"x":1}` {
			w.WriteHeader(400)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		f := w.(http.Flusher)
		_, _ = io.WriteString(w, "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n")
		f.Flush()
		time.Sleep(30 * time.Millisecond)
		_, _ = io.WriteString(w, "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n")
		f.Flush()
		time.Sleep(80 * time.Millisecond)
		_, _ = io.WriteString(w, "data: [DONE]\n\n")
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	req := Request("POST", "/v1/chat/completions", addr, []Header{{"Authorization", "Bearer k"}}, []byte(`{"x":1}`))
	h := NewConn(addr, time.Now().Add(10*time.Second))
	defer h.Close()
	var hi time.Time
	h.OnData = func(body []byte, from int) {
		if hi.IsZero() && strings.Contains(string(body[from:]), `"hi"`) {
			hi = time.Now()
		}
	}
	for i := 0; i < 2; i++ { // twice: the connection is kept alive and reused
		hi = time.Time{}
		t0 := time.Now()
		status, err := h.Do(req)
		end := time.Now()
		if err != nil || status != 200 {
			t.Fatalf("round %d: status %d, err %v", i, status, err)
		}
		if !strings.HasSuffix(string(h.Body), "data: [DONE]\n\n") {
			t.Fatalf("body %q", h.Body)
		}
		if at := hi.Sub(t0); hi.IsZero() || at < 25*time.Millisecond || end.Sub(hi) < 60*time.Millisecond {
			t.Fatalf("the chunk with the token seen at %v of %v: not as it arrived", at, end.Sub(t0))
		}
	}
}
