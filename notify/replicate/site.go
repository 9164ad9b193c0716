package replicate

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/projections/catalog"
)

// Headers of cairn's replica writes (the receiving side is httpapi's
// replica.go): X-Cairn-Replica routes a request as a replica write, the
// others carry what the replica keeps of the source version.
const (
	hdrReplica          = "X-Cairn-Replica"
	hdrReplicaVersionID = "X-Cairn-Replica-Version-Id"
	hdrReplicaTime      = "X-Cairn-Replica-Time"
	hdrReplicaACL       = "X-Cairn-Replica-Acl"
)

// site writes replicas to one declared destination through its S3 API.
type site struct {
	spec TargetSpec
	s3   *s3.Client
}

func newSite(t TargetSpec, client *http.Client) *site {
	region := t.Region
	if region == "" {
		region = "us-east-1"
	}
	if client == nil {
		client = &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 64,
			IdleConnTimeout: 90 * time.Second, ResponseHeaderTimeout: 2 * time.Minute}}
	}
	c := s3.New(s3.Options{
		BaseEndpoint: aws.String(t.URL), UsePathStyle: true, Region: region, HTTPClient: client,
		Credentials: credentials.NewStaticCredentialsProvider(t.AccessKey, t.SecretKey, ""),
		// Replication retries on its own schedule; bodies are streams
		// read from segments, sent unsigned (UNSIGNED-PAYLOAD) and
		// checked by Content-MD5 and the source's checksums instead.
		RetryMaxAttempts:           1,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	return &site{spec: t, s3: c}
}

// opts are the per-request options of a write: unsigned streamed payload
// and, for a cairn destination, the replica headers.
func (s *site) opts(hdr map[string]string) func(*s3.Options) {
	return func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
		if s.spec.Generic {
			return
		}
		o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue(hdrReplica, "true"))
		for k, v := range hdr {
			o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue(k, v))
		}
	}
}

// replicaHeaders describe the version a replica write makes: its id, time
// and (when acl) ACL.
func replicaHeaders(vid string, t time.Time, acl *event.ACL) (map[string]string, error) {
	h := map[string]string{hdrReplicaTime: t.UTC().Format(time.RFC3339Nano)}
	if vid != "" {
		h[hdrReplicaVersionID] = vid
	}
	if acl != nil {
		b, err := json.Marshal(acl)
		if err != nil {
			return nil, err
		}
		h[hdrReplicaACL] = base64.StdEncoding.EncodeToString(b)
	}
	return h, nil
}

// Version is one object version to replicate: its attributes as the
// catalog has them, its id and the bytes' reader.
type Version struct {
	catalog.Object
	VersionID string
	// Open reads n bytes of the version from off.
	Open func(ctx context.Context, off, n int64) (io.ReadCloser, error)
}

// put writes v to bucket as a replica and returns the version id the
// destination gave it.
func (s *site) put(ctx context.Context, bucket, storageClass string, v Version) (string, error) {
	hdr, err := replicaHeaders(v.VersionID, v.Modified, v.ACL)
	if err != nil {
		return "", err
	}
	if len(v.Parts) > 0 {
		return s.putMultipart(ctx, bucket, storageClass, v, hdr)
	}
	body, err := v.Open(ctx, 0, v.Size)
	if err != nil {
		return "", err
	}
	defer body.Close()
	in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(v.Key), Body: body, ContentLength: aws.Int64(v.Size),
		Metadata: v.UserMeta, StorageClass: storageClassOf(storageClass, v.StorageClass), Tagging: tagging(v.Tags)}
	setContent(&in.ContentType, &in.ContentEncoding, &in.ContentDisposition, &in.ContentLanguage, &in.CacheControl, &in.Expires, v.ContentHeaders)
	in.ContentMD5 = md5Header(v.ETag)
	in.ObjectLockMode, in.ObjectLockRetainUntilDate, in.ObjectLockLegalHoldStatus = lockOf(v.Lock)
	if v.ChecksumType == "FULL_OBJECT" {
		for alg, val := range v.Checksums {
			setChecksum(alg, val, &in.ChecksumCRC32, &in.ChecksumCRC32C, &in.ChecksumCRC64NVME, &in.ChecksumSHA1, &in.ChecksumSHA256)
		}
	}
	out, err := s.s3.PutObject(ctx, in, s.opts(hdr))
	if err != nil {
		return "", err
	}
	return aws.ToString(out.VersionId), nil
}

// putMultipart writes a version made by a multipart upload with the same
// parts, so that the replica has the same ETag and checksums.
func (s *site) putMultipart(ctx context.Context, bucket, storageClass string, v Version, hdr map[string]string) (string, error) {
	cin := &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(v.Key), Metadata: v.UserMeta,
		StorageClass: storageClassOf(storageClass, v.StorageClass), Tagging: tagging(v.Tags)}
	setContent(&cin.ContentType, &cin.ContentEncoding, &cin.ContentDisposition, &cin.ContentLanguage, &cin.CacheControl, &cin.Expires, v.ContentHeaders)
	cin.ObjectLockMode, cin.ObjectLockRetainUntilDate, cin.ObjectLockLegalHoldStatus = lockOf(v.Lock)
	if s.has(ctx, bucket, v) {
		return v.VersionID, nil // a redelivery: no need to upload it all again
	}
	alg := ""
	for a := range v.Checksums {
		alg = a
	}
	if alg != "" {
		cin.ChecksumAlgorithm, cin.ChecksumType = types.ChecksumAlgorithm(alg), types.ChecksumType(v.ChecksumType)
	}
	up, err := s.s3.CreateMultipartUpload(ctx, cin, s.opts(nil))
	if err != nil {
		return "", err
	}
	vid, err := s.uploadParts(ctx, bucket, v, up.UploadId, alg, hdr)
	if err != nil {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_, _ = s.s3.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(v.Key),
			UploadId: up.UploadId}, s.opts(nil))
	}
	return vid, err
}

func (s *site) uploadParts(ctx context.Context, bucket string, v Version, uploadID *string, alg string, hdr map[string]string) (string, error) {
	done := &types.CompletedMultipartUpload{}
	var off int64
	for _, p := range v.Parts {
		body, err := v.Open(ctx, off, p.Size)
		if err != nil {
			return "", err
		}
		in := &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(v.Key), UploadId: uploadID,
			PartNumber: aws.Int32(int32(p.Number)), Body: body, ContentLength: aws.Int64(p.Size), ContentMD5: md5Header(p.ETag)}
		cp := types.CompletedPart{PartNumber: in.PartNumber}
		if p.Checksum != "" {
			setChecksum(alg, p.Checksum, &in.ChecksumCRC32, &in.ChecksumCRC32C, &in.ChecksumCRC64NVME, &in.ChecksumSHA1, &in.ChecksumSHA256)
			setChecksum(alg, p.Checksum, &cp.ChecksumCRC32, &cp.ChecksumCRC32C, &cp.ChecksumCRC64NVME, &cp.ChecksumSHA1, &cp.ChecksumSHA256)
		}
		out, err := s.s3.UploadPart(ctx, in, s.opts(nil))
		body.Close()
		if err != nil {
			return "", err
		}
		cp.ETag = out.ETag
		done.Parts = append(done.Parts, cp)
		off += p.Size
	}
	out, err := s.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket),
		Key: aws.String(v.Key), UploadId: uploadID, MultipartUpload: done}, s.opts(hdr))
	if err != nil {
		return "", err
	}
	if want := `"` + v.ETag + `"`; aws.ToString(out.ETag) != want {
		return "", fmt.Errorf("replica of %s has ETag %s, the source %s", v.Key, aws.ToString(out.ETag), want)
	}
	return aws.ToString(out.VersionId), nil
}

// has says whether a cairn destination already has version v (a multipart
// upload is worth a look before it is sent again). Any error means no.
func (s *site) has(ctx context.Context, bucket string, v Version) bool {
	if s.spec.Generic || v.VersionID == "" {
		return false
	}
	out, err := s.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(v.Key), VersionId: aws.String(v.VersionID)})
	return err == nil && aws.ToString(out.ETag) == `"`+v.ETag+`"`
}

// lockOf is a version's Object Lock as a write's headers carry it; a
// retention already expired is none.
func lockOf(l event.Lock) (types.ObjectLockMode, *time.Time, types.ObjectLockLegalHoldStatus) {
	var mode types.ObjectLockMode
	var until *time.Time
	if l.LockMode != "" && l.RetainUntil != nil && l.RetainUntil.After(time.Now()) {
		mode, until = types.ObjectLockMode(l.LockMode), l.RetainUntil
	}
	var hold types.ObjectLockLegalHoldStatus
	if l.LegalHold {
		hold = types.ObjectLockLegalHoldStatusOn
	}
	return mode, until, hold
}

// marker makes a delete marker (a replica of marker vid made at t; owner
// carries who made it).
func (s *site) marker(ctx context.Context, bucket, key, vid string, t time.Time, owner *event.ACL) error {
	hdr, err := replicaHeaders(vid, t, owner)
	if err != nil {
		return err
	}
	_, err = s.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}, s.opts(hdr))
	return err
}

// tags replaces the tags of version vid (the destination's id) of key.
func (s *site) tags(ctx context.Context, bucket, key, vid string, tags map[string]string) error {
	in := &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(key), Tagging: &types.Tagging{TagSet: []types.Tag{}}}
	if vid != "" {
		in.VersionId = aws.String(vid)
	}
	for k, v := range tags {
		in.Tagging.TagSet = append(in.Tagging.TagSet, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	_, err := s.s3.PutObjectTagging(ctx, in, s.opts(nil))
	return err
}

// retention sets (mode ""; removes) the retention of version vid of key.
func (s *site) retention(ctx context.Context, bucket, key, vid, mode string, until *time.Time) error {
	in := &s3.PutObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: optional(vid),
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionMode(mode), RetainUntilDate: until}}
	_, err := s.s3.PutObjectRetention(ctx, in, s.opts(nil))
	return err
}

// legalHold turns the legal hold of version vid of key on or off.
func (s *site) legalHold(ctx context.Context, bucket, key, vid string, on bool) error {
	st := types.ObjectLockLegalHoldStatusOff
	if on {
		st = types.ObjectLockLegalHoldStatusOn
	}
	_, err := s.s3.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String(bucket), Key: aws.String(key),
		VersionId: optional(vid), LegalHold: &types.ObjectLockLegalHold{Status: st}}, s.opts(nil))
	return err
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// acl replaces the ACL of version vid of key (cairn destinations only:
// canonical ids mean nothing elsewhere).
func (s *site) acl(ctx context.Context, bucket, key, vid string, acl event.ACL) error {
	if s.spec.Generic {
		return nil
	}
	pol := &types.AccessControlPolicy{Owner: &types.Owner{ID: aws.String(acl.Owner)}, Grants: []types.Grant{}}
	for _, g := range acl.Grants {
		gr := types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(g.ID)}
		if g.URI != "" {
			gr = types.Grantee{Type: types.TypeGroup, URI: aws.String(g.URI)}
		}
		pol.Grants = append(pol.Grants, types.Grant{Grantee: &gr, Permission: types.Permission(g.Permission)})
	}
	in := &s3.PutObjectAclInput{Bucket: aws.String(bucket), Key: aws.String(key), AccessControlPolicy: pol}
	if vid != "" {
		in.VersionId = aws.String(vid)
	}
	_, err := s.s3.PutObjectAcl(ctx, in, s.opts(nil))
	return err
}

// refused reports whether err is the destination's considered refusal
// (a 4xx answer other than a timeout or throttling), and its code; such a
// version is marked FAILED while it keeps being retried.
func refused(err error) (string, bool) {
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) {
		return "", false
	}
	st := re.HTTPStatusCode()
	if st < 400 || st > 499 || st == http.StatusRequestTimeout || st == http.StatusTooManyRequests {
		return "", false
	}
	code := fmt.Sprint(st)
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() != "" {
		code = ae.ErrorCode()
	}
	return code, true
}

// missing reports whether err says the destination has no such key or
// version.
func missing(err error) bool {
	code, ok := refused(err)
	return ok && (code == "NoSuchKey" || code == "NoSuchVersion" || code == "404")
}

func storageClassOf(rule, object string) types.StorageClass {
	if rule != "" {
		return types.StorageClass(rule)
	}
	return types.StorageClass(object)
}

// tagging is tags as the x-amz-tagging header carries them.
func tagging(tags map[string]string) *string {
	if len(tags) == 0 {
		return nil
	}
	v := url.Values{}
	for k, val := range tags {
		v.Set(k, val)
	}
	return aws.String(v.Encode())
}

// md5Header is the Content-MD5 of bytes whose ETag is their MD5; nil for
// a multipart ETag.
func md5Header(etag string) *string {
	b, err := hex.DecodeString(etag)
	if err != nil || len(b) != 16 {
		return nil
	}
	return aws.String(base64.StdEncoding.EncodeToString(b))
}

func setContent(ct, ce, cd, cl, cc **string, exp **time.Time, h event.ContentHeaders) {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return aws.String(s)
	}
	*ct, *ce, *cd, *cl, *cc = opt(h.ContentType), opt(h.ContentEncoding), opt(h.ContentDisposition), opt(h.ContentLanguage), opt(h.CacheControl)
	if t, err := http.ParseTime(h.Expires); err == nil {
		*exp = &t
	}
}

// setChecksum puts a checksum value in the field of its algorithm.
func setChecksum(alg, val string, crc32, crc32c, crc64, sha1, sha256 **string) {
	switch strings.ToUpper(alg) {
	case "CRC32":
		*crc32 = aws.String(val)
	case "CRC32C":
		*crc32c = aws.String(val)
	case "CRC64NVME":
		*crc64 = aws.String(val)
	case "SHA1":
		*sha1 = aws.String(val)
	case "SHA256":
		*sha256 = aws.String(val)
	}
}
