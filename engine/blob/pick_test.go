package blob

import (
	"testing"
	"time"

	"github.com/cairnstore/cairn/log/segment"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// A disk full for lack of reserve takes no client data but still takes
// compaction's copies (how space comes back); one that met ENOSPC takes
// neither until its cooldown ends.
func TestCompactionMayUseTheReserve(t *testing.T) {
	fs := vfs.NewMem()
	fs.TestingSetDiskUsage(vfs.DiskUsage{AvailBytes: 100 << 20, TotalBytes: 1 << 30})
	s, err := Open(Options{Node: "n1", DataDir: "/data", DataFS: vfs.NewMem(), Disks: []DiskSpec{{Dir: "/d1", FS: fs}},
		Reserve: 128 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d := s.disk(1)
	if d.state != Full {
		t.Fatalf("disk below its reserve is %s", d.state)
	}
	if s.pick(segment.LaneForeground, 4096, nil) != nil {
		t.Fatal("client data placed in the reserve")
	}
	if s.pick(segment.LaneBackground, 4096, nil) != d {
		t.Fatal("compaction may not use the reserve")
	}
	if s.pick(segment.LaneBackground, 200<<20, nil) != nil {
		t.Fatal("compaction placed more than the disk has")
	}
	d.mu.Lock()
	d.fullUntil = time.Now().Add(time.Minute) // as after an ENOSPC
	d.mu.Unlock()
	if s.pick(segment.LaneBackground, 4096, nil) != nil {
		t.Fatal("compaction placed data on a disk that just met ENOSPC")
	}
}
