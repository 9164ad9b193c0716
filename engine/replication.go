package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/cairnstore/cairn/engine/names"
	"github.com/cairnstore/cairn/log/event"
	"github.com/cairnstore/cairn/log/stream"
)

// Replication. A bucket's replication configuration names, per rule, a
// destination bucket on a site declared on this server (Options.Sites).
// A rule names its site in its destination ARN:
//
//	arn:cairn:s3::SITE:BUCKET   bucket BUCKET on site SITE
//	arn:aws:s3:::BUCKET         bucket BUCKET on the one declared site
//
// (S3's own form is accepted only while exactly one site is declared;
// the site it resolves to is recorded in the configuration's event, so a
// rule keeps its meaning whatever is declared later.) Replicating is the
// replication consumer's business (notify/replicate); the engine keeps
// the configuration, records outcomes, and applies replicas' writes
// (WithReplica).

// Errors of replication configuration.
var (
	ErrNoSuchReplication = errors.New("engine: the bucket has no replication configuration")
	ErrInvalidRequest    = errors.New("engine: invalid request")
	ErrMalformedConfig   = errors.New("engine: malformed configuration")
	ErrNotImplemented    = errors.New("engine: not implemented")
)

// ConfigError says why a configuration is refused, in S3's words; it
// matches its Err (ErrInvalidArgument, ErrInvalidRequest,
// ErrMalformedConfig or ErrNotImplemented).
type ConfigError struct {
	Err    error
	Reason string
}

func (e *ConfigError) Error() string { return e.Err.Error() + ": " + e.Reason }

// Unwrap makes errors.Is(err, e.Err) hold.
func (e *ConfigError) Unwrap() error { return e.Err }

// ReplicationConfig is a bucket's replication configuration in domain
// terms: S3's ReplicationConfiguration, element for element.
type ReplicationConfig struct {
	Role  string
	Rules []ReplicationRule
}

// ReplicationRule is one Rule as sent (GetBucketReplication returns it in
// its canonical form).
type ReplicationRule struct {
	ID       string
	Priority *int   // nil when absent
	Status   string // Enabled or Disabled
	// Prefix is S3's first schema (a Prefix outside any Filter); Filter
	// is the current one. At most one of them.
	Prefix                    *string
	Filter                    *ReplicationFilter
	DeleteMarkerReplication   string // "", Enabled or Disabled
	ExistingObjectReplication string // "", Enabled or Disabled
	DestinationBucket         string // an ARN
	StorageClass              string
	// Unsupported names an element cairn refuses (NotImplemented), e.g.
	// "EncryptionConfiguration"; empty when none.
	Unsupported string
}

// ReplicationFilter is a rule's Filter: its Prefix, Tag or And element.
type ReplicationFilter struct {
	Prefix string
	Tags   []Tag
	And    bool // the elements came in an And (several may only so)
	// Elements counts Prefix, Tag and And children: S3 wants exactly one.
	Elements int
}

// Messages of S3's replication configuration errors.
const (
	msgReplNeedsDM    = "DeleteMarkerReplication must be specified for this version of Cross Region Replication configuration schema. Please refer to S3 Developer Guide for more information."
	msgReplNoDM       = "DeleteMarkerReplication cannot be used for this version of Cross Region Replication configuration schema. Please refer to S3 Developer Guide for more information."
	msgReplTagDM      = "Delete marker replication is not supported if any Tag filter is specified. Please refer to S3 Developer Guide for more information."
	msgReplPriority   = "Found overlapping priority values in the replication configuration; each rule must have a unique Priority."
	msgReplTooMany    = "Replication configuration cannot have more than 1000 rules."
	msgReplDupID      = "Rule Id must be unique. Found same ID for more than one rule"
	msgReplIDLong     = "ID length should not exceed allowed limit of 255"
	msgReplPrefixLong = "Prefix length should not exceed allowed limit of 1024"
	msgReplBadARN     = "Invalid bucket ARN: name a declared replication site as arn:cairn:s3::SITE:BUCKET"
	msgReplVersioning = "Versioning must be 'Enabled' on the bucket to apply a replication configuration"
	maxReplRules      = 1000
)

// PutBucketReplication replaces a bucket's replication configuration,
// after S3's checks and once every rule's destination resolves to a
// declared site.
func (e *Engine) PutBucketReplication(ctx context.Context, bucket, actor string, cfg ReplicationConfig) error {
	rules, err := e.checkReplication(cfg)
	if err != nil {
		return err
	}
	rec, err := e.bucketRecord(ctx, bucket)
	if err != nil {
		return err
	}
	if rec.Versioning != event.VersioningEnabled {
		return invalid(ErrInvalidRequest, msgReplVersioning)
	}
	return e.bucketConfigEvent(ctx, rec, actor, &event.BucketReplication{Role: cfg.Role, Rules: rules})
}

// DeleteBucketReplication removes a bucket's replication configuration.
// Versions already made keep their state; nothing new is replicated.
func (e *Engine) DeleteBucketReplication(ctx context.Context, bucket, actor string) error {
	rec, err := e.bucketRecord(ctx, bucket)
	if err != nil {
		return err
	}
	if rec.Replication == nil {
		return nil
	}
	return e.bucketConfigEvent(ctx, rec, actor, &event.BucketReplication{})
}

// GetBucketReplication returns a bucket's replication configuration in
// canonical form; ErrNoSuchReplication when it has none.
func (e *Engine) GetBucketReplication(ctx context.Context, bucket string) (ReplicationConfig, error) {
	b, err := e.bucket(ctx, bucket)
	if err != nil {
		return ReplicationConfig{}, err
	}
	r, found, err := e.o.Catalog.ReplicationAt(b.id, math.MaxUint64)
	if err != nil {
		return ReplicationConfig{}, err
	}
	if !found {
		return ReplicationConfig{}, ErrNoSuchReplication
	}
	out := ReplicationConfig{Role: r.Role}
	for _, rl := range r.Rules {
		out.Rules = append(out.Rules, ruleOut(rl))
	}
	return out, nil
}

// ruleOut is a stored rule as GetBucketReplication shows it.
func ruleOut(rl event.ReplicationRule) ReplicationRule {
	out := ReplicationRule{ID: rl.ID, Status: status(rl.Enabled), DestinationBucket: rl.ARN, StorageClass: rl.StorageClass}
	if rl.ExistingObjects {
		out.ExistingObjectReplication = status(true)
	}
	if rl.V1 {
		out.Prefix = &rl.Prefix
		return out
	}
	prio := rl.Priority
	out.Priority, out.DeleteMarkerReplication = &prio, status(rl.DeleteMarkers)
	f := &ReplicationFilter{Prefix: rl.Prefix, And: len(rl.Tags) > 1 || len(rl.Tags) == 1 && rl.Prefix != ""}
	for _, k := range slices.Sorted(maps.Keys(rl.Tags)) {
		f.Tags = append(f.Tags, Tag{Key: k, Value: rl.Tags[k]})
	}
	out.Filter = f
	return out
}

func status(on bool) string {
	if on {
		return "Enabled"
	}
	return "Disabled"
}

func invalid(kind error, reason string) error { return &ConfigError{Err: kind, Reason: reason} }

// checkReplication validates a configuration and resolves it into the
// event's rules.
func (e *Engine) checkReplication(cfg ReplicationConfig) ([]event.ReplicationRule, error) {
	switch {
	case len(cfg.Rules) == 0:
		return nil, invalid(ErrMalformedConfig, "The replication configuration must have at least one rule.")
	case len(cfg.Rules) > maxReplRules:
		return nil, invalid(ErrInvalidRequest, msgReplTooMany)
	}
	out := make([]event.ReplicationRule, 0, len(cfg.Rules))
	ids, prios := map[string]bool{}, map[int]bool{}
	for _, r := range cfg.Rules {
		er, err := e.resolveReplicationRule(r)
		if err != nil {
			return nil, err
		}
		if ids[er.ID] {
			return nil, invalid(ErrInvalidArgument, msgReplDupID)
		}
		ids[er.ID] = true
		if !er.V1 && len(cfg.Rules) > 1 {
			if prios[er.Priority] {
				return nil, invalid(ErrInvalidRequest, msgReplPriority)
			}
			prios[er.Priority] = true
		}
		out = append(out, er)
	}
	return out, nil
}

// resolveReplicationRule checks one rule and resolves its destination.
func (e *Engine) resolveReplicationRule(r ReplicationRule) (event.ReplicationRule, error) {
	er := event.ReplicationRule{ID: r.ID, Enabled: r.Status == "Enabled", StorageClass: r.StorageClass, ARN: r.DestinationBucket}
	if err := checkRuleShape(r); err != nil {
		return er, err
	}
	if er.ID == "" {
		er.ID = newRuleID()
	}
	if r.Priority != nil {
		er.Priority = *r.Priority
	}
	er.ExistingObjects = r.ExistingObjectReplication == "Enabled"
	if r.Prefix != nil {
		er.V1, er.Prefix = true, *r.Prefix
	} else {
		tags, err := TagSet(r.Filter.Tags, MaxObjectTags)
		if err != nil {
			return er, err
		}
		er.Prefix, er.Tags, er.DeleteMarkers = r.Filter.Prefix, tags, r.DeleteMarkerReplication == "Enabled"
		if len(tags) > 0 && er.DeleteMarkers {
			return er, invalid(ErrInvalidRequest, msgReplTagDM)
		}
	}
	if len(er.Prefix) > 1024 {
		return er, invalid(ErrInvalidArgument, msgReplPrefixLong)
	}
	var err error
	er.Site, er.Bucket, err = e.resolveDestination(r.DestinationBucket)
	return er, err
}

// checkRuleShape checks what S3's schema requires of a rule's elements.
func checkRuleShape(r ReplicationRule) error {
	switch {
	case r.Unsupported != "":
		return invalid(ErrNotImplemented, "cairn does not implement "+r.Unsupported+" in replication rules.")
	case r.Status != "Enabled" && r.Status != "Disabled":
		return invalid(ErrMalformedConfig, "Status must be Enabled or Disabled.")
	case len(r.ID) > maxRuleIDLength:
		return invalid(ErrInvalidArgument, msgReplIDLong)
	case !validStatus(r.DeleteMarkerReplication) || !validStatus(r.ExistingObjectReplication):
		return invalid(ErrMalformedConfig, "DeleteMarkerReplication and ExistingObjectReplication Status must be Enabled or Disabled.")
	case r.Prefix != nil && r.Filter != nil:
		return invalid(ErrMalformedConfig, "A rule has either a Prefix or a Filter, not both.")
	case r.Prefix != nil && r.DeleteMarkerReplication != "":
		return invalid(ErrInvalidRequest, msgReplNoDM)
	case r.Prefix == nil && r.Filter == nil:
		return invalid(ErrMalformedConfig, "A rule needs a Filter (or, in the first schema, a Prefix).")
	case r.Filter != nil && r.DeleteMarkerReplication == "":
		return invalid(ErrInvalidRequest, msgReplNeedsDM)
	case r.Filter != nil && r.Filter.Elements > 1:
		return invalid(ErrMalformedConfig, "A Filter has exactly one of Prefix, Tag and And.")
	case r.Filter != nil && !r.Filter.And && len(r.Filter.Tags) > 1:
		return invalid(ErrMalformedConfig, "Several tags go in an And.")
	}
	return nil
}

func validStatus(s string) bool { return s == "" || s == "Enabled" || s == "Disabled" }

// resolveDestination finds the declared site and the bucket an ARN names.
func (e *Engine) resolveDestination(arn string) (site, bucket string, err error) {
	if rest, ok := strings.CutPrefix(arn, "arn:aws:s3:::"); ok {
		switch len(e.o.Sites) {
		case 0:
			return "", "", invalid(ErrInvalidArgument, "No replication site is declared on this server (--replication-target).")
		case 1:
			site, bucket = e.o.Sites[0], rest
		default:
			return "", "", invalid(ErrInvalidArgument, fmt.Sprintf("%d replication sites are declared: name one as arn:cairn:s3::SITE:%s", len(e.o.Sites), rest))
		}
	} else if rest, ok := strings.CutPrefix(arn, "arn:cairn:s3::"); ok {
		site, bucket, ok = strings.Cut(rest, ":")
		if !ok || site == "" {
			return "", "", invalid(ErrInvalidArgument, msgReplBadARN)
		}
		if !e.declaredSite(site) {
			return "", "", invalid(ErrInvalidArgument, fmt.Sprintf("The replication site %q is not declared on this server (--replication-target).", site))
		}
	} else {
		return "", "", invalid(ErrInvalidArgument, msgReplBadARN)
	}
	if names.CheckBucket(bucket) != nil {
		return "", "", invalid(ErrInvalidArgument, msgReplBadARN)
	}
	return site, bucket, nil
}

func (e *Engine) declaredSite(id string) bool {
	for _, s := range e.o.Sites {
		if s == id {
			return true
		}
	}
	return false
}

// ReplicationOutcome is how replicating one version to one destination
// went, as the replication consumer reports it.
type ReplicationOutcome struct {
	Bucket, BucketID, Key, VersionID string
	Seq                              uint64 // the event that made the version
	Dest                             string // "<site>:<bucket>"
	Status                           string // event.ReplicationCompleted or ReplicationFailed
	RemoteVersionID                  string
	Reason                           string
}

// RecordReplication appends a replication outcome, on the key's
// replication-status subject (never the key's own), and waits until the
// index has it.
func (e *Engine) RecordReplication(ctx context.Context, o ReplicationOutcome) error {
	ev := &event.Event{Header: e.header(ctx, ""), Payload: &event.ObjectReplicated{Dest: o.Dest, Status: o.Status,
		Seq: o.Seq, RemoteVersionID: o.RemoteVersionID, Reason: o.Reason}}
	ev.Bucket, ev.BucketID, ev.Key, ev.VersionID = o.Bucket, o.BucketID, o.Key, o.VersionID
	_, err := e.appendEvent(ctx, stream.ReplicationStatusSubject(o.BucketID, o.Key), ev, nil)
	return err
}
