// The two transports. HTTP/1.1 is spoken directly over one keep-alive TCP connection per
// worker (the kit's connection; requests prebuilt, no pipelining), which costs the generator
// a few microseconds a call; gRPC goes through grpc-go with a pass-through codec (messages
// prebuilt).
package main

import (
	"context"
	"fmt"
	"sync/atomic"

	kit "github.com/modelgate/bench/loadgen-kit"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

type caller interface {
	// call sends one prebuilt request and tells the verdict of the answer.
	call(e *Encoded) (bool, error)
	close()
}

// ---- HTTP/1.1 (the connection is the kit's)

var jsonHeaders = []kit.Header{{Name: "Content-Type", Value: "application/json"}, {Name: "Accept", Value: "application/json"}}

func httpRequest(t *Target, host string, body []byte) []byte {
	return kit.Request("POST", t.HTTPPath, host, jsonHeaders, body)
}

type httpConn struct {
	*kit.Conn
	verdict func([]byte) (bool, error)
}

func (h *httpConn) call(e *Encoded) (bool, error) {
	status, err := h.Do(e.Body)
	if err != nil {
		return false, err
	}
	if status != 200 {
		return false, fmt.Errorf("HTTP %d: %.200s", status, h.Body)
	}
	return h.verdict(h.Body)
}

func (h *httpConn) close() { h.Close() }

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
