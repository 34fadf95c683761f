package main

import (
	"testing"
	"time"
)

func TestHasContentToken(t *testing.T) {
	cases := map[string]bool{
		`data: {"choices":[{"delta":{"role":"assistant","content":""}}]}`: false,
		`data: {"choices":[{"delta":{"content":"qwen3"}}]}`:               true,
		`data: {"choices":[{"delta":{"content": "x"}}]}`:                  true,
		`data: {"choices":[{"text":"a","index":0}]}`:                      true,
		`data: {"choices":[{"delta":{}}]}`:                                false,
		`"content":"`:                                                     false,
	}
	for in, want := range cases {
		if got := hasContentToken([]byte(in)); got != want {
			t.Errorf("hasContentToken(%s) = %v, want %v", in, got, want)
		}
	}
}

// The connection's reading of a stream chunk by chunk is the kit's (tested there); here: the
// stamp goes on the first chunk that carries content, also when its key was cut in two.
func TestFirstTokenIsStampedOnTheFirstContentChunk(t *testing.T) {
	c := newConn("127.0.0.1:1", time.Now(), true)
	if c.OnData == nil || newConn("127.0.0.1:1", time.Now(), false).OnData != nil {
		t.Fatal("only a streamed request stamps a first token")
	}
	chunks := []string{
		"data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"con",
		"tent\":\"hi\"}}]}\n\n",
		"data: {\"choices\":[{\"delta\":{\"content\":\"more\"}}]}\n\n",
	}
	var body []byte
	var stamps []time.Time
	for _, chunk := range chunks {
		from := len(body)
		body = append(body, chunk...)
		c.OnData(body, from)
		stamps = append(stamps, c.firstToken)
		time.Sleep(time.Millisecond)
	}
	if !stamps[0].IsZero() || stamps[1].IsZero() || !stamps[2].Equal(stamps[1]) {
		t.Fatalf("stamps %v: want none after the role chunk, then the second chunk's", stamps)
	}
}

func TestBuildRequest(t *testing.T) {
	got := string(buildRequest(&Spec{Path: "/v1/x", Headers: map[string]string{"B": "2", "A": "1"}, Body: "{}"}, "h:1"))
	want := "POST /v1/x HTTP/1.1\r\nHost: h:1\r\nA: 1\r\nB: 2\r\nContent-Length: 2\r\n\r\n{}"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
