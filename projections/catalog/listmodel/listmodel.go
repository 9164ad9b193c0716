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

// Version is one version of a key: its id, whether it is a delete marker,
// and (in a listing) whether it is the key's newest.
type Version struct {
	Key    string
	ID     string
	Marker bool
	Latest bool
}

// VersionPage is one page of a version listing.
type VersionPage struct {
	Versions  []Version
	Prefixes  []string
	Truncated bool
	NextKey   string // last entry of the page: the key-marker of the next
	NextID    string // and its version-id-marker ("" after a common prefix)
}

// ListVersions pages through versions as S3's ListObjectVersions does.
// all holds every version of every key, sorted by key and newest first
// within a key. The rules are those of List, with versions in place of
// keys, and the markers: keyMarker alone (or naming a common prefix)
// continues after every version of that key (or prefix); with idMarker,
// after that version of that key (after the whole key if it has no such
// version). A key's first version in all is its latest.
func ListVersions(all []Version, prefix, delim, keyMarker, idMarker string, max int) VersionPage {
	if max <= 0 {
		return VersionPage{}
	}
	markerCP := keyMarker != "" && delim != "" && rollUp(keyMarker, prefix, delim) == keyMarker
	within := idMarker != "" && hasVersion(all, keyMarker, idMarker) // the page starts inside keyMarker's versions
	passed := false                                                  // idMarker has been seen
	var entries []Version                                            // a common prefix is an entry with only Key set
	isCP := map[string]bool{}
	for i, v := range all {
		v.Latest = i == 0 || all[i-1].Key != v.Key
		if !strings.HasPrefix(v.Key, prefix) || markerCP && strings.HasPrefix(v.Key, keyMarker) {
			continue
		}
		if v.Key < keyMarker || v.Key == keyMarker && !within {
			continue
		}
		if v.Key == keyMarker && !passed {
			passed = v.ID == idMarker
			continue
		}
		if cp := rollUp(v.Key, prefix, delim); cp != "" {
			if !isCP[cp] {
				isCP[cp] = true
				entries = append(entries, Version{Key: cp})
			}
			continue
		}
		entries = append(entries, v)
	}
	return versionPage(entries, isCP, max)
}

func versionPage(entries []Version, isCP map[string]bool, max int) VersionPage {
	var p VersionPage
	for i, e := range entries {
		if i == max {
			p.Truncated = true
			break
		}
		if isCP[e.Key] && e.ID == "" {
			p.Prefixes = append(p.Prefixes, e.Key)
		} else {
			p.Versions = append(p.Versions, e)
		}
		p.NextKey, p.NextID = e.Key, e.ID
	}
	return p
}

func hasVersion(all []Version, key, id string) bool {
	for _, v := range all {
		if v.Key == key && v.ID == id {
			return true
		}
	}
	return false
}
