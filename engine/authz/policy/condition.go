package policy

import (
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// opBase is a condition operator without its negation, IfExists suffix or
// set qualifier.
type opBase uint8

const (
	opStrEq opBase = iota
	opStrEqIC
	opStrLike
	opNumEq
	opNumLT
	opNumLTE
	opNumGT
	opNumGTE
	opDateEq
	opDateLT
	opDateLTE
	opDateGT
	opDateGTE
	opBool
	opBinEq
	opIP
	opArn
	opNull
)

// operators is IAM's table of condition operators. A read-only table.
var operators = [...]struct {
	name string
	base opBase
	neg  bool
}{
	{"StringEquals", opStrEq, false},
	{"StringNotEquals", opStrEq, true},
	{"StringEqualsIgnoreCase", opStrEqIC, false},
	{"StringNotEqualsIgnoreCase", opStrEqIC, true},
	{"StringLike", opStrLike, false},
	{"StringNotLike", opStrLike, true},
	{"NumericEquals", opNumEq, false},
	{"NumericNotEquals", opNumEq, true},
	{"NumericLessThan", opNumLT, false},
	{"NumericLessThanEquals", opNumLTE, false},
	{"NumericGreaterThan", opNumGT, false},
	{"NumericGreaterThanEquals", opNumGTE, false},
	{"DateEquals", opDateEq, false},
	{"DateNotEquals", opDateEq, true},
	{"DateLessThan", opDateLT, false},
	{"DateLessThanEquals", opDateLTE, false},
	{"DateGreaterThan", opDateGT, false},
	{"DateGreaterThanEquals", opDateGTE, false},
	{"Bool", opBool, false},
	{"BinaryEquals", opBinEq, false},
	{"IpAddress", opIP, false},
	{"NotIpAddress", opIP, true},
	{"ArnEquals", opArn, false},
	{"ArnLike", opArn, false},
	{"ArnNotEquals", opArn, true},
	{"ArnNotLike", opArn, true},
	{"Null", opNull, false},
}

// qualifier is a set operator prefix for multi-valued keys.
type qualifier uint8

const (
	qualNone qualifier = iota
	qualAny            // ForAnyValue:
	qualAll            // ForAllValues:
)

// condition is one operator → key → values entry of a Condition block.
type condition struct {
	op       string // as written, e.g. "ForAnyValue:StringLikeIfExists"
	key      string // as written
	lkey     string // lower-cased
	base     opBase
	neg      bool
	ifExists bool
	qual     qualifier
	arr      bool // values written as an array
	values   []condValue
}

// condValue is one value, compiled for its operator.
type condValue struct {
	text string // as written (a JSON string, number or boolean)
	kind byte   // '"', 'n' (number) or 'b' (boolean), for re-serialisation
	tmpl template
	num  float64
	tm   time.Time
	pfx  netip.Prefix
	bin  []byte
	b    bool
}

// parseOperator splits "ForAllValues:StringLikeIfExists" and friends. Names
// are matched case-insensitively.
func parseOperator(name string) (condition, bool) {
	c := condition{op: name}
	rest := name
	if p := "ForAnyValue:"; len(rest) > len(p) && strings.EqualFold(rest[:len(p)], p) {
		c.qual, rest = qualAny, rest[len(p):]
	} else if p := "ForAllValues:"; len(rest) > len(p) && strings.EqualFold(rest[:len(p)], p) {
		c.qual, rest = qualAll, rest[len(p):]
	}
	if s := "IfExists"; len(rest) > len(s) && strings.EqualFold(rest[len(rest)-len(s):], s) {
		c.ifExists, rest = true, rest[:len(rest)-len(s)]
	}
	for _, o := range operators {
		if strings.EqualFold(o.name, rest) {
			c.base, c.neg = o.base, o.neg
			return c, !(o.base == opNull && c.ifExists)
		}
	}
	return condition{}, false
}

// parseConditions reads a statement's Condition block. An operator may
// appear more than once (AWS's own Storage Lens example repeats
// "StringEquals"); its keys are merged, all of them ANDed, and a key
// repeated under one operator is refused. The result keeps each operator's
// conditions together, in the order of the operator's first appearance.
func parseConditions(v *jvalue, vars bool) ([]condition, error) {
	if v.kind != '{' {
		return nil, malformed(ReasonInvalidJSON)
	}
	// Group the operators' key objects by operator name, in order.
	var names []string
	groups := map[string][]*jvalue{}
	for i := range v.obj {
		op := &v.obj[i]
		if _, ok := groups[op.name]; !ok {
			names = append(names, op.name)
		}
		groups[op.name] = append(groups[op.name], &op.val)
	}
	var out []condition
	for _, name := range names {
		proto, ok := parseOperator(name)
		if !ok {
			return nil, malformed(reasonInvalidCondTypePre + name)
		}
		keys, ok := mergeObjects(groups[name])
		if !ok {
			return nil, malformed(ReasonInvalidJSON)
		}
		for k := range keys {
			c := proto
			c.key, c.lkey = keys[k].name, strings.ToLower(keys[k].name)
			if !isConditionKey(c.lkey) {
				return nil, malformed(ReasonInvalidConditionKey)
			}
			vals, arr, ok := keys[k].val.scalars()
			if !ok {
				return nil, malformed(ReasonInvalidCondValue)
			}
			c.arr = arr
			for _, v := range vals {
				if err := c.compileValue(&v, vars); err != nil {
					return nil, err
				}
				c.values = append(c.values, v)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// mergeObjects concatenates the members of objects, refusing a non-object
// and a name that repeats.
func mergeObjects(objs []*jvalue) ([]jmember, bool) {
	if len(objs) == 1 {
		return objs[0].object()
	}
	var out []jmember
	seen := map[string]bool{}
	for _, o := range objs {
		ms, ok := o.object()
		if !ok {
			return nil, false
		}
		for _, m := range ms {
			if seen[m.name] {
				return nil, false
			}
			seen[m.name] = true
			out = append(out, m)
		}
	}
	return out, true
}

// compileValue parses v for the condition's operator.
func (c *condition) compileValue(v *condValue, vars bool) error {
	var ok bool
	switch c.base {
	case opStrEq, opStrEqIC, opStrLike, opArn:
		v.tmpl, ok = compileTemplate(v.text, vars), true
	case opNumEq, opNumLT, opNumLTE, opNumGT, opNumGTE:
		if v.num, ok = parseNumber(v.text); !ok {
			return malformed(ReasonInvalidNumber)
		}
	case opDateEq, opDateLT, opDateLTE, opDateGT, opDateGTE:
		if v.tm, ok = parseDate(v.text); !ok {
			return malformed(ReasonInvalidDate)
		}
	case opBool, opNull:
		if v.b, ok = parseBool(v.text); !ok {
			return malformed(ReasonInvalidBool)
		}
	case opBinEq:
		var err error
		if v.bin, err = base64.StdEncoding.DecodeString(v.text); err != nil {
			return malformed(ReasonInvalidBinary)
		}
	case opIP:
		if v.pfx, ok = parseCIDR(v.text); !ok {
			return malformed(ReasonInvalidIP)
		}
	}
	return nil
}

// parseNumber accepts decimal numbers: an optional sign, digits, an optional
// fraction and an optional exponent. (strconv alone would also take hex
// floats, "Inf" and "NaN".)
func parseNumber(s string) (float64, bool) {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// dateLayouts are the W3C profile of ISO 8601 that IAM documents, plus the
// same without a zone (read as UTC). Fractional seconds are accepted by the
// layouts with seconds.
var dateLayouts = [...]string{
	time.RFC3339,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
	"2006-01",
	"2006",
}

// parseDate reads an ISO 8601 date or an epoch time in seconds.
func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && len(s) != 4 {
		if n < -1e11 || n > 1e11 { // beyond year ±5000: not a time
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func parseBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// parseCIDR reads a CIDR block or a single address (a /32 or /128), IPv4 or
// IPv6.
func parseCIDR(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}
