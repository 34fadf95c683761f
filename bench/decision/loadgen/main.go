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
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }

func main() {
	if len(os.Args) < 2 {
		fatalf("usage: loadgen verify|run [flags]")
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
		fatalf("unknown target %q", *targetName)
	}
	if *transport == "grpc" && t.GRPCPath == "" {
		fatalf("%s has no gRPC API", t.Name)
	}
	checks, err := loadChecks(*checksPath)
	if err != nil {
		fatalf("%v", err)
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
		emit(g.verify())
	case "run":
		if *warmup > 0 {
			g.closed(*concurrency, *warmup)
		}
		switch *mode {
		case "closed":
			emit(g.closed(*concurrency, *duration))
		case "open":
			if *rate <= 0 {
				fatalf("-rate is required in open mode")
			}
			emit(g.open(*concurrency, *rate, *duration))
		default:
			fatalf("unknown mode %q", *mode)
		}
	default:
		fatalf("unknown command %q", cmd)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "loadgen: "+format+"\n", args...)
	os.Exit(2)
}

func emit(v any) {
	out, _ := json.Marshal(v)
	fmt.Println(string(out))
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
			fatalf("grpc: %v", err)
		}
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		for i := range out {
			out[i] = pool.caller(ctx, g.target)
		}
		return out, func() { cancel(); pool.closeAll() }
	}
	for i := range out {
		out[i] = newHTTPConn(g.addr, deadline, g.target.httpAllow)
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
	Target      string  `json:"target"`
	Transport   string  `json:"transport"`
	Mode        string  `json:"mode"`
	Concurrency int     `json:"concurrency"`
	RateAsked   float64 `json:"rate_asked,omitempty"`
	Seconds     float64 `json:"seconds"`
	Completed   int64   `json:"completed"`
	RPS         float64 `json:"rps"`
	Errors      int64   `json:"errors"`
	FirstError  string  `json:"first_error,omitempty"`
	Mismatches  int64   `json:"mismatches"`
	Dropped     int64   `json:"dropped,omitempty"`
	P50         float64 `json:"p50_ms"`
	P90         float64 `json:"p90_ms"`
	P99         float64 `json:"p99_ms"`
	P999        float64 `json:"p999_ms"`
	Max         float64 `json:"max_ms"`
	// Open loop: how late the pacer released calls (the generator's own error), p99.
	PacerLagP99 float64 `json:"pacer_lag_p99_ms,omitempty"`
	GenCPU      float64 `json:"generator_cpu_s"`
}

type tally struct {
	completed, errors, mismatches atomic.Int64
	firstError                    atomic.Value
}

func (t *tally) record(allow bool, err error, expect bool) bool {
	if err != nil {
		t.errors.Add(1)
		t.firstError.CompareAndSwap(nil, err.Error())
		return false
	}
	t.completed.Add(1)
	if allow != expect {
		t.mismatches.Add(1)
	}
	return true
}

func (t *tally) fill(r *runResult) {
	r.Completed, r.Errors, r.Mismatches = t.completed.Load(), t.errors.Load(), t.mismatches.Load()
	if e, ok := t.firstError.Load().(string); ok {
		r.FirstError = e
	}
}

// closed: n callers back to back until the end; throughput = answers / elapsed.
func (g *generator) closed(n int, d time.Duration) runResult {
	var seq atomic.Uint64
	var tl tally
	lat := make([][]int64, n)
	cpu0 := cpuSeconds()
	start := time.Now()
	end := start.Add(d)
	cs, done := g.callers(n, end.Add(10*time.Second))
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			samples := make([]int64, 0, 1<<14)
			for time.Now().Before(end) {
				e := &g.checks[int(seq.Add(1)-1)%len(g.checks)]
				t0 := time.Now()
				allow, err := cs[w].call(e)
				if tl.record(allow, err, e.Expect) {
					samples = append(samples, int64(time.Since(t0)))
				} else {
					time.Sleep(time.Millisecond) // a failing target is not hammered
				}
			}
			lat[w] = samples
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	done()
	r := runResult{Target: g.target.Name, Transport: g.transport, Mode: "closed", Concurrency: n, Seconds: elapsed.Seconds()}
	tl.fill(&r)
	r.RPS = float64(r.Completed) / elapsed.Seconds()
	percentiles(&r, lat)
	r.GenCPU = cpuSeconds() - cpu0
	return r
}

// open: calls released at start + i/rate by a pacer thread; each latency runs from that
// intended time, so a target that falls behind is charged for the queue it causes.
func (g *generator) open(n int, rate float64, d time.Duration) runResult {
	total := int(rate * d.Seconds())
	interval := time.Duration(float64(time.Second) / rate)
	tickets := make(chan time.Time, total)
	var tl tally
	var dropped atomic.Int64
	lat := make([][]int64, n)
	var lag []int64
	cpu0 := cpuSeconds()
	grace := 10 * time.Second
	// Connections are made before the clock starts (an HTTP caller dials on first use).
	cs, done := g.callers(n, time.Now().Add(d+grace+15*time.Second))
	for w := 0; w < n && g.transport == "http"; w++ {
		_ = cs[w].(*httpConn).dial()
	}
	start := time.Now().Add(20 * time.Millisecond)
	stopAt := start.Add(d + grace)
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			samples := make([]int64, 0, total/n+1024)
			i := w
			for intended := range tickets {
				if time.Now().After(stopAt) {
					dropped.Add(1)
					continue
				}
				e := &g.checks[i%len(g.checks)]
				i += n
				allow, err := cs[w].call(e)
				if tl.record(allow, err, e.Expect) {
					samples = append(samples, int64(time.Since(intended)))
				}
			}
			lat[w] = samples
		}(w)
	}
	var pacer sync.WaitGroup
	pacer.Add(1)
	go func() {
		defer pacer.Done()
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		// Timer slack of 1 ns: nanosleep wakes within microseconds, not the default 50 µs.
		_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, 29 /* PR_SET_TIMERSLACK */, 1, 0)
		// Ahead of the generator's other threads on its CPU (needs root or CAP_SYS_NICE; best effort).
		_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), -10)
		lag = make([]int64, 0, total)
		for i := 0; i < total; i++ {
			intended := start.Add(time.Duration(i) * interval)
			if wait := time.Until(intended); wait > 0 {
				ts := syscall.NsecToTimespec(int64(wait))
				for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
				}
			}
			lag = append(lag, int64(time.Since(intended)))
			tickets <- intended
		}
		close(tickets)
	}()
	pacer.Wait()
	wg.Wait()
	elapsed := time.Since(start)
	done()
	r := runResult{Target: g.target.Name, Transport: g.transport, Mode: "open", Concurrency: n, RateAsked: rate, Seconds: elapsed.Seconds()}
	tl.fill(&r)
	r.Dropped = dropped.Load()
	r.RPS = float64(r.Completed) / elapsed.Seconds()
	percentiles(&r, lat)
	sort.Slice(lag, func(a, b int) bool { return lag[a] < lag[b] })
	if len(lag) > 0 {
		r.PacerLagP99 = ms(lag[min(len(lag)-1, len(lag)*99/100)])
	}
	r.GenCPU = cpuSeconds() - cpu0
	return r
}

func percentiles(r *runResult, per [][]int64) {
	var all []int64
	for _, s := range per {
		all = append(all, s...)
	}
	if len(all) == 0 {
		return
	}
	sort.Slice(all, func(a, b int) bool { return all[a] < all[b] })
	at := func(p float64) float64 { return ms(all[min(len(all)-1, int(p*float64(len(all))))]) }
	r.P50, r.P90, r.P99, r.P999 = at(0.50), at(0.90), at(0.99), at(0.999)
	r.Max = ms(all[len(all)-1])
}

func ms(ns int64) float64 { return float64(ns/1000) / 1000 }

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
