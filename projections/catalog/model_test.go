package catalog

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/projections/catalog/listmodel"
)

// modelKeys makes n keys with nested directories, several delimiters,
// unicode, spaces and '+', and keys ending in the delimiter.
func modelKeys(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	parts := []string{"a", "b", "photos", "2026", "ü", "x y", "p+q", "", "z-z", "日本"}
	seen := map[string]bool{}
	var keys []string
	for len(keys) < n {
		depth := 1 + r.IntN(4)
		k := ""
		for d := 0; d < depth; d++ {
			if d > 0 {
				k += []string{"/", "/", "/", "--", "|"}[r.IntN(5)]
			}
			k += parts[r.IntN(len(parts))]
		}
		k += fmt.Sprint(r.IntN(50))
		if r.IntN(20) == 0 {
			k += "/"
		}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

// walk pages through a listing with the index and with the model, and
// checks every page is the same.
func walk(t *testing.T, c *Catalog, id string, keys []string, prefix, delim, start string, max int) int {
	t.Helper()
	after, pages := start, 0
	for {
		got, err := c.List(id, ListQuery{Prefix: prefix, Delimiter: delim, After: after, Max: max})
		if err != nil {
			t.Fatal(err)
		}
		want := listmodel.List(keys, prefix, delim, after, max)
		var gotKeys []string
		for _, o := range got.Objects {
			gotKeys = append(gotKeys, o.Key)
		}
		if !slices.Equal(gotKeys, want.Keys) || !slices.Equal(got.CommonPrefixes, want.Prefixes) ||
			got.Truncated != want.Truncated || (got.Truncated && got.Next != want.Next) {
			t.Fatalf("prefix %q delim %q after %q max %d (page %d):\n index keys %q prefixes %q truncated %v next %q\n model keys %q prefixes %q truncated %v next %q",
				prefix, delim, after, max, pages, gotKeys, got.CommonPrefixes, got.Truncated, got.Next,
				want.Keys, want.Prefixes, want.Truncated, want.Next)
		}
		pages++
		if !got.Truncated {
			return pages
		}
		after = got.Next
	}
}

func TestListMatchesTheModel(t *testing.T) {
	const small = "0000000000000000000000000000aaaa"
	keys := modelKeys(10000)
	few := append([]string(nil), keys[:2000]...)
	c := open(t)
	var f feed
	f.add("b", bid, "", &event.BucketCreated{})
	f.add("s", small, "", &event.BucketCreated{})
	for _, k := range keys {
		f.add("b", bid, k, put(1, 1))
	}
	for _, k := range few {
		f.add("s", small, k, put(1, 1))
	}
	if err := c.Apply(f.events, false); err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	slices.Sort(few)
	// Every key of 10,000, page by page, at several page sizes, with and
	// without a delimiter.
	for _, max := range []int{1000, 997, 7} {
		if pages := walk(t, c, bid, keys, "", "", "", max); pages < 10000/max {
			t.Fatalf("max %d: %d pages", max, pages)
		}
		walk(t, c, bid, keys, "", "/", "", max)
	}
	prefixes := []string{"", "a", "a/", "photos/", "ü", "x y/", "p+q", "nothing", "日本/"}
	delims := []string{"", "/", "--", "|", "2", "/a", "ü"}
	starts := []string{"", "a/b", "a/", "photos/2026", "zzz", "p+q--"}
	for _, prefix := range prefixes {
		for _, delim := range delims {
			for _, start := range starts {
				for _, max := range []int{2, 100, 1000} {
					walk(t, c, small, few, prefix, delim, start, max)
				}
			}
		}
	}
}
