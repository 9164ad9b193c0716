package crash

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"
)

// receiver is a webhook that records every notification it accepts, a
// little slowly, so that a backlog builds up behind it.
type receiver struct {
	mu     sync.Mutex
	byReq  map[string]bool   // x-amz-request-id of every record received
	maxSeq map[string]string // key -> greatest sequencer received
	order  []string          // violations of per-key order
	seen   map[uint64]bool   // stream sequences received
	n      int               // records received, repeats included
	keys   map[string]int    // records per key, repeats excluded
	errs   []string
	delay  time.Duration
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	time.Sleep(rc.delay) // lint:ignore a slow receiver is the point
	var doc struct {
		Records []struct {
			ResponseElements struct {
				RequestID string `json:"x-amz-request-id"`
			} `json:"responseElements"`
			S3 struct {
				Object struct {
					Key       string `json:"key"`
					Sequencer string `json:"sequencer"`
				} `json:"object"`
			} `json:"s3"`
			Cairn struct {
				Seq uint64 `json:"seq"`
			} `json:"cairn"`
		} `json:"Records"`
		Event string `json:"Event"` // s3:TestEvent when a configuration is set
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err := json.Unmarshal(b, &doc); err == nil && doc.Event == "s3:TestEvent" {
		w.WriteHeader(http.StatusOK)
		return
	}
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.Records) != 1 {
		rc.errs = append(rc.errs, fmt.Sprintf("bad notification %q", b))
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	rec := doc.Records[0]
	key, _ := url.QueryUnescape(rec.S3.Object.Key)
	rc.n++
	if !rc.seen[rec.Cairn.Seq] {
		rc.seen[rec.Cairn.Seq] = true
		rc.keys[key]++
		if prev := rc.maxSeq[key]; rec.S3.Object.Sequencer < prev {
			rc.order = append(rc.order, fmt.Sprintf("%s: %s first received after %s", key, rec.S3.Object.Sequencer, prev))
		}
		rc.maxSeq[key] = max(rc.maxSeq[key], rec.S3.Object.Sequencer)
	}
	rc.byReq[rec.ResponseElements.RequestID] = true
	w.WriteHeader(http.StatusOK)
}

func (rc *receiver) has(reqIDs []string) (missing int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, id := range reqIDs {
		if !rc.byReq[id] {
			missing++
		}
	}
	return missing
}

// TestKill9LosesNoNotification: a real server delivering to a slow webhook
// is SIGKILLed while writes pour in and the webhook lags behind; after a
// restart on the same data, every acknowledged write's notification
// arrives, and no key's events arrive out of order.
func TestKill9LosesNoNotification(t *testing.T) {
	cycles := envInt("CAIRN_KILL_CYCLES", 2)
	seed := uint64(envInt("CAIRN_KILL_SEED", int(time.Now().UnixNano()%1e9)))
	t.Logf("seed %d (rerun with CAIRN_KILL_SEED=%d), %d cycles", seed, seed, cycles)
	r := rand.New(rand.NewPCG(seed, seed))
	rc := &receiver{byReq: map[string]bool{}, maxSeq: map[string]string{}, seen: map[uint64]bool{}, keys: map[string]int{},
		delay: 40 * time.Millisecond}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	dir := t.TempDir()
	args := []string{"--notify-webhook", "hook=" + hook.URL + ",token=crash-token"}
	p := startProc(t, dir, args...)
	c := p.client()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("events")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("events"),
		NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{{
			QueueArn: aws.String("arn:cairn:sqs::hook:webhook"), Events: []types.Event{"s3:ObjectCreated:*", "s3:ObjectRemoved:*"}}}}}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var acknowledged []string
	for cycle := 0; cycle < cycles; cycle++ {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				notifyWriter(p.client(), w, cycle, stop, func(id string) {
					mu.Lock()
					acknowledged = append(acknowledged, id)
					mu.Unlock()
				})
			}(w)
		}
		time.Sleep(time.Duration(500+r.IntN(1500)) * time.Millisecond) // lint:ignore the random moment
		p.kill(t)
		close(stop)
		wg.Wait()
		mu.Lock()
		ids := append([]string(nil), acknowledged...)
		mu.Unlock()
		t.Logf("cycle %d: killed with %d of %d acknowledged writes not yet notified", cycle, rc.has(ids), len(ids))
		p = startProc(t, dir, args...)
		deadline := time.Now().Add(90 * time.Second)
		for rc.has(ids) > 0 {
			if time.Now().After(deadline) {
				t.Fatalf("cycle %d: %d acknowledged writes never notified after restart", cycle, rc.has(ids))
			}
			<-time.After(20 * time.Millisecond)
		}
	}
	p.stop(t)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.errs) > 0 || len(rc.order) > 0 {
		t.Fatalf("errors %v; per-key order violated: %v", rc.errs, rc.order)
	}
	t.Logf("%d acknowledged writes all notified (%d records received, %d distinct)", len(acknowledged), rc.n, len(rc.seen))
}

// notifyWriter PUTs (and now and then DELETEs) a few keys of its own many
// times until the server dies or stop closes, reporting the request id of
// every acknowledged write.
func notifyWriter(c *s3.Client, w, cycle int, stop chan struct{}, acked func(reqID string)) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		key := fmt.Sprintf("w%d/k%d", w, i%5) // few keys, many versions each
		var md middleware.Metadata
		if i%7 == 6 {
			out, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("events"), Key: aws.String(key)})
			if err != nil {
				return
			}
			md = out.ResultMetadata
		} else {
			out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("events"), Key: aws.String(key),
				Body: strings.NewReader(fmt.Sprint(cycle, i))})
			if err != nil {
				return
			}
			md = out.ResultMetadata
		}
		id, _ := awsmiddleware.GetRequestIDMetadata(md)
		acked(id)
	}
}
