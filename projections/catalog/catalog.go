package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/cairnstore/cairn/log/event"
	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// ErrFormat: the store was written with another key layout.
var ErrFormat = errors.New("catalog: index format differs from this binary's; rebuild it from the log")

// Bucket is one bucket name's record: live, or a tombstone.
type Bucket struct {
	Name    string            `json:"-"`
	ID      string            `json:"id"`
	Region  string            `json:"region"`
	Owner   string            `json:"owner"`
	Created time.Time         `json:"created"`
	Seq     uint64            `json:"seq"`     // sequence of the creating event
	NameSeq uint64            `json:"nameSeq"` // last sequence on the name subject
	Deleted bool              `json:"deleted,omitempty"`
	Tags    map[string]string `json:"tags,omitempty"`
	// Access control. Legacy is set for buckets whose creation event
	// predates these fields (S3's pre-2023 defaults apply to them).
	ACL          *event.ACL               `json:"acl,omitempty"`
	Ownership    string                   `json:"ownership,omitempty"`
	PublicAccess *event.PublicAccessBlock `json:"publicAccess,omitempty"`
	Policy       string                   `json:"policy,omitempty"`
	// Versioning is "" (never configured), Enabled or Suspended. Lock is
	// set once Object Lock is enabled, with the default retention.
	Versioning string                     `json:"versioning,omitempty"`
	Lock       *event.BucketObjectLockSet `json:"lock,omitempty"`
	// Replication is the replication configuration in force (its history
	// is under "X"); nil when none.
	Replication *Replication `json:"replication,omitempty"`
}

// Object is one version of a key: an object, or a delete marker. It
// embeds the attributes of the put that made it, so the event schema is
// their one definition.
type Object struct {
	Key       string    `json:"-"`
	Seq       uint64    `json:"seq"` // sequence of the event that made this version
	Modified  time.Time `json:"mtime"`
	Owner     string    `json:"owner,omitempty"`
	VersionID string    `json:"vid,omitempty"`    // "" or "null": the null version
	Marker    bool      `json:"marker,omitempty"` // a delete marker (no bytes)
	event.ObjectPut
	// Replica is set when the version was written by another site's
	// replication; Replication says, per destination ("<site>:<bucket>"),
	// how replicating it to there stands.
	Replica     bool                        `json:"replica,omitempty"`
	Replication map[string]ReplicationState `json:"replication,omitempty"`
}

// Notification is a bucket incarnation's notification configuration as set
// by the event at Seq.
type Notification struct {
	Seq   uint64                   `json:"seq"`
	Owner string                   `json:"owner"` // the bucket's owner when it was set
	Rules []event.NotificationRule `json:"rules,omitempty"`
}

// Options configures Open.
type Options struct {
	Dir       string
	FS        vfs.FS       // nil: the OS file system
	Logger    *slog.Logger // nil: discard
	CacheSize int64        // Pebble block cache in bytes; 128 MiB when zero
}

// Catalog is the Pebble-backed index.
type Catalog struct {
	db *pebble.DB

	// buckets mirrors every "B" record (live and tombstones) in memory:
	// buckets are few and looked up on every request. Apply (one caller,
	// the runner) updates it right after each commit.
	mu struct {
		sync.RWMutex
		buckets map[string]Bucket
		iam     iam
		// moved mirrors "T": segments compaction moved records out of,
		// which Locate must look through.
		moved map[string]SegmentState
	}
}

// Open opens (or creates) the index in dir.
func Open(o Options) (*Catalog, error) {
	lg := o.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	if o.CacheSize <= 0 {
		o.CacheSize = 128 << 20
	}
	cache := pebble.NewCache(o.CacheSize)
	defer cache.Unref()
	opts := &pebble.Options{FormatMajorVersion: pebble.FormatNewest, Logger: pebbleLogger{lg.With("component", "pebble")},
		Cache: cache, MemTableSize: 64 << 20}
	// Most point lookups on the write path miss (a new key): bloom
	// filters let them skip every table.
	for i := range opts.Levels {
		opts.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	if o.FS != nil {
		opts.FS = o.FS
	}
	db, err := pebble.Open(o.Dir, opts)
	if err != nil {
		return nil, fmt.Errorf("catalog: open %s: %w", o.Dir, err)
	}
	c := &Catalog{db: db}
	err = c.checkFormat()
	if err == nil {
		err = c.loadBuckets()
	}
	if err == nil {
		err = c.loadIAM()
	}
	if err == nil {
		err = c.loadMoved()
	}
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return c, nil
}

// loadBuckets fills the in-memory mirror of the bucket records.
func (c *Catalog) loadBuckets() error {
	pfx := []byte{prefixBucket}
	it, err := c.db.NewIter(&pebble.IterOptions{LowerBound: pfx, UpperBound: prefixEnd(pfx)})
	if err != nil {
		return err
	}
	defer it.Close()
	c.mu.buckets = map[string]Bucket{}
	for ok := it.First(); ok; ok = it.Next() {
		var b Bucket
		if err := json.Unmarshal(it.Value(), &b); err != nil {
			return fmt.Errorf("catalog: corrupt bucket %q: %w", it.Key(), err)
		}
		b.Name = string(it.Key()[1:])
		c.mu.buckets[b.Name] = b
	}
	return it.Error()
}

func (c *Catalog) checkFormat() error {
	v, closer, err := c.db.Get(keyFormat)
	if errors.Is(err, pebble.ErrNotFound) {
		applied, err := c.AppliedSeq()
		if err != nil {
			return err
		}
		if applied != 0 {
			return ErrFormat
		}
		return c.db.Set(keyFormat, be64(format), pebble.Sync)
	}
	if err != nil {
		return fmt.Errorf("catalog: read format: %w", err)
	}
	defer closer.Close()
	if u64(v) != format {
		return fmt.Errorf("%w (store has %d, binary %d)", ErrFormat, u64(v), format)
	}
	return nil
}

// Close flushes and closes the index.
func (c *Catalog) Close() error {
	if err := c.db.Flush(); err != nil {
		_ = c.db.Close()
		return fmt.Errorf("catalog: flush: %w", err)
	}
	return c.db.Close()
}

// AppliedSeq is the last stream sequence folded into the index.
func (c *Catalog) AppliedSeq() (uint64, error) {
	v, closer, err := c.db.Get(keyApplied)
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("catalog: read applied seq: %w", err)
	}
	defer closer.Close()
	return u64(v), nil
}

// getJSON reads key from r into v; found is false when it is absent.
func getJSON(r pebble.Reader, key []byte, v any) (found bool, err error) {
	b, closer, err := r.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("catalog: get: %w", err)
	}
	defer closer.Close()
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("catalog: corrupt value under %q: %w", key, err)
	}
	return true, nil
}

// Dump writes every key and value in key order, one "hex(key) value" line
// each: two indexes with equal dumps are equal.
func (c *Catalog) Dump(w io.Writer) error {
	it, err := c.db.NewIter(nil)
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		if _, err := fmt.Fprintf(w, "%x %q\n", it.Key(), it.Value()); err != nil {
			return err
		}
	}
	return it.Error()
}

// pebbleLogger routes Pebble's log lines to slog. Fatalf is only called on
// unrecoverable corruption of the index; it stops the process as Pebble's
// own default logger does (the index can be rebuilt from the log).
type pebbleLogger struct{ l *slog.Logger }

func (p pebbleLogger) Infof(format string, args ...any) { p.l.Debug(fmt.Sprintf(format, args...)) }
func (p pebbleLogger) Errorf(format string, args ...any) {
	p.l.Error(fmt.Sprintf(format, args...))
}
func (p pebbleLogger) Fatalf(format string, args ...any) {
	p.l.Error(fmt.Sprintf(format, args...))
	os.Exit(70)
}
