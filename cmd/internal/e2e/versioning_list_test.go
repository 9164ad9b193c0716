package e2e

import (
	"encoding/xml"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/cairnstore/cairn/cmd/internal/testserver"
)

// entry is one listed version: "key@id", "M" for a marker, "*" latest.
func entry(key, id string, marker, latest bool) string {
	s := key + "@" + id
	if marker {
		s += "M"
	}
	if latest {
		s += "*"
	}
	return s
}

// history makes versions and markers of a few keys and returns every
// entry in S3's listing order (by key, newest first).
func history(t *testing.T, c *s3.Client, bucket string) []string {
	t.Helper()
	made := map[string][]string{}
	keys := []string{"a", "dir/x", "dir/y", "z z"}
	for round := 0; round < 3; round++ {
		for i, k := range keys {
			if (round+i)%3 == 2 {
				made[k] = append(made[k], entry(k, aws.ToString(deleteKey(t, c, bucket, k, "").VersionId), true, false))
				continue
			}
			made[k] = append(made[k], entry(k, aws.ToString(putBytes(t, c, bucket, k, []byte(k)).VersionId), false, false))
		}
	}
	var all []string
	for _, k := range keys {
		vs := made[k]
		slices.Reverse(vs)
		vs[0] += "*"
		all = append(all, vs...)
	}
	return all
}

func TestListObjectVersionsPages(t *testing.T) {
	ts, c := startVersioned(t, "lvers")
	all := history(t, c, "lvers")
	for _, max := range []int32{1, 2, 5, 1000} {
		var got []string
		var km, vm *string
		for pages := 0; ; pages++ {
			if pages > len(all) {
				t.Fatal("paging does not end")
			}
			out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("lvers"),
				MaxKeys: aws.Int32(max), KeyMarker: km, VersionIdMarker: vm})
			if err != nil {
				t.Fatal(err)
			}
			page := pageEntries(out)
			want := all[len(got):min(len(got)+int(max), len(all))]
			if !sameSet(page, want) {
				t.Fatalf("max %d page %d: %v, want %v", max, pages, page, want)
			}
			got = append(got, want...)
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			last := strings.TrimRight(want[len(want)-1], "M*")
			if k, id, _ := strings.Cut(last, "@"); aws.ToString(out.NextKeyMarker) != k || aws.ToString(out.NextVersionIdMarker) != id {
				t.Fatalf("next markers %q %q, want %q", aws.ToString(out.NextKeyMarker), aws.ToString(out.NextVersionIdMarker), last)
			}
			km, vm = out.NextKeyMarker, out.NextVersionIdMarker
		}
		if len(got) != len(all) {
			t.Fatalf("max %d: listed %d of %d", max, len(got), len(all))
		}
	}
	checkVersionListFilters(t, ts, c, all)
}

func pageEntries(out *s3.ListObjectVersionsOutput) []string {
	var page []string
	for _, v := range out.Versions {
		page = append(page, entry(aws.ToString(v.Key), aws.ToString(v.VersionId), false, aws.ToBool(v.IsLatest)))
	}
	for _, m := range out.DeleteMarkers {
		page = append(page, entry(aws.ToString(m.Key), aws.ToString(m.VersionId), true, aws.ToBool(m.IsLatest)))
	}
	return page
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// checkVersionListFilters: prefix, delimiter, key-marker alone, the
// interleaved order on the wire, encoding-type=url and refused markers.
func checkVersionListFilters(t *testing.T, ts *testserver.TS, c *s3.Client, all []string) {
	t.Helper()
	out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("lvers"), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.CommonPrefixes) != 1 || aws.ToString(out.CommonPrefixes[0].Prefix) != "dir/" ||
		slices.ContainsFunc(pageEntries(out), func(e string) bool { return strings.HasPrefix(e, "dir/") }) {
		t.Fatalf("delimited listing: %v %v", pageEntries(out), out.CommonPrefixes)
	}
	out, err = c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("lvers"), Prefix: aws.String("dir/"), KeyMarker: aws.String("dir/x")})
	if err != nil || !sameSet(pageEntries(out), all[6:9]) {
		t.Fatalf("after key-marker dir/x: %v (%v), want %v", pageEntries(out), err, all[6:9])
	}
	// On the wire, versions and markers come interleaved in order.
	r := newRaw(t, ts)
	resp, body := r.do(rawReq{method: "GET", path: "/lvers?versions&encoding-type=url&prefix=z%20"})
	var res struct {
		Entries []struct {
			XMLName   xml.Name
			Key       string
			VersionID string `xml:"VersionId"`
			IsLatest  bool
		} `xml:",any"`
	}
	if err := xml.Unmarshal(body, &res); resp.StatusCode != 200 || err != nil {
		t.Fatalf("%d %v %s", resp.StatusCode, err, body)
	}
	var wire []string
	for _, e := range res.Entries {
		if e.XMLName.Local == "Version" || e.XMLName.Local == "DeleteMarker" {
			wire = append(wire, entry(strings.ReplaceAll(e.Key, "%20", " "), e.VersionID, e.XMLName.Local == "DeleteMarker", e.IsLatest))
			if e.Key != "z%20z" {
				t.Fatalf("encoding-type=url sent key %q", e.Key)
			}
		}
	}
	if !slices.Equal(wire, all[9:]) {
		t.Fatalf("wire order %v, want %v", wire, all[9:])
	}
	resp, body = r.do(rawReq{method: "GET", path: "/lvers?versions&version-id-marker=null"})
	wantError(t, resp, body, 400, "InvalidArgument")
	resp, body = r.do(rawReq{method: "GET", path: "/lvers?versions&key-marker=a&version-id-marker=nope"})
	wantError(t, resp, body, 400, "InvalidArgument")
	// ListObjects sees only current objects.
	if n := countKeys(t, c, "lvers"); n != strings.Count(strings.Join(all, " "), "*")-markersLatest(all) {
		t.Fatalf("ListObjectsV2 lists %d keys", n)
	}
}

func markersLatest(all []string) int {
	n := 0
	for _, e := range all {
		if strings.HasSuffix(e, "M*") {
			n++
		}
	}
	return n
}

// A bucket whose versioning was never configured lists each object as
// its key's only version, "null".
func TestListObjectVersionsOfUnversionedBucket(t *testing.T) {
	ts := testserver.Start(t)
	c := ts.S3(t)
	mkBucket(t, c, "plain")
	for i := 0; i < 3; i++ {
		putBytes(t, c, "plain", fmt.Sprintf("k%d", i), []byte("x"))
		putBytes(t, c, "plain", fmt.Sprintf("k%d", i), []byte("y")) // overwrites: still one version
	}
	out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("plain")})
	if err != nil {
		t.Fatal(err)
	}
	if got := pageEntries(out); !slices.Equal(got, []string{"k0@null*", "k1@null*", "k2@null*"}) || len(out.DeleteMarkers) != 0 {
		t.Fatalf("versions %v", got)
	}
}
