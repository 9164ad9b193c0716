package policy

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"*", "anything/at/all", true},
		{"a*", "a", true},
		{"a*", "ab/c", true},
		{"*c", "abc", true},
		{"*c", "abd", false},
		{"a*c", "ac", true},
		{"a*c", "abbbc", true},
		{"a*c", "abbbd", false},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXcYb", false},
		{"?", "a", true},
		{"?", "", false},
		{"?", "ab", false},
		{"?", "é", true},
		{"??", "é", false},
		{"a?c", "abc", true},
		{"*?", "", false},
		{"*?", "x", true},
		{"**", "x", true},
		{"ABC", "abc", false},
		{`a\b`, `a\b`, true},
		{`a\*`, `a\xyz`, true},
		{"home/*/file", "home/bob/file", true},
		{"home/*/file", "home/bob/x/file", true},
		{"*ab", "aab", true},
		{"*aab", "aaab", true},
		{"mississippi", "mississippi", true},
		{"m*iss*ppi", "mississippi", true},
		{"m*iss*ppx", "mississippi", false},
	}
	for _, tc := range tests {
		if got := Match(tc.pattern, tc.s); got != tc.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
		if got := refMatch(globFromText(tc.pattern), tc.s); got != tc.want {
			t.Errorf("refMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

func TestEscape(t *testing.T) {
	for _, s := range []string{"", "plain", "a*b", "?", `back\slash`, `*?\`, "é*"} {
		if !globMatch(Escape(s), s) {
			t.Errorf("Escape(%q) does not match itself", s)
		}
	}
	if globMatch(Escape("a*"), "ab") || globMatch(Escape("a?"), "ab") {
		t.Error("escaped wildcards still match")
	}
}

// The matcher backtracks only to the last star: a pattern built to make a
// naive recursive matcher exponential stays fast.
func TestMatchNoBlowup(t *testing.T) {
	pattern := strings.Repeat("*a", 40) + "*b"
	s := strings.Repeat("a", 20000)
	start := time.Now()
	if Match(pattern, s) {
		t.Fatal("matched")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
}

// refMatch is an obviously correct dynamic-programming matcher over the
// escaped pattern, by characters (runes), for the fuzz target to compare
// against.
func refMatch(p, s string) bool {
	type tok struct {
		kind byte // 'l' literal, '?', '*'
		lit  string
	}
	var toks []tok
	for i := 0; i < len(p); {
		switch p[i] {
		case '*':
			toks = append(toks, tok{kind: '*'})
			i++
		case '?':
			toks = append(toks, tok{kind: '?'})
			i++
		case '\\':
			if i+1 < len(p) {
				_, w := utf8.DecodeRuneInString(p[i+1:])
				toks = append(toks, tok{kind: 'l', lit: p[i+1 : i+1+w]})
				i += 1 + w
			} else {
				toks = append(toks, tok{kind: 'l', lit: `\`})
				i++
			}
		default:
			_, w := utf8.DecodeRuneInString(p[i:])
			toks = append(toks, tok{kind: 'l', lit: p[i : i+w]})
			i += w
		}
	}
	var chars []string
	for i := 0; i < len(s); {
		_, w := utf8.DecodeRuneInString(s[i:])
		chars = append(chars, s[i:i+w])
		i += w
	}
	// m[j] after processing k tokens: whether tokens[:k] match chars[:j].
	m := make([]bool, len(chars)+1)
	m[0] = true
	for _, tk := range toks {
		next := make([]bool, len(chars)+1)
		for j := 0; j <= len(chars); j++ {
			switch tk.kind {
			case '*':
				next[j] = m[j] || j > 0 && next[j-1]
			case '?':
				next[j] = j > 0 && m[j-1]
			default:
				next[j] = j > 0 && m[j-1] && chars[j-1] == tk.lit
			}
		}
		m = next
	}
	return m[len(chars)]
}

func FuzzGlob(f *testing.F) {
	f.Add("a*b?c", "aXXbYc")
	f.Add("*", "")
	f.Add(`\*x`, "*x")
	f.Add("*?*?", "é")
	f.Add("home/${aws:username}/*", "home/bob/x")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if len(pattern) > 256 || len(s) > 1024 || !utf8.ValidString(pattern) || !utf8.ValidString(s) {
			return // outside what policies hold (valid UTF-8, bounded); the reference is exponential on long inputs
		}
		if got, want := Match(pattern, s), refMatch(globFromText(pattern), s); got != want {
			t.Fatalf("Match(%q, %q) = %v, reference says %v", pattern, s, got, want)
		}
		if got, want := globMatch(pattern, s), refMatch(pattern, s); got != want {
			t.Fatalf("globMatch(%q, %q) = %v, reference says %v", pattern, s, got, want)
		}
		if !globMatch(Escape(s), s) {
			t.Fatalf("Escape(%q) does not match itself", s)
		}
	})
}
