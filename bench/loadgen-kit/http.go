// HTTP/1.1 spoken directly over one keep-alive TCP connection per caller (request bytes
// prebuilt, no pipelining, responses parsed by hand: content-length or chunked), so the
// generator's per-call work is the same small amount for every target.
package kit

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// Header is one request header, written in the order given.
type Header struct{ Name, Value string }

// Request is one HTTP/1.1 request's bytes: request line, Host, the headers, a Content-Length
// (where there is a body, and always for POST and PUT) and the body.
func Request(method, path, host string, headers []Header, body []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, path, host)
	for _, h := range headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h.Name, h.Value)
	}
	if len(body) > 0 || method == "POST" || method == "PUT" {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

// Conn is one keep-alive connection, dialled on first use (or by Dial) and again after the
// server or an error closed it.
type Conn struct {
	// Body is the last response's body, valid until the next Do.
	Body []byte
	// OnData, when set, sees the body as it arrives: after each chunk of a chunked body
	// (Body[from:] is what the chunk added) and once a body of known length is read (from 0).
	OnData func(body []byte, from int)

	addr     string
	deadline time.Time
	c        net.Conn
	r        *bufio.Reader
}

// NewConn is a connection to addr that stops being usable at deadline.
func NewConn(addr string, deadline time.Time) *Conn {
	return &Conn{addr: addr, deadline: deadline, Body: make([]byte, 0, 8192)}
}

func (h *Conn) Dial() error {
	c, err := net.DialTimeout("tcp", h.addr, 5*time.Second)
	if err != nil {
		return err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	_ = c.SetDeadline(h.deadline)
	h.c, h.r = c, bufio.NewReaderSize(c, 32<<10)
	return nil
}

func (h *Conn) Close() {
	if h.c != nil {
		_ = h.c.Close()
		h.c = nil
	}
}

// Do sends one prebuilt request and reads the response into Body. The status is the
// response's (0 before a status line was read, also with an error). The connection is closed
// after an error or when the server asks for it.
func (h *Conn) Do(req []byte) (int, error) {
	h.Body = h.Body[:0]
	if h.c == nil {
		if err := h.Dial(); err != nil {
			return 0, err
		}
	}
	if _, err := h.c.Write(req); err != nil {
		h.Close()
		return 0, err
	}
	status, keep, err := h.readResponse()
	if err != nil || !keep {
		h.Close()
	}
	return status, err
}

var errMalformed = errors.New("malformed HTTP response")

// readResponse reads one response: status, whether the connection stays open.
func (h *Conn) readResponse() (int, bool, error) {
	line, err := h.r.ReadSlice('\n')
	if err != nil {
		return 0, false, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, false, errMalformed
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, false, errMalformed
	}
	length, chunked, keep := -1, false, true
	for {
		line, err = h.r.ReadSlice('\n')
		if err != nil {
			return status, false, err
		}
		if len(line) <= 2 {
			break
		}
		colon := bytes.IndexByte(line, ':')
		if colon < 0 {
			return status, false, errMalformed
		}
		name, value := line[:colon], bytes.TrimSpace(line[colon+1:])
		switch {
		case asciiEqualFold(name, "content-length"):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return status, false, errMalformed
			}
		case asciiEqualFold(name, "transfer-encoding"):
			chunked = asciiEqualFold(value, "chunked")
		case asciiEqualFold(name, "connection"):
			keep = !asciiEqualFold(value, "close")
		}
	}
	switch {
	case chunked:
		for {
			line, err = h.r.ReadSlice('\n')
			if err != nil {
				return status, false, err
			}
			size, err := strconv.ParseInt(string(bytes.TrimSpace(bytes.SplitN(line, []byte(";"), 2)[0])), 16, 64)
			if err != nil {
				return status, false, errMalformed
			}
			if size == 0 {
				for { // trailers up to the blank line
					line, err = h.r.ReadSlice('\n')
					if err != nil {
						return status, false, err
					}
					if len(line) <= 2 {
						return status, keep, nil
					}
				}
			}
			from := len(h.Body)
			if err := h.readN(int(size)); err != nil {
				return status, false, err
			}
			if h.OnData != nil {
				h.OnData(h.Body, from)
			}
			if _, err := h.r.Discard(2); err != nil {
				return status, false, err
			}
		}
	case length >= 0:
		err := h.readN(length)
		if h.OnData != nil {
			h.OnData(h.Body, 0)
		}
		return status, keep, err
	default:
		return status, false, errors.New("HTTP response without a length")
	}
}

func (h *Conn) readN(n int) error {
	start := len(h.Body)
	if cap(h.Body)-start < n {
		grown := make([]byte, start, 2*(start+n))
		copy(grown, h.Body)
		h.Body = grown
	}
	h.Body = h.Body[:start+n]
	_, err := io.ReadFull(h.r, h.Body[start:])
	return err
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}
