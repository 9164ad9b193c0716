package blob

import (
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/cairnstore/cairn/log/metrics"
	"github.com/cairnstore/cairn/log/segment"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// State is a disk's state (see the package comment).
type State string

// Disk states.
const (
	Online  State = "online"
	Full    State = "full"
	Failed  State = "failed"
	Missing State = "missing"
)

// disk is one data disk. Fields marked (mu) are guarded by mu.
type disk struct {
	id        uint16
	dir       string
	fs        vfs.FS
	store     *segment.Store // nil when missing or not opened
	placement bool           // new records may go here

	mu        sync.Mutex
	state     State     // (mu)
	free      int64     // (mu) available bytes as last read minus writes since; -1 unknown
	fullUntil time.Time // (mu) after an ENOSPC: not back online before
	err       error     // (mu) why it failed
}

// DiskInfo describes one disk.
type DiskInfo struct {
	ID        uint16
	Dir       string
	State     State
	Placement bool  // takes new records when online
	Free      int64 // bytes available, -1 if unknown
	Err       error // why it failed
	Segments  []segment.SegmentInfo
}

// Disks describes every disk, by number.
func (s *Set) Disks() []DiskInfo {
	out := make([]DiskInfo, 0, len(s.disks))
	for _, d := range s.disks {
		d.mu.Lock()
		di := DiskInfo{ID: d.id, Dir: d.dir, State: d.state, Placement: d.placement, Free: d.free, Err: d.err}
		d.mu.Unlock()
		if d.store != nil {
			di.Segments = d.store.Segments()
		}
		out = append(out, di)
	}
	return out
}

// Store returns disk id's segment store, or nil if it has none.
func (s *Set) Store(id uint16) *segment.Store {
	if d := s.disk(id); d != nil {
		return d.store
	}
	return nil
}

// fault records what err says about d (nothing, full, or failed).
func (s *Set) fault(d *disk, err error) faultKind {
	k := classify(err)
	if k == faultNone {
		return k
	}
	now := s.o.Now()
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case k == faultFull:
		s.m.errors(d, "nospace")
		d.fullUntil = now.Add(s.o.FullCooldown)
		if d.state == Online {
			d.state = Full
			s.log.Warn("disk full: no new data goes to it until it has room again", "disk", d.id, "dir", d.dir, "err", err)
			s.m.online(d, false)
		}
	case d.state != Failed:
		s.m.errors(d, "io")
		d.state, d.err = Failed, err
		s.log.Error("disk failed: I/O error; it takes no new data until restart, reads of its data may fail", "disk", d.id, "dir", d.dir, "err", err)
		s.m.online(d, false)
	default:
		s.m.errors(d, "io")
	}
	return k
}

// recheck moves d between online and full given its free space.
func (s *Set) recheck(d *disk, free int64, now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.free = free
	low := free >= 0 && free < s.o.Reserve
	switch {
	case d.state == Online && low:
		d.state = Full
		s.log.Warn("disk full: free space below the reserve; no new data goes to it", "disk", d.id, "dir", d.dir,
			"free", free, "reserve", s.o.Reserve)
		s.m.online(d, false)
	case d.state == Full && !low && !now.Before(d.fullUntil):
		d.state = Online
		s.log.Info("disk has room again: back in placement", "disk", d.id, "dir", d.dir, "free", free)
		s.m.online(d, true)
	}
}

// pick chooses a disk for a record of length bytes among the online
// placement disks not in skip, with probability proportional to the room
// each has left; nil if none has room. Compaction (the background lane)
// may also use the reserve, even of a disk full for lack of it (not one
// that met ENOSPC): copying live records out is how space comes back.
func (s *Set) pick(lane segment.Lane, length int64, skip map[*disk]bool) *disk {
	var cands []*disk
	var weights []float64
	total := 0.0
	need := segment.RecordFootprint(length)
	reserve, now := s.o.Reserve, s.o.Now()
	if lane == segment.LaneBackground {
		reserve = 0
	}
	for _, d := range s.disks {
		if skip[d] || !d.placement {
			continue
		}
		d.mu.Lock()
		state, free, cooling := d.state, d.free, now.Before(d.fullUntil)
		d.mu.Unlock()
		if state != Online && (state != Full || lane != segment.LaneBackground || cooling) {
			continue
		}
		w := 1.0
		if free >= 0 {
			room := free - reserve - need
			if room <= 0 {
				continue
			}
			w = float64(room)
		}
		cands = append(cands, d)
		weights = append(weights, w)
		total += w
	}
	if len(cands) == 0 {
		return nil
	}
	x := rand.Float64() * total
	for i, w := range weights {
		if x < w {
			return cands[i]
		}
		x -= w
	}
	return cands[len(cands)-1]
}

// took accounts for bytes written to d since its free space was read.
func (d *disk) took(n int64) {
	d.mu.Lock()
	if d.free >= 0 {
		d.free = max(0, d.free-n)
	}
	d.mu.Unlock()
}

// setMetrics are the disk metrics.
type setMetrics struct {
	onlineG, freeG   *metrics.GaugeVec
	errorsC, corrupt *metrics.CounterVec
}

func newSetMetrics(r *metrics.Registry) setMetrics {
	return setMetrics{
		onlineG: r.Gauge("cairn_disk_online", "1 if the disk takes new data, 0 if it is full, failed or missing.", "disk"),
		freeG:   r.Gauge("cairn_disk_free_bytes", "Bytes available on the disk's file system (-1 if unknown).", "disk"),
		errorsC: r.Counter("cairn_disk_errors_total", "I/O errors by disk and kind (io, nospace).", "disk", "kind"),
		corrupt: r.Counter("cairn_read_checksum_failures_total", "Reads that found bytes whose checksum does not match.", "disk"),
	}
}

func label(d *disk) string { return strconv.Itoa(int(d.id)) }

func (m setMetrics) online(d *disk, on bool) {
	v := 0.0
	if on {
		v = 1
	}
	m.onlineG.With(label(d)).Set(v)
}

func (m setMetrics) free(d *disk, n int64) { m.freeG.With(label(d)).Set(float64(n)) }

func (m setMetrics) errors(d *disk, kind string) { m.errorsC.With(label(d), kind).Inc() }
