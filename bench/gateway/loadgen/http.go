// The request as bytes, and the kit's HTTP/1.1 connection with a stamp for the first token:
// streams are read chunk by chunk, so the first event carrying content is timed as it arrives.
package main

import (
	"bytes"
	"sort"
	"time"

	kit "github.com/modelgate/bench/loadgen-kit"
)

// buildRequest: the spec's method (POST if none), path, headers in name order and body.
func buildRequest(s *Spec, host string) []byte {
	method := s.Method
	if method == "" {
		method = "POST"
	}
	names := make([]string, 0, len(s.Headers))
	for name := range s.Headers {
		names = append(names, name)
	}
	sort.Strings(names)
	headers := make([]kit.Header, len(names))
	for i, name := range names {
		headers[i] = kit.Header{Name: name, Value: s.Headers[name]}
	}
	return kit.Request(method, s.Path, host, headers, []byte(s.Body))
}

type conn struct {
	*kit.Conn
	firstToken time.Time // of the response being read
}

type result struct {
	status     int
	firstToken time.Time // zero unless a streamed event carrying content was seen
}

func newConn(addr string, deadline time.Time, stream bool) *conn {
	c := &conn{Conn: kit.NewConn(addr, deadline)}
	if stream {
		c.OnData = c.noteToken
	}
	return c
}

func (c *conn) do(wire []byte) (result, error) {
	c.firstToken = time.Time{}
	status, err := c.Do(wire)
	return result{status: status, firstToken: c.firstToken}, err
}

// noteToken stamps the first time a streamed event carrying content has arrived. Only the
// bytes added since `from` (plus an overlap for a pattern cut in two) are scanned.
func (c *conn) noteToken(body []byte, from int) {
	if c.firstToken.IsZero() && hasContentToken(body[max(0, from-16):]) {
		c.firstToken = time.Now()
	}
}

// hasContentToken: `"content":"x` (or `"text":"x` for completions) with a non-empty value,
// so the role chunk (`"content":""`) of a chat stream is not taken for the first token.
func hasContentToken(b []byte) bool {
	for _, key := range [][]byte{[]byte(`"content":`), []byte(`"text":`)} {
		rest := b
		for {
			i := bytes.Index(rest, key)
			if i < 0 {
				break
			}
			rest = rest[i+len(key):]
			j := 0
			for j < len(rest) && rest[j] == ' ' {
				j++
			}
			if j+1 < len(rest) && rest[j] == '"' && rest[j+1] != '"' {
				return true
			}
		}
	}
	return false
}

func containsString(b []byte, s string) bool { return bytes.Contains(b, []byte(s)) }
