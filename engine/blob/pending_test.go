package blob

import (
	"testing"
	"time"
)

// A segment is busy while a record in it is pending: until removed, or
// until its deadline.
func TestPendingKeepsSegmentsBusy(t *testing.T) {
	var p pending
	now := time.Now()
	a, b := segID{1, 7}, segID{1, 8}
	p.add("r1", a)
	p.add("r2", b)
	if !p.busy(a, now) || !p.busy(b, now) || p.busy(segID{2, 7}, now) {
		t.Fatal("pending records do not make their segments busy")
	}
	p.remove("r1")
	if p.busy(a, now) {
		t.Fatal("a settled record still makes its segment busy")
	}
	p.expireAt("r2", now.Add(time.Minute))
	if !p.busy(b, now.Add(59*time.Second)) {
		t.Fatal("expired early")
	}
	if p.busy(b, now.Add(61*time.Second)) || len(p.entries) != 0 {
		t.Fatalf("not expired after its deadline: %v", p.entries)
	}
}
