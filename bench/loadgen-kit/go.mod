module github.com/modelgate/bench/loadgen-kit

go 1.26.0
