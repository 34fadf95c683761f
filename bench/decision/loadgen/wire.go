// What each target is sent and how its answer is read. Requests are encoded once, before a
// run starts (JSON bodies for HTTP, protobuf bytes for gRPC), so the generator's per-call
// work is the same small amount for every target: write bytes, read bytes, find the verdict.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// Check is one neutral access check, as bench/decision/src/equivalent.ts writes it.
type Check struct {
	Principal struct {
		ID     string   `json:"id"`
		Type   string   `json:"type"`
		Roles  []string `json:"roles"`
		Groups []string `json:"groups"`
	} `json:"principal"`
	Model     string `json:"model"`
	Operation string `json:"operation"`
	IP        string `json:"ip"`
	Expect    bool   `json:"expect"`
}

// Encoded is a check in a target's own request shape.
type Encoded struct {
	Body   []byte // HTTP: the full request (line, headers, JSON body); gRPC: the message
	Expect bool
}

// Target knows one decision point's API.
type Target struct {
	Name      string
	HTTPPath  string
	GRPCPath  string // empty: no gRPC API
	httpBody  func(c *Check) any
	grpcBody  func(c *Check) []byte
	httpAllow func(body []byte) (bool, error)
	grpcAllow func(msg []byte) (bool, error)
}

var targets = map[string]*Target{
	"modelgate": {
		Name:     "modelgate",
		HTTPPath: "/v1/decisions",
		GRPCPath: "/modelgate.decision.v1.DecisionService/Check",
		httpBody: func(c *Check) any {
			return map[string]any{
				"principal": map[string]any{"id": c.Principal.ID, "type": c.Principal.Type, "roles": nonNil(c.Principal.Roles), "groups": nonNil(c.Principal.Groups)},
				"model":     c.Model,
				"operation": c.Operation,
				"context":   map[string]any{"ip": c.IP},
			}
		},
		grpcBody: func(c *Check) []byte {
			// modelgate.decision.v1.CheckRequest{principal=1{id=1,type=2,roles=3,groups=4}, model=2, operation=3, context=4{ip=1}}
			var p []byte
			p = appendString(p, 1, c.Principal.ID)
			p = appendString(p, 2, c.Principal.Type)
			for _, r := range c.Principal.Roles {
				p = appendString(p, 3, r)
			}
			for _, g := range c.Principal.Groups {
				p = appendString(p, 4, g)
			}
			var m []byte
			m = appendBytes(m, 1, p)
			m = appendString(m, 2, c.Model)
			m = appendString(m, 3, c.Operation)
			m = appendBytes(m, 4, appendString(nil, 1, c.IP))
			return m
		},
		httpAllow: jsonVerdict([]byte(`"allow":`), []byte("true")),
		grpcAllow: func(msg []byte) (bool, error) {
			// modelgate.decision.v1.CheckResponse: allow = 2 (bool)
			allow := false
			err := walk(msg, func(num protowire.Number, typ protowire.Type, v uint64, _ []byte) error {
				if num == 2 && typ == protowire.VarintType {
					allow = v != 0
				}
				return nil
			})
			return allow, err
		},
	},
	"cerbos": {
		Name:     "cerbos",
		HTTPPath: "/api/check/resources",
		GRPCPath: "/cerbos.svc.v1.CerbosService/CheckResources",
		httpBody: func(c *Check) any {
			return map[string]any{
				"principal": map[string]any{"id": c.Principal.ID, "roles": nonNil(c.Principal.Roles), "attr": map[string]any{"ip": c.IP}},
				"resources": []any{map[string]any{
					"actions":  []string{c.Operation},
					"resource": map[string]any{"kind": c.Model, "id": c.Model},
				}},
			}
		},
		grpcBody: func(c *Check) []byte {
			// cerbos.request.v1.CheckResourcesRequest{principal=3, resources=4{actions=1, resource=2}}
			// cerbos.engine.v1.Principal{id=1, roles=3, attr=4 map<string, Value{string_value=3}>}
			// cerbos.engine.v1.Resource{kind=1, id=3}
			var p []byte
			p = appendString(p, 1, c.Principal.ID)
			for _, r := range c.Principal.Roles {
				p = appendString(p, 3, r)
			}
			entry := appendString(nil, 1, "ip")
			entry = appendBytes(entry, 2, appendString(nil, 3, c.IP))
			p = appendBytes(p, 4, entry)
			var res []byte
			res = appendString(res, 1, c.Model)
			res = appendString(res, 3, c.Model)
			var re []byte
			re = appendString(re, 1, c.Operation)
			re = appendBytes(re, 2, res)
			var m []byte
			m = appendBytes(m, 3, p)
			m = appendBytes(m, 4, re)
			return m
		},
		httpAllow: func(body []byte) (bool, error) {
			if bytes.Contains(body, []byte(`"EFFECT_ALLOW"`)) {
				return true, nil
			}
			if bytes.Contains(body, []byte(`"EFFECT_DENY"`)) || bytes.Contains(body, []byte(`"EFFECT_NO_MATCH"`)) {
				return false, nil
			}
			return false, fmt.Errorf("no effect in %.200s", body)
		},
		grpcAllow: func(msg []byte) (bool, error) {
			// CheckResourcesResponse.results = 2 → ResultEntry.actions = 2 (map entry: key 1, value 2 = Effect; ALLOW = 1)
			allow, seen := false, false
			err := walk(msg, func(num protowire.Number, typ protowire.Type, _ uint64, b []byte) error {
				if num != 2 || typ != protowire.BytesType {
					return nil
				}
				return walk(b, func(num protowire.Number, typ protowire.Type, _ uint64, b []byte) error {
					if num != 2 || typ != protowire.BytesType {
						return nil
					}
					return walk(b, func(num protowire.Number, typ protowire.Type, v uint64, _ []byte) error {
						if num == 2 && typ == protowire.VarintType {
							seen = true
							allow = v == 1
						}
						return nil
					})
				})
			})
			if err == nil && !seen {
				err = errors.New("no effect in the answer")
			}
			return allow, err
		},
	},
	"opa": {
		Name:     "opa",
		HTTPPath: "/v1/data/modelgate/allow",
		httpBody: func(c *Check) any {
			return map[string]any{"input": map[string]any{
				"principal": map[string]any{"id": c.Principal.ID, "type": c.Principal.Type, "roles": nonNil(c.Principal.Roles), "groups": nonNil(c.Principal.Groups)},
				"model":     c.Model,
				"operation": c.Operation,
				"context":   map[string]any{"ip": c.IP},
			}}
		},
		httpAllow: jsonVerdict([]byte(`"result":`), []byte("true")),
	},
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// jsonVerdict reads `key` followed by `yes` (or anything else: no) in a compact JSON answer.
func jsonVerdict(key, yes []byte) func([]byte) (bool, error) {
	return func(body []byte) (bool, error) {
		i := bytes.Index(body, key)
		if i < 0 {
			return false, fmt.Errorf("no %s in %.200s", key, body)
		}
		rest := bytes.TrimLeft(body[i+len(key):], " ")
		return bytes.HasPrefix(rest, yes), nil
	}
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendBytes(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

// walk calls fn for every field of one message level.
func walk(msg []byte, fn func(protowire.Number, protowire.Type, uint64, []byte) error) error {
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return protowire.ParseError(n)
		}
		msg = msg[n:]
		var v uint64
		var b []byte
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(msg)
		case protowire.BytesType:
			b, n = protowire.ConsumeBytes(msg)
		default:
			n = protowire.ConsumeFieldValue(num, typ, msg)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		msg = msg[n:]
		if err := fn(num, typ, v, b); err != nil {
			return err
		}
	}
	return nil
}

func loadChecks(path string) ([]Check, error) {
	raw, err := readFile(path)
	if err != nil {
		return nil, err
	}
	var file struct {
		Checks []Check `json:"checks"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(file.Checks) == 0 {
		return nil, fmt.Errorf("%s: no checks", path)
	}
	return file.Checks, nil
}
