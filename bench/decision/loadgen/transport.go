// The two transports. HTTP/1.1 is spoken directly over one keep-alive TCP connection per
// worker (requests prebuilt, no pipelining), which costs the generator a few microseconds a
// call; gRPC goes through grpc-go with a pass-through codec (messages prebuilt).
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

type caller interface {
	// call sends one prebuilt request and tells the verdict of the answer.
	call(e *Encoded) (bool, error)
	close()
}

// ---- HTTP/1.1

func httpRequest(t *Target, host string, body []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: %d\r\n\r\n", t.HTTPPath, host, len(body))
	b.Write(body)
	return b.Bytes()
}

type httpConn struct {
	addr     string
	deadline time.Time
	verdict  func([]byte) (bool, error)
	conn     net.Conn
	r        *bufio.Reader
	body     []byte
}

func newHTTPConn(addr string, deadline time.Time, verdict func([]byte) (bool, error)) *httpConn {
	return &httpConn{addr: addr, deadline: deadline, verdict: verdict, body: make([]byte, 0, 4096)}
}

func (h *httpConn) dial() error {
	c, err := net.DialTimeout("tcp", h.addr, 5*time.Second)
	if err != nil {
		return err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	_ = c.SetDeadline(h.deadline)
	h.conn, h.r = c, bufio.NewReaderSize(c, 16<<10)
	return nil
}

func (h *httpConn) close() {
	if h.conn != nil {
		_ = h.conn.Close()
		h.conn = nil
	}
}

func (h *httpConn) call(e *Encoded) (bool, error) {
	if h.conn == nil {
		if err := h.dial(); err != nil {
			return false, err
		}
	}
	if _, err := h.conn.Write(e.Body); err != nil {
		h.close()
		return false, err
	}
	status, keep, err := h.readResponse()
	if err != nil {
		h.close()
		return false, err
	}
	if !keep {
		h.close()
	}
	if status != 200 {
		return false, fmt.Errorf("HTTP %d: %.200s", status, h.body)
	}
	return h.verdict(h.body)
}

var errMalformed = errors.New("malformed HTTP response")

// readResponse reads one response into h.body: status, whether the connection stays open.
func (h *httpConn) readResponse() (int, bool, error) {
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
			return 0, false, err
		}
		if len(line) <= 2 {
			break
		}
		colon := bytes.IndexByte(line, ':')
		if colon < 0 {
			return 0, false, errMalformed
		}
		name, value := line[:colon], bytes.TrimSpace(line[colon+1:])
		switch {
		case asciiEqualFold(name, "content-length"):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return 0, false, errMalformed
			}
		case asciiEqualFold(name, "transfer-encoding"):
			chunked = asciiEqualFold(value, "chunked")
		case asciiEqualFold(name, "connection"):
			keep = !asciiEqualFold(value, "close")
		}
	}
	h.body = h.body[:0]
	switch {
	case chunked:
		for {
			line, err = h.r.ReadSlice('\n')
			if err != nil {
				return 0, false, err
			}
			size, err := strconv.ParseInt(string(bytes.TrimSpace(bytes.SplitN(line, []byte(";"), 2)[0])), 16, 64)
			if err != nil {
				return 0, false, errMalformed
			}
			if size == 0 {
				for { // trailers up to the blank line
					line, err = h.r.ReadSlice('\n')
					if err != nil {
						return 0, false, err
					}
					if len(line) <= 2 {
						return status, keep, nil
					}
				}
			}
			if err := h.readN(int(size)); err != nil {
				return 0, false, err
			}
			if _, err := h.r.Discard(2); err != nil {
				return 0, false, err
			}
		}
	case length >= 0:
		return status, keep, h.readN(length)
	default:
		return 0, false, errors.New("HTTP response without a length")
	}
}

func (h *httpConn) readN(n int) error {
	start := len(h.body)
	if cap(h.body)-start < n {
		grown := make([]byte, start, start+n)
		copy(grown, h.body)
		h.body = grown
	}
	h.body = h.body[:start+n]
	_, err := io.ReadFull(h.r, h.body[start:])
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

// ---- gRPC

type frame struct{ b []byte }

// rawCodec hands prebuilt protobuf bytes to the wire and the answer's bytes back unparsed.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return v.(*frame).b, nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	f := v.(*frame)
	f.b = append(f.b[:0], data...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

type grpcPool struct {
	conns []*grpc.ClientConn
	next  atomic.Uint64
}

func newGRPCPool(addr string, n int) (*grpcPool, error) {
	p := &grpcPool{}
	for i := 0; i < n; i++ {
		c, err := grpc.NewClient(addr,
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{})),
			// One connection per ClientConn, no sharing between them.
			grpc.WithDefaultServiceConfig(`{"loadBalancingConfig":[{"pick_first":{}}]}`),
		)
		if err != nil {
			return nil, err
		}
		c.Connect()
		p.conns = append(p.conns, c)
	}
	return p, nil
}

func (p *grpcPool) closeAll() {
	for _, c := range p.conns {
		_ = c.Close()
	}
}

type grpcCaller struct {
	conn    *grpc.ClientConn
	ctx     context.Context
	method  string
	verdict func([]byte) (bool, error)
	out     frame
	in      frame
}

func (p *grpcPool) caller(ctx context.Context, t *Target) *grpcCaller {
	c := p.conns[int(p.next.Add(1)-1)%len(p.conns)]
	return &grpcCaller{conn: c, ctx: ctx, method: t.GRPCPath, verdict: t.grpcAllow}
}

func (g *grpcCaller) call(e *Encoded) (bool, error) {
	g.out.b = e.Body
	if err := g.conn.Invoke(g.ctx, g.method, &g.out, &g.in); err != nil {
		return false, err
	}
	return g.verdict(g.in.b)
}

func (g *grpcCaller) close() {}
