package server

import (
	"time"

	"github.com/cairnstore/cairn/engine/blob"
)

// CompactionConfig tunes compaction (see engine/blob). Rate 0 turns it
// off.
type CompactionConfig struct {
	Threshold float64       // garbage ratio from which a segment is rewritten
	Rate      int64         // bytes/s of compaction reads and writes; 0: off, < 0: unlimited
	Grace     time.Duration // leave segments sealed and records dead for less than this alone
	Interval  time.Duration // between passes
	// Hook is called at each compaction step; tests make it stop (or
	// kill the process) there.
	Hook func(step string) error
}

// ScrubConfig tunes the scrub. Rate 0 turns it off.
type ScrubConfig struct {
	Rate     int64         // bytes/s the scrub reads
	Interval time.Duration // from one pass's start to the next at least
}

// Defaults of cairn server's flags.
const (
	DefaultCompactionThreshold = 0.5
	DefaultCompactionRate      = 32 << 20
	DefaultCompactionGrace     = 10 * time.Minute
	DefaultCompactionInterval  = time.Minute
	DefaultScrubRate           = 16 << 20
	DefaultScrubInterval       = 24 * time.Hour
)

// startBackground starts compaction and the scrub, once the index has
// caught up with the log (a compactor must see every reference).
func (s *Server) startBackground() {
	c := s.cfg.Compaction
	if c.Rate != 0 {
		s.comp = s.blobs.NewCompactor(blob.CompactOptions{Catalog: s.cat, Log: s.log, Runner: s.run,
			Threshold: c.Threshold, Rate: c.Rate, Grace: c.Grace, Interval: c.Interval, Hook: c.Hook})
		s.comp.Start()
	}
	s.scrub = s.blobs.NewScrubber(blob.ScrubOptions{Catalog: s.cat, Rate: s.cfg.Scrub.Rate, Interval: s.cfg.Scrub.Interval})
	s.scrub.Start()
}

// Compactor is the running compactor, nil when compaction is off.
func (s *Server) Compactor() *blob.Compactor { return s.comp }

// Scrubber is the scrub (idle when its rate is 0).
func (s *Server) Scrubber() *blob.Scrubber { return s.scrub }

// Blobs is the node's disks.
func (s *Server) Blobs() *blob.Set { return s.blobs }
