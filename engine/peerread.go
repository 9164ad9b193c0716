package engine

import (
	"context"
	"fmt"
	"io"

	"github.com/cairnstore/cairn/log/event"
)

// PeerReader reads n bytes from byte off of the payload of a record that
// another node wrote (x names it as the event recorded it).
type PeerReader interface {
	Open(ctx context.Context, x event.Extent, off, n int64) (io.ReadCloser, error)
}

// ReadLocal reads n bytes from byte off of the payload of a record this
// node wrote, wherever compaction has moved it since: what another
// gateway's PeerReader asks this one for. A record of another node is
// ErrBlobUnavailable.
func (e *Engine) ReadLocal(ctx context.Context, x event.Extent, off, n int64) (io.ReadCloser, error) {
	if x.Node != e.o.Node {
		return nil, fmt.Errorf("%w: node %s, this is node %s", ErrBlobUnavailable, x.Node, e.o.Node)
	}
	return e.openPart(ctx, part{x: x, off: off, n: n})
}
