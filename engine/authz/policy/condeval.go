package policy

import (
	"bytes"
	"encoding/base64"
	"net/netip"
	"strings"
)

// holds evaluates one condition against the request, with IAM's rules:
//
//   - A key absent from the request (or present with no values) makes the
//     condition true under ...IfExists and under ForAllValues:, false
//     under ForAnyValue:, and otherwise true only for the negated operators
//     (StringNotEquals, NotIpAddress, ...): "not equal to" holds of nothing.
//   - Null is true when the key's absence is what its value says.
//   - Without a qualifier, a positive operator holds when some request
//     value matches some policy value; a negated one when none does.
//   - ForAnyValue: holds when some request value passes the operator,
//     ForAllValues: when every one does.
func (c *condition) holds(e *env) bool {
	vals, present := e.lookup(c.lkey)
	if c.base == opNull {
		for i := range c.values {
			if c.values[i].b == !present {
				return true
			}
		}
		return false
	}
	if !present {
		switch {
		case c.ifExists, c.qual == qualAll:
			return true
		case c.qual == qualAny:
			return false
		}
		return c.neg
	}
	switch c.qual {
	case qualAny:
		for _, v := range vals {
			if c.matchOne(e, v) != c.neg {
				return true
			}
		}
		return false
	case qualAll:
		for _, v := range vals {
			if c.matchOne(e, v) == c.neg {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if c.matchOne(e, v) {
			return !c.neg
		}
	}
	return c.neg
}

// matchOne reports whether the request value v matches some policy value
// under the positive form of the operator. A value whose policy variable
// has no value matches nothing; a request value that does not parse as the
// operator's type matches nothing.
func (c *condition) matchOne(e *env, v string) bool {
	switch c.base {
	case opStrEq, opStrEqIC, opStrLike, opArn:
		return c.matchString(e, v)
	case opNumEq, opNumLT, opNumLTE, opNumGT, opNumGTE:
		n, ok := parseNumber(strings.TrimSpace(v))
		if !ok {
			return false
		}
		for i := range c.values {
			if compare(c.base-opNumEq, cmp3(n, c.values[i].num)) {
				return true
			}
		}
	case opDateEq, opDateLT, opDateLTE, opDateGT, opDateGTE:
		t, ok := parseDate(strings.TrimSpace(v))
		if !ok {
			return false
		}
		for i := range c.values {
			if compare(c.base-opDateEq, t.Compare(c.values[i].tm)) {
				return true
			}
		}
	case opBool:
		b, ok := parseBool(v)
		if !ok {
			return false
		}
		for i := range c.values {
			if c.values[i].b == b {
				return true
			}
		}
	case opBinEq:
		raw, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return false
		}
		for i := range c.values {
			if bytes.Equal(raw, c.values[i].bin) {
				return true
			}
		}
	case opIP:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		a = a.Unmap().WithZone("")
		for i := range c.values {
			if c.values[i].pfx.Contains(a) {
				return true
			}
		}
	}
	return false
}

func (c *condition) matchString(e *env, v string) bool {
	glob := c.base == opStrLike || c.base == opArn
	for i := range c.values {
		p, ok := c.values[i].tmpl.expand(e, glob)
		if !ok {
			continue
		}
		switch c.base {
		case opStrEq:
			if p == v {
				return true
			}
		case opStrEqIC:
			if strings.EqualFold(p, v) {
				return true
			}
		case opStrLike:
			if globMatch(p, v) {
				return true
			}
		case opArn:
			if arnMatch(p, v) {
				return true
			}
		}
	}
	return false
}

// compare applies the comparison at offset k from the operator family's
// Equals (Equals, LessThan, LessThanEquals, GreaterThan,
// GreaterThanEquals) to a three-way comparison result.
func compare(k opBase, r int) bool {
	switch k {
	case 0:
		return r == 0
	case 1:
		return r < 0
	case 2:
		return r <= 0
	case 3:
		return r > 0
	}
	return r >= 0
}

func cmp3(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// arnMatch matches an ARN against an escaped glob as IAM's ArnLike does:
// each of the first five colon-separated components separately (so a '*'
// does not cross a ':'), then the rest. A value with fewer than six
// components matches nothing unless the whole pattern matches it.
func arnMatch(pat, arn string) bool {
	p, a := pat, arn
	for i := 0; i < 5; i++ {
		pc, prest, pok := strings.Cut(p, ":")
		ac, arest, aok := strings.Cut(a, ":")
		if !pok || !aok {
			return !pok && globMatch(pat, arn)
		}
		if !globMatch(pc, ac) {
			return false
		}
		p, a = prest, arest
	}
	return globMatch(p, a)
}
