// Package listmodel is a deliberately naive model of S3's listing rules:
// the oracle that listing tests hold the index (and the HTTP layer) to. It
// scans every key, so it is only for tests.
//
// The rules: keys are in UTF-8 byte order; a key that contains the
// delimiter after the prefix rolls up into the common prefix ending at
// that delimiter, which is listed once, in place of its keys; objects and
// common prefixes both count towards max-keys; a page ends after max
// entries and is truncated when another entry follows. Listing continues
// after a marker: after a common prefix (the marker is exactly one) every
// key under it is skipped; after anything else, every key up to and
// including the marker is. max-keys 0 returns an empty page that is not
// truncated (as AWS does: nothing was cut off, nothing was asked for).
package listmodel

import (
	"sort"
	"strings"
)

// Page is one page of a listing.
type Page struct {
	Keys      []string
	Prefixes  []string
	Truncated bool
	Next      string // last entry of the page, the marker of the next
}

// List returns the page selected by prefix, delimiter, after and max from
// keys, which must be sorted (sort.Strings).
func List(sorted []string, prefix, delim, after string, max int) Page {
	if max <= 0 {
		return Page{}
	}
	afterCP := after != "" && delim != "" && rollUp(after, prefix, delim) == after
	var entries []string
	isCP := map[string]bool{}
	for _, k := range sorted[sort.SearchStrings(sorted, after):] {
		if len(entries) > max {
			break // enough to fill the page and know it is truncated
		}
		if !strings.HasPrefix(k, prefix) || k <= after || afterCP && strings.HasPrefix(k, after) {
			continue
		}
		if cp := rollUp(k, prefix, delim); cp != "" {
			if !isCP[cp] {
				isCP[cp] = true
				entries = append(entries, cp)
			}
			continue
		}
		entries = append(entries, k)
	}
	var p Page
	for i, e := range entries {
		if i == max {
			p.Truncated = true
			break
		}
		if isCP[e] {
			p.Prefixes = append(p.Prefixes, e)
		} else {
			p.Keys = append(p.Keys, e)
		}
		p.Next = e
	}
	return p
}

// rollUp is the common prefix k rolls up into, or "".
func rollUp(k, prefix, delim string) string {
	if delim == "" || !strings.HasPrefix(k, prefix) {
		return ""
	}
	i := strings.Index(k[len(prefix):], delim)
	if i < 0 {
		return ""
	}
	return k[:len(prefix)+i+len(delim)]
}
