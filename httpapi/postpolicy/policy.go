package postpolicy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
)

// Condition operators, lower-case.
const (
	opEq          = "eq"
	opStartsWith  = "starts-with"
	opLengthRange = "content-length-range"
)

// Policy is a decoded POST policy document.
type Policy struct {
	Expiration time.Time
	Conditions []Condition
}

// Condition is one policy condition.
type Condition struct {
	Op    string // "eq", "starts-with" or "content-length-range"
	Field string // lower-case field name without '$'; "" for content-length-range
	Ref   bool   // the field was written "$name" (always true for {"name": "v"})
	Value string // eq, starts-with

	// content-length-range operands as written: a JSON integer or string.
	Min, Max string

	text string // S3's rendering in "Policy Condition failed: ..."
}

// String renders c as S3 does in its error messages.
func (c Condition) String() string { return c.text }

// DecodePolicy decodes the base64 policy field and parses the document.
// Errors match ErrInvalidPolicyDocument.
func DecodePolicy(b64 string) (*Policy, error) {
	clean := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, b64)
	raw, err := base64.StdEncoding.DecodeString(clean)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(clean)
	}
	if err != nil {
		return nil, invalidPolicy("invalid Base64 encoding.")
	}
	return ParsePolicy(raw)
}

var errInvalidJSON = invalidPolicy("Invalid JSON.")

// ParsePolicy parses a policy document's JSON. Errors match
// ErrInvalidPolicyDocument.
func ParsePolicy(doc []byte) (*Policy, error) {
	dec := json.NewDecoder(bytes.NewReader(normalizeEscapes(doc)))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errInvalidJSON
	}
	var p Policy
	var exp *string
	var conds []json.RawMessage
	var haveConds bool
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errInvalidJSON
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, errInvalidJSON
		}
		name, _ := tok.(string)
		switch name {
		case "expiration":
			s, err := jsonString(raw)
			if err != nil {
				return nil, invalidPolicy("Invalid 'expiration' value: " + quoteSingle(string(raw)))
			}
			exp = &s
		case "conditions":
			if err := json.Unmarshal(raw, &conds); err != nil || !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
				return nil, invalidPolicy("Invalid 'conditions' value: must be a List.")
			}
			haveConds = true
		default:
			return nil, invalidPolicy("Unexpected: " + quoteSingle(strings.ToLower(name)))
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, errInvalidJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errInvalidJSON // trailing data
	}
	if exp == nil {
		return nil, invalidPolicy("Policy missing expiration.")
	}
	if !haveConds {
		return nil, invalidPolicy("Policy missing conditions.")
	}
	t, ok := parseExpiration(*exp)
	if !ok {
		return nil, invalidPolicy("Invalid 'expiration' value: " + quoteSingle(*exp))
	}
	p.Expiration = t
	for _, raw := range conds {
		c, err := parseCondition(raw)
		if err != nil {
			return nil, err
		}
		p.Conditions = append(p.Conditions, c)
	}
	return &p, nil
}

// parseExpiration accepts ISO 8601 UTC times ending in 'Z', with or without
// fractional seconds; S3 refuses offsets and a space for the 'T'.
func parseExpiration(s string) (time.Time, bool) {
	if !strings.HasSuffix(s, "Z") {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// jsonString decodes raw as a JSON string; null and other types fail.
func jsonString(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return "", errors.New("not a string")
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}

func parseCondition(raw json.RawMessage) (Condition, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) > 0 && raw[0] == '{':
		return parseSimple(raw)
	case len(raw) > 0 && raw[0] == '[':
		return parseArray(raw)
	}
	return Condition{}, invalidPolicy("Invalid condition test: must be a List or Object.")
}

// parseSimple parses {"field": "value"}.
func parseSimple(raw json.RawMessage) (Condition, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return Condition{}, errInvalidJSON
	}
	if len(m) != 1 || countMembers(raw) != 1 {
		return Condition{}, invalidPolicy("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.")
	}
	for name, v := range m {
		if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			return Condition{}, errInvalidJSON
		}
		s, err := jsonString(v)
		if err != nil {
			return Condition{}, invalidPolicy("Invalid Simple-Condition: value must be a string.")
		}
		return Condition{Op: opEq, Field: strings.ToLower(name), Ref: true, Value: s,
			text: render(opEq, "$"+name, s)}, nil
	}
	panic("unreachable")
}

// countMembers counts the members of a JSON object (duplicates included).
func countMembers(raw json.RawMessage) int {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return -1
	}
	n := 0
	for dec.More() {
		if _, err := dec.Token(); err != nil {
			return -1
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return -1
		}
		n++
	}
	return n
}

// parseArray parses ["op", "$field", value] and ["content-length-range", min, max].
func parseArray(raw json.RawMessage) (Condition, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return Condition{}, errInvalidJSON
	}
	var op string
	if len(items) > 0 {
		s, err := jsonString(items[0])
		if err != nil {
			return Condition{}, invalidPolicy("Invalid Condition: missing operation identifier.")
		}
		op = s
	}
	lower := strings.ToLower(op)
	switch {
	case len(items) == 0:
		return Condition{}, invalidPolicy("Invalid Condition: missing operation identifier.")
	case lower != opEq && lower != opStartsWith && lower != opLengthRange:
		return Condition{}, invalidPolicy("Invalid Condition: unknown operation " + quoteSingle(op) + ".")
	case len(items) != 3:
		return Condition{}, invalidPolicy("Invalid " + op + ": wrong number of arguments.")
	case lower == opLengthRange:
		return parseRange(op, items[1], items[2])
	}
	field, err1 := jsonString(items[1])
	value, err2 := jsonString(items[2])
	if err1 != nil || err2 != nil {
		return Condition{}, errInvalidJSON
	}
	name, ref := strings.CutPrefix(field, "$")
	return Condition{Op: lower, Field: strings.ToLower(name), Ref: ref, Value: value,
		text: render(op, field, value)}, nil
}

// parseRange parses content-length-range operands: integers, or strings
// (checked when evaluated, as S3 does); fractions and negatives are invalid.
func parseRange(op string, lo, hi json.RawMessage) (Condition, error) {
	var ops [2]string
	var texts [2]string
	for i, raw := range []json.RawMessage{lo, hi} {
		raw = bytes.TrimSpace(raw)
		if s, err := jsonString(raw); err == nil {
			ops[i], texts[i] = s, quoteJSON(s)
			continue
		}
		s := string(raw)
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return Condition{}, errInvalidJSON // fractions, exponents, other types
		}
		if n < 0 {
			return Condition{}, invalidPolicy("Invalid " + op + ": the range must not be negative.")
		}
		ops[i], texts[i] = s, s
	}
	return Condition{Op: opLengthRange, Min: ops[0], Max: ops[1],
		text: "[" + quoteJSON(op) + ", " + texts[0] + ", " + texts[1] + "]"}, nil
}

// lengthRange returns the numeric bounds, or ok false when an operand is
// not a non-negative decimal integer.
func (c Condition) lengthRange() (min, max int64, ok bool) {
	lo, err1 := strconv.ParseInt(c.Min, 10, 64)
	hi, err2 := strconv.ParseInt(c.Max, 10, 64)
	if err1 != nil || err2 != nil || lo < 0 || hi < 0 {
		return 0, 0, false
	}
	return lo, hi, true
}

// quoteJSON writes s as a JSON string without HTML escaping.
func quoteJSON(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

func render(op, field, value string) string {
	return "[" + quoteJSON(op) + ", " + quoteJSON(field) + ", " + quoteJSON(value) + "]"
}

// normalizeEscapes rewrites the documented non-JSON escapes inside strings:
// "\$" becomes "$" and "\v" becomes "\u000b".
func normalizeEscapes(doc []byte) []byte {
	if !bytes.Contains(doc, []byte(`\$`)) && !bytes.Contains(doc, []byte(`\v`)) {
		return doc
	}
	out := make([]byte, 0, len(doc)+8)
	inString := false
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		switch {
		case c == '"':
			inString = !inString
		case c == '\\' && inString && i+1 < len(doc):
			switch doc[i+1] {
			case '$':
				out = append(out, '$')
			case 'v':
				out = append(out, `\u000b`...)
			default:
				out = append(out, c, doc[i+1])
			}
			i++
			continue
		}
		out = append(out, c)
	}
	return out
}
