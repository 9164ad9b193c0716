// Command cairn is an S3-compatible object store whose single source of
// truth is an event log.
//
//	cairn server   [flags]   serve the S3 API (embedded NATS by default)
//	cairn rebuild  --data D  rebuild the index from the event log
//	cairn verify   --data D  check the segments against the index
//	cairn bench    [flags]   load-test any S3 endpoint
//	cairn admin    [flags]   manage users and access keys
//	cairn watch    BUCKET    print a bucket's events as they happen
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/cairnstore/cairn/cmd/internal/admin"
	"github.com/cairnstore/cairn/cmd/internal/bench"
	"github.com/cairnstore/cairn/cmd/internal/watch"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: cairn <command> [flags]

commands:
  server    serve the S3 API (run "cairn server -h" for flags)
  rebuild   rebuild the index from the event log (the server must be stopped)
  verify    check every referenced record on the disks against the index (server stopped)
  bench     load-test an S3 endpoint (cairn or any other)
  admin     manage users and access keys (root credentials)
  watch     print a bucket's events as they happen ("cairn watch -h")
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx := context.Background()
	switch args[0] {
	case "server":
		return serverCmd(ctx, args[1:], stdout, stderr)
	case "rebuild":
		return rebuildCmd(ctx, args[1:], stdout, stderr)
	case "verify":
		return verifyCmd(ctx, args[1:], stdout, stderr)
	case "bench":
		return bench.Main(ctx, args[1:], stdout, stderr)
	case "admin":
		return admin.Main(ctx, args[1:], stdout, stderr)
	case "watch":
		return watch.Main(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "cairn: unknown command %q\n%s", args[0], usage)
	return 2
}
