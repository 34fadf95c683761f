# The benchmark's access model in Rego (data from src/equivalent.ts opaData): rules are data,
# indexed by model and by principal name, so a check costs a few lookups, not a scan.
# Deny overrides allow; no rule, no access.
package modelgate

default allow := false

allow if {
	granted
	not denied
}

doc := data.acl.models[input.model]

# The rules that name the caller: by each role, by user id, and the `any` rules.
named contains rule if {
	some role in input.principal.roles
	some rule in doc.roles[role]
}

named contains rule if {
	some rule in doc.users[input.principal.id]
}

named contains rule if {
	some rule in doc.any
}

granted if {
	some rule in named
	not rule.deny
	holds(rule)
}

denied if {
	some rule in named
	rule.deny
	holds(rule)
}

holds(rule) if {
	rule.ops[input.operation]
	address_ok(rule)
}

address_ok(rule) if not rule.cidrs

address_ok(rule) if {
	some cidr in rule.cidrs
	net.cidr_contains(cidr, input.context.ip)
}
