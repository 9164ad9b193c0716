package segment

import (
	"context"
	"fmt"
	"sync"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// syncer implements leader/follower group commit for one segment file.
//
// A writer whose bytes are all written takes a ticket (tickets are issued in
// increasing order). If no fdatasync is running it becomes the leader and
// syncs at once on behalf of every ticket issued so far; otherwise it waits
// for the running round to finish and tries again: the next round covers
// it. A round only covers tickets issued before it started, because only
// their writes are guaranteed to have reached the file before the
// fdatasync call.
type syncer struct {
	mu      sync.Mutex
	issued  uint64        // last ticket handed out
	synced  uint64        // every ticket <= synced is durable
	running bool          // a round is in progress
	done    chan struct{} // closed when the running round ends
	err     error         // sticky: a round failed
}

// wait makes every write done by the caller before the call durable.
// onFail is called (without syncer.mu) by the leader whose fdatasync failed.
func (y *syncer) wait(ctx context.Context, f vfs.File, onFail func(error)) error {
	y.mu.Lock()
	y.issued++
	ticket := y.issued
	for {
		if y.err != nil {
			err := y.err
			y.mu.Unlock()
			return err
		}
		if y.synced >= ticket {
			y.mu.Unlock()
			return nil
		}
		if !y.running {
			y.lead(f, onFail)
			continue
		}
		done := y.done
		y.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return fmt.Errorf("segment: waiting for sync: %w", context.Cause(ctx))
		}
		y.mu.Lock()
	}
}

// lead runs one round. Called and returns with y.mu held.
func (y *syncer) lead(f vfs.File, onFail func(error)) {
	y.running = true
	y.done = make(chan struct{})
	target := y.issued
	y.mu.Unlock()

	err := f.SyncData()

	y.mu.Lock()
	y.running = false
	close(y.done)
	if err == nil {
		y.synced = target
		return
	}
	y.err = fmt.Errorf("%w: fdatasync: %w", ErrSegmentFailed, err)
	failErr := y.err
	y.mu.Unlock()
	onFail(failErr)
	y.mu.Lock()
}

// fail poisons the syncer without running a round.
func (y *syncer) fail(err error) {
	y.mu.Lock()
	if y.err == nil {
		y.err = err
	}
	y.mu.Unlock()
}
