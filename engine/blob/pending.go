package blob

import (
	"sync"
	"time"
)

// segID names one segment of this node.
type segID struct {
	disk uint16
	seg  uint64
}

// pending tracks records written but not yet referenced by an applied
// event (see the package comment). Entries without a deadline last until
// removed; entries with one expire then.
type pending struct {
	mu      sync.Mutex
	entries map[string]pendingEntry
}

type pendingEntry struct {
	seg      segID
	deadline time.Time // zero: until removed
}

func (p *pending) add(key string, seg segID) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.entries == nil {
		p.entries = map[string]pendingEntry{}
	}
	p.entries[key] = pendingEntry{seg: seg}
}

func (p *pending) remove(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.entries, key)
}

// expireAt gives key a deadline (it stays pending until then at most).
func (p *pending) expireAt(key string, t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.entries[key]; ok {
		e.deadline = t
		p.entries[key] = e
	}
}

// busy reports whether seg holds a pending record at time now, dropping
// expired entries on the way.
func (p *pending) busy(seg segID, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	busy := false
	for k, e := range p.entries {
		switch {
		case !e.deadline.IsZero() && now.After(e.deadline):
			delete(p.entries, k)
		case e.seg == seg:
			busy = true
		}
	}
	return busy
}
