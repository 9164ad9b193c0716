package s3xml

import (
	"encoding/xml"
	"net/url"
	"testing"
	"time"
)

func TestListV2RendersLikeS3(t *testing.T) {
	v := ListBucketResultV2{NS: NS, Name: "b", Prefix: "p/", Delimiter: "/", MaxKeys: 2, KeyCount: 2, IsTruncated: true,
		NextContinuationToken: "tok",
		Contents:              []Object{{Key: "p/a", LastModified: Time(time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)), ETag: `"e"`, Size: 3, StorageClass: "STANDARD"}},
		CommonPrefixes:        []CommonPrefix{{Prefix: "p/d/"}}}
	b, err := xml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	want := `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix><Delimiter>/</Delimiter>` +
		`<MaxKeys>2</MaxKeys><KeyCount>2</KeyCount><IsTruncated>true</IsTruncated><NextContinuationToken>tok</NextContinuationToken>` +
		`<Contents><Key>p/a</Key><LastModified>2026-01-02T03:04:05.006Z</LastModified><ETag>&#34;e&#34;</ETag><Size>3</Size>` +
		`<StorageClass>STANDARD</StorageClass></Contents><CommonPrefixes><Prefix>p/d/</Prefix></CommonPrefixes></ListBucketResult>`
	if string(b) != want {
		t.Fatalf("got\n%s\nwant\n%s", b, want)
	}
}

func TestURLEncodeRoundTripsThroughQueryUnescape(t *testing.T) {
	for _, k := range []string{"a b+c/d", "ü/€", "100%", "x&y=z?#", "\x01tab\t", "~._-"} {
		enc := URLEncode(k)
		got, err := url.QueryUnescape(enc) // unquote_plus semantics
		if err != nil || got != k {
			t.Errorf("URLEncode(%q) = %q, decodes to %q (%v)", k, enc, got, err)
		}
		got, err = url.PathUnescape(enc) // unquote semantics
		if err != nil || got != k {
			t.Errorf("URLEncode(%q) = %q, path-decodes to %q (%v)", k, enc, got, err)
		}
	}
}
