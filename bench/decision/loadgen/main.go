// loadgen: the benchmark's load generator, one program for every target and transport so
// that Modelgate, Cerbos and OPA are measured by the same client code.
//
//	loadgen verify -target T -transport http|grpc -addr A -checks F
//	    each check once, in order; prints {"answers":[...],"errors":N,"first_error":...}
//	loadgen run -target T -transport http|grpc -addr A -checks F -mode closed|open
//	    closed: -concurrency callers back to back for -duration (max throughput);
//	    open:   -rate calls/s at fixed intended send times for -duration, latency measured
//	            from each call's intended send time (no coordinated omission), the calls
//	            spread over -concurrency connections (callers).
//	    prints one JSON object: completed, rps, latency percentiles (ms), errors, mismatches.
//
// The loops, the pacer, the percentiles and the HTTP/1.1 connection are bench/loadgen-kit's,
// shared with bench/gateway/loadgen; what is here is the decision checks and gRPC.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"time"

	kit "github.com/modelgate/bench/loadgen-kit"
)

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }

func main() {
	if len(os.Args) < 2 {
		kit.Fatalf("usage: loadgen verify|run [flags]")
	}
	cmd := os.Args[1]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	targetName := fs.String("target", "", "modelgate | cerbos | opa")
	transport := fs.String("transport", "http", "http | grpc")
	addr := fs.String("addr", "", "host:port")
	checksPath := fs.String("checks", "", "JSON file {\"checks\":[...]}")
	mode := fs.String("mode", "closed", "closed | open")
	concurrency := fs.Int("concurrency", 64, "callers (HTTP: one connection each)")
	grpcConns := fs.Int("grpc-conns", 4, "gRPC connections the callers share")
	rate := fs.Float64("rate", 0, "open loop: calls per second")
	duration := fs.Duration("duration", 8*time.Second, "measured time")
	warmup := fs.Duration("warmup", 0, "closed-loop warm-up before measuring (discarded)")
	_ = fs.Parse(os.Args[2:])

	t, ok := targets[*targetName]
	if !ok {
		kit.Fatalf("unknown target %q", *targetName)
	}
	if *transport == "grpc" && t.GRPCPath == "" {
		kit.Fatalf("%s has no gRPC API", t.Name)
	}
	checks, err := loadChecks(*checksPath)
	if err != nil {
		kit.Fatalf("%v", err)
	}
	encoded := make([]Encoded, len(checks))
	for i := range checks {
		c := &checks[i]
		if *transport == "grpc" {
			encoded[i] = Encoded{Body: t.grpcBody(c), Expect: c.Expect}
		} else {
			body, _ := json.Marshal(t.httpBody(c))
			encoded[i] = Encoded{Body: httpRequest(t, *addr, body), Expect: c.Expect}
		}
	}
	g := &generator{target: t, transport: *transport, addr: *addr, grpcConns: *grpcConns, checks: encoded}
	switch cmd {
	case "verify":
		kit.Emit(g.verify())
	case "run":
		d := g.driver()
		if *warmup > 0 {
			d.Closed(*concurrency, *warmup)
		}
		switch *mode {
		case "closed":
			kit.Emit(g.result(d.Closed(*concurrency, *duration)))
		case "open":
			if *rate <= 0 {
				kit.Fatalf("-rate is required in open mode")
			}
			kit.Emit(g.result(d.Open(*concurrency, *rate, *duration)))
		default:
			kit.Fatalf("unknown mode %q", *mode)
		}
	default:
		kit.Fatalf("unknown command %q", cmd)
	}
}

type generator struct {
	target    *Target
	transport string
	addr      string
	grpcConns int
	checks    []Encoded
}

// callers makes n callers that stop being usable after deadline.
func (g *generator) callers(n int, deadline time.Time) ([]caller, func()) {
	out := make([]caller, n)
	if g.transport == "grpc" {
		pool, err := newGRPCPool(g.addr, g.grpcConns)
		if err != nil {
			kit.Fatalf("grpc: %v", err)
		}
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		for i := range out {
			out[i] = pool.caller(ctx, g.target)
		}
		return out, func() { cancel(); pool.closeAll() }
	}
	for i := range out {
		out[i] = &httpConn{Conn: kit.NewConn(g.addr, deadline), verdict: g.target.httpAllow}
	}
	return out, func() {
		for _, c := range out {
			c.close()
		}
	}
}

type verifyResult struct {
	Answers    []bool `json:"answers"`
	Errors     int    `json:"errors"`
	FirstError string `json:"first_error,omitempty"`
}

func (g *generator) verify() verifyResult {
	cs, done := g.callers(1, time.Now().Add(5*time.Minute))
	defer done()
	res := verifyResult{Answers: make([]bool, len(g.checks))}
	for i := range g.checks {
		allow, err := cs[0].call(&g.checks[i])
		if err != nil {
			res.Errors++
			if res.FirstError == "" {
				res.FirstError = err.Error()
			}
		}
		res.Answers[i] = allow
	}
	return res
}

type runResult struct {
	Target    string `json:"target"`
	Transport string `json:"transport"`
	kit.Counts
	P50  float64 `json:"p50_ms"`
	P90  float64 `json:"p90_ms"`
	P99  float64 `json:"p99_ms"`
	P999 float64 `json:"p999_ms"`
	Max  float64 `json:"max_ms"`
	kit.Self
}

func (g *generator) result(r kit.Run) runResult {
	l := r.Latency
	return runResult{Target: g.target.Name, Transport: g.transport, Counts: r.Counts,
		P50: l.P50, P90: l.P90, P99: l.P99, P999: l.P999, Max: l.Max, Self: r.Self}
}

// driver runs the loops over the checks, in order, each call judged against its expected answer.
func (g *generator) driver() *kit.Driver {
	return &kit.Driver{Linger: 10 * time.Second, Connect: func(n int, deadline time.Time, dial bool) (kit.Call, func()) {
		cs, done := g.callers(n, deadline)
		for w := 0; w < n && dial && g.transport == "http"; w++ {
			_ = cs[w].(*httpConn).Dial()
		}
		return func(w, seq int) kit.Answer {
			e := &g.checks[seq%len(g.checks)]
			allow, err := cs[w].call(e)
			if err != nil {
				return kit.Answer{Err: err}
			}
			return kit.Answer{Mismatch: allow != e.Expect}
		}, done
	}}
}
