package kit

import (
	"errors"
	"math/rand"
	"sync"
	"testing"
	"time"
)

func TestPercentiles(t *testing.T) {
	all := make([]int64, 1000)
	for i := range all {
		all[i] = int64(i+1) * int64(time.Millisecond)
	}
	rand.New(rand.NewSource(1)).Shuffle(len(all), func(a, b int) { all[a], all[b] = all[b], all[a] })
	want := Pcts{P50: 501, P90: 901, P99: 991, P999: 1000, Max: 1000, N: 1000}
	if got := percentiles(all); got != want {
		t.Errorf("percentiles(1..1000 ms) = %+v, want %+v", got, want)
	}
	if got := percentiles([]int64{7 * int64(time.Millisecond)}); got != (Pcts{P50: 7, P90: 7, P99: 7, P999: 7, Max: 7, N: 1}) {
		t.Errorf("one sample: %+v", got)
	}
	if got := percentiles(nil); got != (Pcts{}) {
		t.Errorf("no samples: %+v", got)
	}
	if got := Ms(1_234_567); got != 1.234 {
		t.Errorf("Ms(1234567 ns) = %v, want 1.234 (to the µs)", got)
	}
}

func TestLagP99(t *testing.T) {
	lag := make([]int64, 200)
	for i := range lag {
		lag[len(lag)-1-i] = int64(i) * int64(time.Microsecond)
	}
	if got := lagP99(lag); got != 0.198 {
		t.Errorf("p99 of 0..199 µs = %v ms, want 0.198", got)
	}
	if got := lagP99(nil); got != 0 {
		t.Errorf("no lag: %v", got)
	}
}

func TestPaceReleasesEveryTicketAtItsTime(t *testing.T) {
	const total, interval = 40, 2 * time.Millisecond
	start := time.Now().Add(5 * time.Millisecond)
	tickets := make(chan time.Time, total)
	lag := pace(start, interval, total, tickets)
	if now := time.Now(); now.Before(start.Add((total - 1) * interval)) {
		t.Errorf("done %v before the last ticket's time", start.Add((total-1)*interval).Sub(now))
	}
	i := 0
	for intended := range tickets { // closed after the last
		if want := start.Add(time.Duration(i) * interval); !intended.Equal(want) {
			t.Fatalf("ticket %d for %v, want %v", i, intended.Sub(start), want.Sub(start))
		}
		i++
	}
	if i != total || len(lag) != total {
		t.Fatalf("%d tickets, %d lags, want %d", i, len(lag), total)
	}
	for i, l := range lag {
		if l < 0 {
			t.Fatalf("ticket %d released %v early", i, time.Duration(-l))
		}
	}
}

func TestRecord(t *testing.T) {
	var tl tally
	answers := []Answer{
		{},
		{Mismatch: true}, // no note: first_error stays free for the error below
		{Err: errors.New("refused")},
		{Mismatch: true, Note: "mismatch: x"},
		{Err: errors.New("reset")},
	}
	var kept []bool
	for _, a := range answers {
		kept = append(kept, tl.record(a))
	}
	r := summarize(&tl, nil, Counts{Seconds: 2})
	if r.Completed != 3 || r.Errors != 2 || r.Mismatches != 2 || r.FirstError != "refused" || r.RPS != 1.5 {
		t.Errorf("counts %+v", r.Counts)
	}
	if want := []bool{true, true, false, true, false}; !equal(kept, want) {
		t.Errorf("kept %v, want %v (errors are not timed)", kept, want)
	}
}

// fake is a Driver whose calls take `took` and stamp a first token halfway.
type fake struct {
	mu        sync.Mutex
	seqs      map[int][]int
	connected []bool // dial, per Connect
	closed    int
}

func (f *fake) driver(took time.Duration) *Driver {
	f.seqs = map[int][]int{}
	return &Driver{Linger: time.Second, Connect: func(n int, deadline time.Time, dial bool) (Call, func()) {
		f.connected = append(f.connected, dial)
		return func(w, seq int) Answer {
			t0 := time.Now()
			time.Sleep(took)
			f.mu.Lock()
			f.seqs[w] = append(f.seqs[w], seq)
			f.mu.Unlock()
			if seq%4 == 3 {
				return Answer{Err: errors.New("no")}
			}
			return Answer{First: t0.Add(took / 2)}
		}, func() { f.closed++ }
	}}
}

func TestOpenSpreadsTheCallsOverTheWorkers(t *testing.T) {
	var f fake
	r := f.driver(time.Millisecond).Open(3, 400, 100*time.Millisecond)
	if r.Mode != "open" || r.Concurrency != 3 || r.RateAsked != 400 || r.Dropped != 0 {
		t.Errorf("run %+v", r.Counts)
	}
	if !equal(f.connected, []bool{true}) || f.closed != 1 {
		t.Errorf("connected %v, closed %d: want dialled up front, closed once", f.connected, f.closed)
	}
	calls := 0
	for w, seqs := range f.seqs {
		for k, seq := range seqs {
			if seq != w+3*k {
				t.Fatalf("worker %d's call %d has seq %d, want %d", w, k, seq, w+3*k)
			}
		}
		calls += len(seqs)
	}
	if calls != 40 || r.Completed+r.Errors != 40 || r.Latency.N != int(r.Completed) || r.TTFT.N != int(r.Completed) {
		t.Errorf("%d calls, %+v, latency n %d, ttft n %d: want 40, each success timed", calls, r.Counts, r.Latency.N, r.TTFT.N)
	}
	if r.Latency.P50 < 1 || r.TTFT.Max > r.Latency.Max {
		t.Errorf("latency %+v, ttft %+v", r.Latency, r.TTFT)
	}
	if r.Seconds < 0.0975 /* the last of 40 at 2.5 ms */ || r.PacerLagP99 < 0 || r.GenCPU < 0 {
		t.Errorf("seconds %v, pacer lag %v, cpu %v", r.Seconds, r.PacerLagP99, r.GenCPU)
	}
}

func TestClosedNumbersTheCallsInOrder(t *testing.T) {
	var f fake
	r := f.driver(200*time.Microsecond).Closed(2, 50*time.Millisecond)
	if r.Mode != "closed" || r.Concurrency != 2 || r.RateAsked != 0 || r.Seconds < 0.05 {
		t.Errorf("run %+v", r.Counts)
	}
	if !equal(f.connected, []bool{false}) || f.closed != 1 {
		t.Errorf("connected %v, closed %d", f.connected, f.closed)
	}
	seen := map[int]bool{}
	for _, seqs := range f.seqs {
		for _, seq := range seqs {
			seen[seq] = true
		}
	}
	for i := range len(seen) {
		if !seen[i] {
			t.Fatalf("seq %d missing of %d: the calls are not numbered 0, 1, 2, ...", i, len(seen))
		}
	}
	if n := int64(len(seen)); n < 8 || r.Completed+r.Errors != n || r.Errors != n/4 || r.FirstError != "no" || r.Latency.N != int(r.Completed) {
		t.Errorf("%d calls, %+v, latency n %d", n, r.Counts, r.Latency.N)
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
