package httpapi

import (
	"testing"

	"github.com/cairnstore/cairn/engine/authz"
)

// Every routed operation is one the authorization table knows: an unknown
// name would silently make the operation root-only.
func TestEveryRouteIsInTheOperationsTable(t *testing.T) {
	h := newTestHandler(&fakeEngine{})
	for _, r := range h.table() {
		if !authz.Known(r.op) {
			t.Errorf("%s %v: operation %q is not in engine/authz's operations table", r.method, r.query, r.op)
		}
	}
}
