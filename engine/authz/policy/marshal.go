package policy

// MarshalJSON returns the policy in compact canonical form: members in the
// order Version, Id, Statement and Sid, Effect, Principal, Action,
// Resource, Condition; every value in the form it was written (a string
// stays a string, an array an array, a number a number); no whitespace and
// no escapes JSON does not require. The canonical form is never longer than
// the compacted input, Parse accepts it, and marshalling the re-parsed
// policy gives the same bytes. It is what the 20 KB limit measures.
func (p *Policy) MarshalJSON() ([]byte, error) {
	return p.appendJSON(make([]byte, 0, p.canonicalN)), nil
}

// Size returns the length of the canonical form, the figure S3's 20 KB
// limit applies to.
func (p *Policy) Size() int { return p.canonicalN }

func (p *Policy) appendJSON(b []byte) []byte {
	b = append(b, '{')
	sep := false
	if p.version != "" {
		b = appendString(append(b, `"Version":`...), p.version)
		sep = true
	}
	if p.hasID {
		if sep {
			b = append(b, ',')
		}
		b = appendString(append(b, `"Id":`...), p.id)
		sep = true
	}
	if sep {
		b = append(b, ',')
	}
	b = append(b, `"Statement":`...)
	if p.stmtArray {
		b = append(b, '[')
	}
	for i := range p.stmts {
		if i > 0 {
			b = append(b, ',')
		}
		b = p.stmts[i].appendJSON(b)
	}
	if p.stmtArray {
		b = append(b, ']')
	}
	return append(b, '}')
}

func (st *statement) appendJSON(b []byte) []byte {
	b = append(b, '{')
	if st.hasSid {
		b = append(appendString(append(b, `"Sid":`...), st.sid), ',')
	}
	if st.deny {
		b = append(b, `"Effect":"Deny",`...)
	} else {
		b = append(b, `"Effect":"Allow",`...)
	}
	b = append(b, pick(st.notPrincipal, `"NotPrincipal":`, `"Principal":`)...)
	b = st.principals.appendJSON(b)
	b = append(b, pick(st.notAction, `,"NotAction":`, `,"Action":`)...)
	b = st.actions.text.appendJSON(b)
	b = append(b, pick(st.notResource, `,"NotResource":`, `,"Resource":`)...)
	b = st.resources.text.appendJSON(b)
	if st.hasCond {
		b = appendConditions(append(b, `,"Condition":`...), st.conds)
	}
	return append(b, '}')
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

func (s *principalSet) appendJSON(b []byte) []byte {
	if s.star {
		return append(b, `"*"`...)
	}
	b = append(b, '{')
	for i, g := range s.groups {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(appendString(b, g.typ), ':')
		b = g.vals.appendJSON(b)
	}
	return append(b, '}')
}

func (l strList) appendJSON(b []byte) []byte {
	if !l.arr && len(l.vals) == 1 {
		return appendString(b, l.vals[0])
	}
	b = append(b, '[')
	for i, v := range l.vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, v)
	}
	return append(b, ']')
}

// appendConditions writes the Condition block. Conditions of one operator
// are contiguous (parseConditions emits them so, and an operator cannot
// appear twice), so a change of operator text opens a new member.
func appendConditions(b []byte, conds []condition) []byte {
	b = append(b, '{')
	for i := range conds {
		c := &conds[i]
		switch {
		case i == 0:
			b = append(appendString(b, c.op), ':', '{')
		case c.op != conds[i-1].op:
			b = append(appendString(append(b, '}', ','), c.op), ':', '{')
		default:
			b = append(b, ',')
		}
		b = append(appendString(b, c.key), ':')
		if c.arr {
			b = append(b, '[')
		}
		for j := range c.values {
			if j > 0 {
				b = append(b, ',')
			}
			if v := &c.values[j]; v.kind == '"' {
				b = appendString(b, v.text)
			} else {
				b = append(b, v.text...)
			}
		}
		if c.arr {
			b = append(b, ']')
		}
	}
	if len(conds) > 0 {
		b = append(b, '}')
	}
	return append(b, '}')
}

// Principals returns the ARNs and account IDs the policy's AWS principals
// name (Principal and NotPrincipal, "*" left out), as written, so a caller
// can refuse a policy naming a principal that does not exist, as S3 does
// ("Invalid principal in policy"). Each appears once.
func (p *Policy) Principals() []string {
	var out []string
	seen := map[string]bool{}
	for i := range p.stmts {
		for _, g := range p.stmts[i].principals.groups {
			if g.typ != "AWS" {
				continue
			}
			for _, v := range g.vals.vals {
				if v != "*" && !seen[v] {
					seen[v] = true
					out = append(out, v)
				}
			}
		}
	}
	return out
}
