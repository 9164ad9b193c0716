package policy

import "strings"

// Policy variables (Version 2012-10-17 only) appear in Resource values and
// in the values of string and ARN condition operators:
//
//	${aws:username}            the value of a request context key
//	${aws:username, 'nobody'}  the same, with a default when the key is absent
//	${*} ${?} ${$}             a literal '*', '?' or '$'
//
// A variable whose key is absent (and has no default) or has several values
// leaves its pattern unresolved: that Resource or condition value matches
// nothing, as IAM treats a variable with no value. Substituted text is
// always literal: a user name containing '*' is not a wildcard.
//
// Under Version 2008-10-17 "${...}" is ordinary text.

// template is a policy text value compiled once at parse time.
type template struct {
	plain string  // the value as a literal string, when vars is nil
	glob  string  // the value as an escaped glob, when vars is nil
	parts []tpart // set when the value holds at least one context variable
}

type tpart struct {
	text string // literal policy text ('*' and '?' are wildcards in glob form)
	lit  bool   // text is a ${*}, ${?} or ${$}: literal even in glob form
	key  string // lower-cased context key of a variable; "" for text
	def  string // default value of a variable
	hasD bool   // def is set
}

// compileTemplate compiles s. Variables are recognised only when vars is
// true (a 2012-10-17 policy).
func compileTemplate(s string, vars bool) template {
	if !vars || !strings.Contains(s, "${") {
		return template{plain: s, glob: globFromText(s)}
	}
	var parts []tpart
	hasVar := false
	rest := s
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			break
		}
		p, ok := parseVariable(rest[i+2 : i+j])
		if !ok {
			parts = append(parts, tpart{text: rest[:i+2]})
			rest = rest[i+2:]
			continue
		}
		if i > 0 {
			parts = append(parts, tpart{text: rest[:i]})
		}
		parts = append(parts, p)
		hasVar = hasVar || p.key != ""
		rest = rest[i+j+1:]
	}
	if rest != "" {
		parts = append(parts, tpart{text: rest})
	}
	if !hasVar {
		// Only ${*}, ${?} and ${$}: resolve now.
		var plain, glob strings.Builder
		for _, p := range parts {
			plain.WriteString(p.text)
			if p.lit {
				glob.WriteString(Escape(p.text))
			} else {
				glob.WriteString(globFromText(p.text))
			}
		}
		return template{plain: plain.String(), glob: glob.String()}
	}
	return template{parts: parts}
}

// parseVariable parses the inside of ${...}.
func parseVariable(in string) (tpart, bool) {
	in = strings.TrimSpace(in)
	switch in {
	case "*", "?", "$":
		return tpart{text: in, lit: true}, true
	}
	key, def, hasDef := strings.Cut(in, ",")
	key = strings.TrimSpace(key)
	if key == "" || strings.ContainsAny(key, " \t'\"${}") {
		return tpart{}, false
	}
	p := tpart{key: strings.ToLower(key)}
	if hasDef {
		def = strings.TrimSpace(def)
		if len(def) < 2 || def[0] != '\'' || def[len(def)-1] != '\'' {
			return tpart{}, false
		}
		p.def, p.hasD = def[1:len(def)-1], true
	}
	return p, true
}

// hasVars reports whether the template depends on the request.
func (t *template) hasVars() bool { return t.parts != nil }

// expand resolves the template against the request, as a literal string
// (glob false) or as an escaped glob (glob true). ok is false when a
// variable has no single value.
func (t *template) expand(e *env, glob bool) (string, bool) {
	if t.parts == nil {
		if glob {
			return t.glob, true
		}
		return t.plain, true
	}
	var b strings.Builder
	for i := range t.parts {
		p := &t.parts[i]
		switch {
		case p.key != "":
			vals, ok := e.lookup(p.key)
			var v string
			switch {
			case ok && len(vals) == 1:
				v = vals[0]
			case !ok && p.hasD:
				v = p.def
			default:
				return "", false
			}
			if glob {
				v = Escape(v)
			}
			b.WriteString(v)
		case p.lit && glob:
			b.WriteString(Escape(p.text))
		case glob:
			b.WriteString(globFromText(p.text))
		default:
			b.WriteString(p.text)
		}
	}
	return b.String(), true
}
