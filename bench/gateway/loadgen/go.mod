module github.com/modelgate/bench-gateway/loadgen

go 1.26.0

require github.com/modelgate/bench/loadgen-kit v0.0.0

replace github.com/modelgate/bench/loadgen-kit => ../../loadgen-kit
