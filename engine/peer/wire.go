package peer

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/cairnstore/cairn/log/event"
)

// ReadPath is the path of a read on the owner's listener.
const ReadPath = "/_cairn/peer/v1/read"

// query encodes a read of n bytes from byte off of x's record.
func query(x event.Extent, off, n int64) url.Values {
	return url.Values{
		"node": {x.Node}, "rec": {x.Record},
		"disk": {strconv.FormatUint(uint64(x.Disk), 10)}, "seg": {strconv.FormatUint(x.Segment, 10)},
		"at": {strconv.FormatInt(x.Offset, 10)}, "len": {strconv.FormatInt(x.Length, 10)},
		"from": {strconv.FormatInt(off, 10)}, "n": {strconv.FormatInt(n, 10)},
	}
}

// parseQuery decodes what query encoded.
func parseQuery(q url.Values) (x event.Extent, off, n int64, err error) {
	x.Node, x.Record = q.Get("node"), q.Get("rec")
	if x.Node == "" || x.Record == "" {
		return x, 0, 0, fmt.Errorf("peer: node and rec are required")
	}
	disk, err := strconv.ParseUint(q.Get("disk"), 10, 16)
	if err != nil {
		return x, 0, 0, fmt.Errorf("peer: disk: %w", err)
	}
	x.Disk = uint16(disk)
	if x.Segment, err = strconv.ParseUint(q.Get("seg"), 10, 64); err != nil {
		return x, 0, 0, fmt.Errorf("peer: seg: %w", err)
	}
	ints := []*int64{&x.Offset, &x.Length, &off, &n}
	for i, name := range []string{"at", "len", "from", "n"} {
		if *ints[i], err = strconv.ParseInt(q.Get(name), 10, 64); err != nil || *ints[i] < 0 {
			return x, 0, 0, fmt.Errorf("peer: %s: not a non-negative integer", name)
		}
	}
	return x, off, n, nil
}
