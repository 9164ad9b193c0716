package policy

import (
	"strings"
	"unicode/utf8"
)

// Glob patterns, as IAM uses them in Action, Resource, StringLike and
// ArnLike: '*' matches any run of characters (including '/' and none at
// all), '?' matches exactly one character. Matching is case-sensitive.
//
// Internally a pattern is held in an escaped form in which a backslash makes
// the next byte literal. That is how a literal '*' (written ${*} in a 2012
// policy, or produced by substituting a variable whose value contains one)
// survives next to wildcard '*'s. Escape turns any string into a pattern
// that matches exactly that string.

// globMatch reports whether s matches the escaped pattern p. It is the
// iterative two-cursor algorithm: on a mismatch it backtracks only to the
// most recent '*', so its time is O(len(p)·len(s)) at worst and it never
// recurses, whatever the input.
func globMatch(p, s string) bool { return globMatchFold(p, s, false) }

// globMatchFold is globMatch, with ASCII letters of s lower-cased first when
// fold is set (p is then expected in lower case).
func globMatchFold(p, s string, fold bool) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch c := p[pi]; c {
			case '*':
				pi++
				starP, starS = pi, si
				continue
			case '?':
				_, w := utf8.DecodeRuneInString(s[si:])
				pi++
				si += w
				continue
			case '\\':
				if pi+1 < len(p) {
					if p[pi+1] == s[si] || fold && p[pi+1] == lowerByte(s[si]) {
						pi += 2
						si++
						continue
					}
				} else if s[si] == '\\' { // a lone trailing backslash is literal
					pi++
					si++
					continue
				}
			default:
				if c == s[si] || fold && c == lowerByte(s[si]) {
					pi++
					si++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		_, w := utf8.DecodeRuneInString(s[starS:])
		starS += w
		pi, si = starP, starS
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// Escape returns the pattern that matches exactly s.
func Escape(s string) string {
	if !strings.ContainsAny(s, `*?\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// globFromText turns policy text, in which '*' and '?' are wildcards and
// every other byte (backslash included) is literal, into the escaped form.
func globFromText(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	return strings.ReplaceAll(s, `\`, `\\`)
}

// hasWildcard reports whether policy text contains '*' or '?'.
func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// Match reports whether s matches the IAM glob pattern, in which '*' and '?'
// are wildcards and every other character is literal. It is the matcher the
// policy uses for Action and Resource, exported for tests and callers.
func Match(pattern, s string) bool { return globMatch(globFromText(pattern), s) }
