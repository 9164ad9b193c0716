package policy

import (
	"encoding/json"
	"strings"
)

// A policy document is read once into a small ordered tree. encoding/json's
// maps would lose what validation needs: member order and repeated names
// (a document with a repeated member is refused, except for operators in a
// Condition block: two "Effect"s would mean whatever a reader's last-wins
// rule made of them). The builder runs only on input json.Valid accepted,
// so it does not re-check the grammar.

// jvalue is one JSON value.
type jvalue struct {
	kind byte      // '{', '[', '"', 'n' (number), 'b' (true/false), '0' (null)
	str  string    // a string's value; a number's or boolean's text
	arr  []jvalue  // array elements
	obj  []jmember // object members, in order
}

type jmember struct {
	name string
	val  jvalue
}

// parseTree builds the tree of a document json.Valid accepted.
func parseTree(doc []byte) jvalue {
	t := treeParser{s: doc}
	return t.value()
}

type treeParser struct {
	s []byte
	i int
}

func (t *treeParser) skip() {
	for t.i < len(t.s) {
		switch t.s[t.i] {
		case ' ', '\t', '\r', '\n':
			t.i++
		default:
			return
		}
	}
}

func (t *treeParser) value() jvalue {
	t.skip()
	switch c := t.s[t.i]; {
	case c == '{':
		t.i++
		v := jvalue{kind: '{'}
		for {
			t.skip()
			if t.s[t.i] == '}' {
				t.i++
				return v
			}
			if t.s[t.i] == ',' {
				t.i++
				t.skip()
			}
			name := t.string()
			t.skip()
			t.i++ // ':'
			v.obj = append(v.obj, jmember{name: name, val: t.value()})
		}
	case c == '[':
		t.i++
		v := jvalue{kind: '[', arr: []jvalue{}}
		for {
			t.skip()
			if t.s[t.i] == ']' {
				t.i++
				return v
			}
			if t.s[t.i] == ',' {
				t.i++
			}
			v.arr = append(v.arr, t.value())
		}
	case c == '"':
		return jvalue{kind: '"', str: t.string()}
	case c == 't' || c == 'f' || c == 'n':
		j := t.i
		for t.i < len(t.s) && t.s[t.i] >= 'a' && t.s[t.i] <= 'z' {
			t.i++
		}
		if c == 'n' {
			return jvalue{kind: '0'}
		}
		return jvalue{kind: 'b', str: string(t.s[j:t.i])}
	default:
		j := t.i
		for t.i < len(t.s) && strings.IndexByte("+-.0123456789eE", t.s[t.i]) >= 0 {
			t.i++
		}
		return jvalue{kind: 'n', str: string(t.s[j:t.i])}
	}
}

// string reads a string token at t.i (the opening quote).
func (t *treeParser) string() string {
	j := t.i + 1
	escaped := false
	k := j
	for ; t.s[k] != '"'; k++ {
		if t.s[k] == '\\' {
			escaped = true
			k++
		}
	}
	t.i = k + 1
	if !escaped {
		return string(t.s[j:k])
	}
	var s string
	_ = json.Unmarshal(t.s[j-1:k+1], &s) // valid: json.Valid passed
	return s
}

// object returns v's members, or ok false when v is not an object or a
// member name repeats.
func (v *jvalue) object() ([]jmember, bool) {
	if v.kind != '{' {
		return nil, false
	}
	if len(v.obj) <= 8 {
		for i := range v.obj {
			for j := 0; j < i; j++ {
				if v.obj[j].name == v.obj[i].name {
					return nil, false
				}
			}
		}
		return v.obj, true
	}
	seen := make(map[string]bool, len(v.obj))
	for i := range v.obj {
		if seen[v.obj[i].name] {
			return nil, false
		}
		seen[v.obj[i].name] = true
	}
	return v.obj, true
}

// compactLen returns the length of the valid JSON document without its
// insignificant whitespace, without building it.
func compactLen(doc []byte) int {
	n := 0
	inString := false
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		switch {
		case inString:
			n++
			if c == '\\' {
				i++
				n++
			} else if c == '"' {
				inString = false
			}
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		default:
			n++
			inString = c == '"'
		}
	}
	return n
}

// strList is a string-or-array-of-strings element, remembering which form
// it was written in so re-serialisation never grows the document.
type strList struct {
	vals []string
	arr  bool
}

// strings reads a string or an array of strings.
func (v *jvalue) strings() (strList, bool) {
	switch v.kind {
	case '"':
		return strList{vals: []string{v.str}}, true
	case '[':
		out := strList{vals: make([]string, 0, len(v.arr)), arr: true}
		for i := range v.arr {
			if v.arr[i].kind != '"' {
				return strList{}, false
			}
			out.vals = append(out.vals, v.arr[i].str)
		}
		return out, true
	}
	return strList{}, false
}

// scalars reads a condition's value(s): a string, number or boolean, or an
// array of them. Numbers and booleans keep their written text.
func (v *jvalue) scalars() (vals []condValue, arr, ok bool) {
	one := func(e *jvalue) (condValue, bool) {
		switch e.kind {
		case '"', 'n', 'b':
			return condValue{text: e.str, kind: e.kind}, true
		}
		return condValue{}, false
	}
	if v.kind != '[' {
		c, ok := one(v)
		return []condValue{c}, false, ok
	}
	vals = make([]condValue, 0, len(v.arr))
	for i := range v.arr {
		c, ok := one(&v.arr[i])
		if !ok {
			return nil, false, false
		}
		vals = append(vals, c)
	}
	return vals, true, true
}

// text renders a scalar for a message.
func (v *jvalue) text() string {
	switch v.kind {
	case '"', 'n', 'b':
		return v.str
	case '0':
		return "null"
	}
	return string(v.kind)
}

// appendString appends s as a JSON string. It escapes only what JSON
// requires ('"', '\\' and control characters, with the two-byte forms where
// JSON has them), so the output is never longer than any valid JSON
// spelling of s.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
