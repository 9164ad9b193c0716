package policy

import (
	"bytes"
	"encoding/json"
)

// Small JSON readers that keep what encoding/json's map decoding loses:
// member order and duplicate names (a document with a duplicated member is
// refused: two "Effect"s would mean whatever the reader's last-wins rule
// made of them).

type member struct {
	name string
	raw  json.RawMessage
}

// jsonKind is the first byte of a JSON value: '{', '[', '"', 't', 'f', 'n'
// or a digit or '-'. raw comes from a validated document, so it is trimmed
// of nothing but may start with whitespace.
func jsonKind(raw []byte) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

// decodeObject reads a JSON object into its members, in order. It fails
// on anything else and on a repeated member name.
func decodeObject(raw []byte) ([]member, bool) { return decodeMembers(raw, false) }

// decodeMembers is decodeObject, letting names repeat when dups is set.
func decodeMembers(raw []byte, dups bool) ([]member, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	var out []member
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, false
		}
		name, ok := t.(string)
		if !ok {
			return nil, false
		}
		for _, m := range out {
			if m.name == name && !dups {
				return nil, false
			}
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		out = append(out, member{name: name, raw: v})
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, false
	}
	return out, true
}

// decodeArray reads a JSON array into its elements.
func decodeArray(raw []byte) ([]json.RawMessage, bool) {
	var out []json.RawMessage
	if err := json.Unmarshal(raw, &out); err != nil || out == nil {
		return nil, false
	}
	return out, true
}

func decodeString(raw []byte) (string, bool) {
	if jsonKind(raw) != '"' {
		return "", false
	}
	var s string
	return s, json.Unmarshal(raw, &s) == nil
}

// strList is a string-or-array-of-strings element, remembering which form
// it was written in so re-serialisation never grows the document.
type strList struct {
	vals []string
	arr  bool
}

// decodeStrList reads a string or an array of strings.
func decodeStrList(raw []byte) (strList, bool) {
	switch jsonKind(raw) {
	case '"':
		s, ok := decodeString(raw)
		return strList{vals: []string{s}}, ok
	case '[':
		elems, ok := decodeArray(raw)
		if !ok {
			return strList{}, false
		}
		out := strList{vals: make([]string, 0, len(elems)), arr: true}
		for _, e := range elems {
			s, ok := decodeString(e)
			if !ok {
				return strList{}, false
			}
			out.vals = append(out.vals, s)
		}
		return out, true
	}
	return strList{}, false
}

// decodeScalars reads a condition's value(s): a string, number or boolean,
// or an array of them. Numbers keep their written text.
func decodeScalars(raw []byte) ([]condValue, bool, bool) {
	one := func(r []byte) (condValue, bool) {
		switch k := jsonKind(r); {
		case k == '"':
			s, ok := decodeString(r)
			return condValue{text: s, kind: '"'}, ok
		case k == 't' || k == 'f':
			var b bool
			if json.Unmarshal(r, &b) != nil {
				return condValue{}, false
			}
			return condValue{text: string(bytes.TrimSpace(r)), kind: 'b'}, true
		case k == '-' || k >= '0' && k <= '9':
			var n json.Number
			if json.Unmarshal(r, &n) != nil {
				return condValue{}, false
			}
			return condValue{text: n.String(), kind: 'n'}, true
		}
		return condValue{}, false
	}
	if jsonKind(raw) != '[' {
		v, ok := one(raw)
		return []condValue{v}, false, ok
	}
	elems, ok := decodeArray(raw)
	if !ok {
		return nil, false, false
	}
	out := make([]condValue, 0, len(elems))
	for _, e := range elems {
		v, ok := one(e)
		if !ok {
			return nil, false, false
		}
		out = append(out, v)
	}
	return out, true, true
}

// appendString appends s as a JSON string. It escapes only what JSON
// requires ('"', '\\' and control characters), so the output is never
// longer than any valid JSON spelling of s.
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
