// loadgen: the gateway benchmark's HTTP load generator. One program for every target
// (engine direct, nginx, LiteLLM, Modelgate) so that the client side is identical.
//
//	loadgen run -addr host:port -request req.json -mode once|closed|open [flags]
//	    once:   one request; prints status, body excerpt and timings (setup checks).
//	    closed: -concurrency callers back to back for -duration (max throughput).
//	    open:   -rate requests/s released at fixed intended times for -duration, spread over
//	            -concurrency keep-alive connections; every latency (and time to first token)
//	            runs from the request's intended send time, so a target that falls behind is
//	            charged for the queue it causes (no coordinated omission).
//	    prints one JSON object: completed, rps, errors, mismatches, latency and TTFT
//	    percentiles in ms, the pacer's own lateness and the generator's CPU time.
//
// The request file: {"method","path","headers":{...},"body":"...","expect_status":200,
// "expect_contains":"..."}; a response counts as an error unless it has that status, and as
// a mismatch unless its body contains that text. With "stream": true the response is read
// as SSE and the time to the first event carrying content is the TTFT.
//
// The loops, the pacer, the percentiles and the HTTP/1.1 connection are bench/loadgen-kit's,
// shared with bench/decision/loadgen; what is here is the request file, how an answer is
// judged and the first-token stamp.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	kit "github.com/modelgate/bench/loadgen-kit"
)

// Spec is one request as the bench writes it.
type Spec struct {
	Method         string            `json:"method"`
	Path           string            `json:"path"`
	Headers        map[string]string `json:"headers"`
	Body           string            `json:"body"`
	Stream         bool              `json:"stream"`
	ExpectStatus   int               `json:"expect_status"`
	ExpectContains string            `json:"expect_contains"`
}

func main() {
	if len(os.Args) < 2 || os.Args[1] != "run" {
		kit.Fatalf("usage: loadgen run -addr host:port -request req.json -mode once|closed|open [flags]")
	}
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	addr := fs.String("addr", "", "host:port")
	requestPath := fs.String("request", "", "JSON request file")
	mode := fs.String("mode", "closed", "once | closed | open")
	concurrency := fs.Int("concurrency", 64, "keep-alive connections (one caller each)")
	rate := fs.Float64("rate", 0, "open loop: requests per second")
	duration := fs.Duration("duration", 10*time.Second, "measured time")
	warmup := fs.Duration("warmup", 0, "closed-loop warm-up before measuring (discarded)")
	_ = fs.Parse(os.Args[2:])
	if *addr == "" || *requestPath == "" {
		kit.Fatalf("-addr and -request are required")
	}
	raw, err := os.ReadFile(*requestPath)
	if err != nil {
		kit.Fatalf("%v", err)
	}
	var spec Spec
	if err := json.Unmarshal(raw, &spec); err != nil {
		kit.Fatalf("%s: %v", *requestPath, err)
	}
	if spec.ExpectStatus == 0 {
		spec.ExpectStatus = 200
	}
	g := &generator{addr: *addr, spec: &spec, wire: buildRequest(&spec, *addr)}
	d := g.driver()
	switch *mode {
	case "once":
		kit.Emit(g.once())
	case "closed":
		if *warmup > 0 {
			d.Closed(*concurrency, *warmup)
		}
		kit.Emit(g.result(d.Closed(*concurrency, *duration)))
	case "open":
		if *rate <= 0 {
			kit.Fatalf("-rate is required in open mode")
		}
		if *warmup > 0 {
			d.Closed(min(*concurrency, 8), *warmup)
		}
		kit.Emit(g.result(d.Open(*concurrency, *rate, *duration)))
	default:
		kit.Fatalf("unknown mode %q", *mode)
	}
}

type generator struct {
	addr string
	spec *Spec
	wire []byte
}

type onceResult struct {
	Status    int     `json:"status"`
	Body      string  `json:"body"`
	Error     string  `json:"error,omitempty"`
	Mismatch  bool    `json:"mismatch"`
	LatencyMs float64 `json:"latency_ms"`
	TTFTMs    float64 `json:"ttft_ms,omitempty"`
}

func (g *generator) once() onceResult {
	c := newConn(g.addr, time.Now().Add(30*time.Second), g.spec.Stream)
	defer c.Close()
	t0 := time.Now()
	res, err := c.do(g.wire)
	out := onceResult{Status: res.status, LatencyMs: kit.Ms(int64(time.Since(t0)))}
	if !res.firstToken.IsZero() {
		out.TTFTMs = kit.Ms(int64(res.firstToken.Sub(t0)))
	}
	body := c.Body
	if len(body) > 2000 {
		body = body[:2000]
	}
	out.Body = string(body)
	if err != nil {
		out.Error = err.Error()
	}
	a := g.answer(res, err, c.Body)
	out.Mismatch = a.Err != nil || a.Mismatch
	return out
}

// answer judges one response: an error unless it has the expected status, a mismatch unless
// its body holds the expected text.
func (g *generator) answer(res result, err error, body []byte) kit.Answer {
	switch {
	case err != nil:
		return kit.Answer{Err: err}
	case res.status != g.spec.ExpectStatus:
		return kit.Answer{Err: fmt.Errorf("HTTP %d: %.200s", res.status, body)}
	case g.spec.ExpectContains != "" && !containsString(body, g.spec.ExpectContains):
		return kit.Answer{Mismatch: true, Note: fmt.Sprintf("mismatch: %.200s", body), First: res.firstToken}
	}
	return kit.Answer{First: res.firstToken}
}

type runResult struct {
	kit.Counts
	Latency kit.Pcts  `json:"latency_ms"`
	TTFT    *kit.Pcts `json:"ttft_ms,omitempty"`
	kit.Self
}

func (g *generator) result(r kit.Run) runResult {
	out := runResult{Counts: r.Counts, Latency: r.Latency, Self: r.Self}
	if g.spec.Stream {
		out.TTFT = &r.TTFT
	}
	return out
}

// driver runs the loops with the one prebuilt request, over one keep-alive connection a caller.
func (g *generator) driver() *kit.Driver {
	return &kit.Driver{Linger: 15 * time.Second, Connect: func(n int, deadline time.Time, dial bool) (kit.Call, func()) {
		cs := make([]*conn, n)
		for i := range cs {
			cs[i] = newConn(g.addr, deadline, g.spec.Stream)
		}
		for i := 0; i < n && dial; i++ {
			_ = cs[i].Dial()
		}
		call := func(w, _ int) kit.Answer {
			res, err := cs[w].do(g.wire)
			return g.answer(res, err, cs[w].Body)
		}
		return call, func() {
			for _, c := range cs {
				c.Close()
			}
		}
	}}
}
