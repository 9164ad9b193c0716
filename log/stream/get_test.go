package stream_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cairnstore/cairn/log/stream"
	"github.com/cairnstore/cairn/log/stream/streamtest"
)

func TestNextOnSubjectWalksOneSubject(t *testing.T) {
	l := streamtest.Open(t, stream.Options{})
	ctx := context.Background()
	up, key := stream.UploadSubject("b1", "u1"), stream.ObjectSubject("b1", "k")
	var ups []uint64
	for i, subj := range []string{up, key, up, key, key, up} {
		seq, err := l.Append(ctx, stream.Msg{Subject: subj, Data: []byte{byte(i)}})
		if err != nil {
			t.Fatal(err)
		}
		if subj == up {
			ups = append(ups, seq)
		}
	}
	var got []uint64
	for from := uint64(1); ; {
		m, found, err := l.NextOnSubject(ctx, up, from)
		if err != nil {
			t.Fatal(err)
		}
		if !found {
			break
		}
		if m.Subject != up {
			t.Fatalf("message %d is on %s", m.Seq, m.Subject)
		}
		got = append(got, m.Seq)
		from = m.Seq + 1
	}
	if len(got) != len(ups) || got[0] != ups[0] || got[1] != ups[1] || got[2] != ups[2] {
		t.Fatalf("walked %v, want %v", got, ups)
	}
	if _, found, err := l.NextOnSubject(ctx, "s3.mp.b1.none", 1); found || err != nil {
		t.Fatalf("empty subject: found %v, err %v", found, err)
	}
}

// A message on one subject can be guarded by another literal subject's last
// sequence: how an abort (on the upload's subject) refuses to follow a
// completion (on the key's subject).
func TestExpectOnAnotherSubject(t *testing.T) {
	l := streamtest.Open(t, stream.Options{})
	ctx := context.Background()
	up, key := stream.UploadSubject("b1", "u1"), stream.ObjectSubject("b1", "k")
	if _, err := l.Append(ctx, stream.Msg{Subject: up, Data: []byte("created"), Expect: &stream.Expect{Seq: 0, Subject: key}}); err != nil {
		t.Fatalf("guard on an empty subject: %v", err)
	}
	kseq, err := l.Append(ctx, stream.Msg{Subject: key, Data: []byte("put")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = l.Append(ctx, stream.Msg{Subject: up, Data: []byte("abort"), Expect: &stream.Expect{Seq: 0, Subject: key}})
	if !errors.Is(err, stream.ErrConflict) {
		t.Fatalf("stale guard on the key subject: %v, want ErrConflict", err)
	}
	if _, err := l.Append(ctx, stream.Msg{Subject: up, Data: []byte("abort"), Expect: &stream.Expect{Seq: kseq, Subject: key}}); err != nil {
		t.Fatalf("current guard: %v", err)
	}
}
