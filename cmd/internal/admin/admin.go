// Package admin is "cairn admin": users and access keys, and replication's
// state, through the admin API, signed with the root credentials.
package admin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const usage = `usage: cairn admin [flags] <command>

commands:
  user create NAME        create a user
  user list               list users and their keys (never secrets)
  user disable NAME       a disabled user's keys authenticate nothing
  user enable NAME
  user delete NAME        delete a user and all its keys
  key create USER         issue an access key; its secret is shown this once
  key disable ACCESSKEY
  key enable ACCESSKEY
  key delete ACCESSKEY
  replication status      each replication site's backlog, lag and failures

flags:
`

// client calls the admin API.
type client struct {
	endpoint, region string
	creds            aws.Credentials
	http             *http.Client
}

// Main runs "cairn admin" with args and returns the exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cairn admin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	c := &client{http: &http.Client{Timeout: time.Minute}}
	fs.StringVar(&c.endpoint, "endpoint", "http://127.0.0.1:9000", "cairn's S3 endpoint")
	fs.StringVar(&c.region, "region", "us-east-1", "the endpoint's region")
	ak := fs.String("access-key", os.Getenv("CAIRN_ROOT_ACCESS_KEY"), "root access key (default $CAIRN_ROOT_ACCESS_KEY)")
	sk := fs.String("secret-key", os.Getenv("CAIRN_ROOT_SECRET_KEY"), "root secret key (default $CAIRN_ROOT_SECRET_KEY)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	c.creds = aws.Credentials{AccessKeyID: *ak, SecretAccessKey: *sk}
	cmd := fs.Args()
	if len(cmd) < 2 || (len(cmd) < 3 && cmd[1] != "list" && cmd[1] != "status") {
		fs.Usage()
		return 2
	}
	if err := c.run(ctx, cmd, stdout); err != nil {
		fmt.Fprintln(stderr, "cairn admin:", err)
		return 1
	}
	return 0
}

func (c *client) run(ctx context.Context, cmd []string, out io.Writer) error {
	base := "/_cairn/admin/v1/"
	switch cmd[0] + " " + cmd[1] {
	case "user create":
		return c.call(ctx, out, "POST", base+"users", map[string]string{"name": cmd[2]})
	case "user list":
		return c.call(ctx, out, "GET", base+"users", nil)
	case "user disable", "user enable":
		return c.call(ctx, out, "PUT", base+"users/"+cmd[2], map[string]bool{"disabled": cmd[1] == "disable"})
	case "user delete":
		return c.call(ctx, out, "DELETE", base+"users/"+cmd[2], nil)
	case "key create":
		return c.call(ctx, out, "POST", base+"users/"+cmd[2]+"/keys", nil)
	case "key disable", "key enable":
		return c.call(ctx, out, "PUT", base+"keys/"+cmd[2], map[string]bool{"active": cmd[1] == "enable"})
	case "key delete":
		return c.call(ctx, out, "DELETE", base+"keys/"+cmd[2], nil)
	case "replication status":
		return c.call(ctx, out, "GET", base+"replication", nil)
	}
	return fmt.Errorf("unknown command %q", strings.Join(cmd, " "))
}

// call sends one signed request and prints its JSON answer.
func (c *client) call(ctx context.Context, out io.Writer, method, path string, body any) error {
	var payload []byte
	if body != nil {
		payload, _ = json.Marshal(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.endpoint, "/")+path, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(payload)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	req.Header.Set("Content-Type", "application/json")
	if err := v4.NewSigner().SignHTTP(ctx, c.creds, req, hash, "s3", c.region, time.Now()); err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(b))
	}
	if len(b) > 0 {
		var pretty bytes.Buffer
		if json.Indent(&pretty, b, "", "  ") == nil {
			b = append(pretty.Bytes(), '\n')
		}
		_, err = out.Write(b)
	}
	return err
}
