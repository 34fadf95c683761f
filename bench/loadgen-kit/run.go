// Package kit is what the benches' Go load generators (bench/decision/loadgen,
// bench/gateway/loadgen) share: the closed- and open-loop drivers with the open loop's pacer
// thread, the latency percentiles, the generator's CPU accounting, the common part of a run's
// JSON report and a hand-written HTTP/1.1 client connection. Each program keeps what is its
// own: its flags, its requests and how an answer is judged.
package kit

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Counts is the head of a run's JSON report: what was asked and what came back.
type Counts struct {
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
}

// Self is the tail of a run's JSON report: the generator's own figures.
type Self struct {
	// Open loop: how late the pacer released calls (the generator's own error), p99.
	PacerLagP99 float64 `json:"pacer_lag_p99_ms,omitempty"`
	GenCPU      float64 `json:"generator_cpu_s"`
}

// Pcts are latency percentiles in ms over N samples.
type Pcts struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p999"`
	Max  float64 `json:"max"`
	N    int     `json:"n"`
}

// Run is what a closed or open loop measured. A program's report embeds Counts first and
// Self last, with its own shape of the percentiles between them.
type Run struct {
	Counts
	Self
	Latency Pcts // every answered call's, from when it was sent (open loop: meant to be sent)
	TTFT    Pcts // from the same time to the answer's first token, where a call stamped one
}

// Answer is what one call came to.
type Answer struct {
	Err      error     // no usable answer: counted in errors, not timed
	Mismatch bool      // answered, but not as expected: counted in mismatches, timed
	Note     string    // with Mismatch: first_error if it is the first ("": nothing is noted)
	First    time.Time // when the answer's first token arrived; zero: none
}

// Call makes one call on worker w's connection. seq numbers the call: in the closed loop the
// order in which all workers' calls started, in the open loop w + k·n for the worker's k-th.
type Call func(w, seq int) Answer

// Driver runs the loops over the connections Connect makes.
type Driver struct {
	// Connect makes n callers usable until deadline (with dial: connected before it returns)
	// and gives the call and the function that closes them.
	Connect func(n int, deadline time.Time, dial bool) (Call, func())
	// Linger: how long after a closed loop's end its connections stay usable.
	Linger time.Duration
}

// Closed: n callers back to back until the end; throughput = answers / elapsed.
func (d *Driver) Closed(n int, dur time.Duration) Run {
	var seq atomic.Uint64
	var tl tally
	per := make([]samples, n)
	cpu0 := cpuSeconds()
	start := time.Now()
	end := start.Add(dur)
	call, done := d.Connect(n, end.Add(d.Linger), false)
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			s := samples{lat: make([]int64, 0, 1<<14)}
			for time.Now().Before(end) {
				i := int(seq.Add(1) - 1)
				t0 := time.Now()
				if a := call(w, i); tl.record(a) {
					s.add(a, t0)
				} else {
					time.Sleep(time.Millisecond) // a failing target is not hammered
				}
			}
			per[w] = s
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	done()
	r := summarize(&tl, per, Counts{Mode: "closed", Concurrency: n, Seconds: elapsed.Seconds()})
	r.GenCPU = cpuSeconds() - cpu0
	return r
}

// Open: calls released at start + i/rate by a pacer thread and spread over n callers; each
// latency runs from that intended time, so a target that falls behind is charged for the
// queue it causes (no coordinated omission).
func (d *Driver) Open(n int, rate float64, dur time.Duration) Run {
	total := int(rate * dur.Seconds())
	interval := time.Duration(float64(time.Second) / rate)
	tickets := make(chan time.Time, total)
	var tl tally
	var dropped atomic.Int64
	per := make([]samples, n)
	var lag []int64
	cpu0 := cpuSeconds()
	grace := 10 * time.Second
	// Connections are made before the clock starts.
	call, done := d.Connect(n, time.Now().Add(dur+grace+15*time.Second), true)
	start := time.Now().Add(20 * time.Millisecond)
	stopAt := start.Add(dur + grace)
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			s := samples{lat: make([]int64, 0, total/n+1024)}
			i := w
			for intended := range tickets {
				if time.Now().After(stopAt) {
					dropped.Add(1)
					continue
				}
				a := call(w, i)
				i += n
				if tl.record(a) {
					s.add(a, intended)
				}
			}
			per[w] = s
		}(w)
	}
	var pacer sync.WaitGroup
	pacer.Add(1)
	go func() {
		defer pacer.Done()
		lag = pace(start, interval, total, tickets)
	}()
	pacer.Wait()
	wg.Wait()
	elapsed := time.Since(start)
	done()
	r := summarize(&tl, per, Counts{Mode: "open", Concurrency: n, RateAsked: rate, Seconds: elapsed.Seconds()})
	r.Dropped = dropped.Load()
	r.PacerLagP99 = lagP99(lag)
	r.GenCPU = cpuSeconds() - cpu0
	return r
}

// pace sends total tickets, the i-th at start + i·interval, and closes the channel; it gives
// how late (ns) each one went. It runs on a thread of its own: Go timers sleep ≥ 1 ms here,
// nanosleep with 1 ns timer slack wakes within microseconds.
func pace(start time.Time, interval time.Duration, total int, tickets chan<- time.Time) []int64 {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, 29 /* PR_SET_TIMERSLACK */, 1, 0)
	// Ahead of the generator's other threads on its CPU (needs root or CAP_SYS_NICE; best effort).
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), -10)
	lag := make([]int64, 0, total)
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
	return lag
}

// lagP99 is the pacer's p99 lateness in ms (sorts lag).
func lagP99(lag []int64) float64 {
	sort.Slice(lag, func(a, b int) bool { return lag[a] < lag[b] })
	if len(lag) == 0 {
		return 0
	}
	return Ms(lag[min(len(lag)-1, len(lag)*99/100)])
}

type tally struct {
	completed, errors, mismatches atomic.Int64
	firstError                    atomic.Value
}

// record counts one answer; true when its latency is to be kept.
func (t *tally) record(a Answer) bool {
	if a.Err != nil {
		t.errors.Add(1)
		t.firstError.CompareAndSwap(nil, a.Err.Error())
		return false
	}
	t.completed.Add(1)
	if a.Mismatch {
		t.mismatches.Add(1)
		if a.Note != "" {
			t.firstError.CompareAndSwap(nil, a.Note)
		}
	}
	return true
}

// samples are one worker's latencies (ns).
type samples struct{ lat, ttft []int64 }

func (s *samples) add(a Answer, from time.Time) {
	s.lat = append(s.lat, int64(time.Since(from)))
	if !a.First.IsZero() {
		s.ttft = append(s.ttft, int64(a.First.Sub(from)))
	}
}

func summarize(tl *tally, per []samples, c Counts) Run {
	r := Run{Counts: c}
	r.Completed, r.Errors, r.Mismatches = tl.completed.Load(), tl.errors.Load(), tl.mismatches.Load()
	if e, ok := tl.firstError.Load().(string); ok {
		r.FirstError = e
	}
	r.RPS = float64(r.Completed) / c.Seconds
	var lat, ttft []int64
	for _, s := range per {
		lat = append(lat, s.lat...)
		ttft = append(ttft, s.ttft...)
	}
	r.Latency, r.TTFT = percentiles(lat), percentiles(ttft)
	return r
}

// percentiles of latencies in ns (sorts all).
func percentiles(all []int64) Pcts {
	if len(all) == 0 {
		return Pcts{}
	}
	sort.Slice(all, func(a, b int) bool { return all[a] < all[b] })
	at := func(p float64) float64 { return Ms(all[min(len(all)-1, int(p*float64(len(all))))]) }
	return Pcts{P50: at(0.50), P90: at(0.90), P99: at(0.99), P999: at(0.999), Max: Ms(all[len(all)-1]), N: len(all)}
}

// Ms turns ns into ms, to the µs.
func Ms(ns int64) float64 { return float64(ns/1000) / 1000 }

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// Fatalf says what is wrong on stderr and exits with 2.
func Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "loadgen: "+format+"\n", args...)
	os.Exit(2)
}

// Emit prints v as one line of JSON, the program's result.
func Emit(v any) {
	out, _ := json.Marshal(v)
	fmt.Println(string(out))
}
