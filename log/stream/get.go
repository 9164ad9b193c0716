package stream

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// msgGetResponse is JetStream's answer to $JS.API.STREAM.MSG.GET.
type msgGetResponse struct {
	Message *struct {
		Subject string    `json:"subject"`
		Seq     uint64    `json:"seq"`
		Data    []byte    `json:"data"`
		Time    time.Time `json:"time"`
	} `json:"message"`
	Error *struct {
		Code        int    `json:"code"`
		ErrCode     int    `json:"err_code"`
		Description string `json:"description"`
	} `json:"error"`
}

// errCodeNoMessage is JetStream's "no message found" error code.
const errCodeNoMessage = 10037

// NextOnSubject returns the first message stored on subject (a literal
// subject) at or after sequence from; found is false when there is none.
//
// It asks the stream leader (the message-get API, not a direct get, which
// a lagging replica may answer), so every message acknowledged before the
// call is seen.
func (l *Log) NextOnSubject(ctx context.Context, subject string, from uint64) (m Message, found bool, err error) {
	req, err := json.Marshal(struct {
		Seq  uint64 `json:"seq"`
		Next string `json:"next_by_subj"`
	}{from, subject})
	if err != nil {
		return m, false, err
	}
	reply, err := l.nc.RequestWithContext(ctx, "$JS.API.STREAM.MSG.GET."+l.name, req)
	if err != nil {
		return m, false, mapErr(err)
	}
	var r msgGetResponse
	if err := json.Unmarshal(reply.Data, &r); err != nil {
		return m, false, fmt.Errorf("stream: message get reply %q: %w", reply.Data, err)
	}
	if r.Error != nil {
		if r.Error.ErrCode == errCodeNoMessage {
			return m, false, nil
		}
		return m, false, fmt.Errorf("stream: message get: %s (err_code %d)", r.Error.Description, r.Error.ErrCode)
	}
	if r.Message == nil {
		return m, false, fmt.Errorf("stream: message get reply without a message: %q", reply.Data)
	}
	return Message{Seq: r.Message.Seq, Subject: r.Message.Subject, Data: r.Message.Data}, true, nil
}
