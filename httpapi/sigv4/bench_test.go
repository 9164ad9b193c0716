package sigv4

import (
	"bytes"
	"io"
	"testing"
)

func benchVerify(b *testing.B, raw []byte) {
	v := newTestVerifier(testTime)
	r := serverRequest(b, raw)
	mustVerify(b, v, r)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := v.Verify(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyHeader measures header authentication of a GET and of a PUT
// with eleven signed headers (signing key cached).
func BenchmarkVerifyHeader(b *testing.B) {
	for _, c := range oracleCases() {
		if c.name == "get" || c.name == "headers" || c.name == "list v2" {
			b.Run(c.name, func(b *testing.B) { benchVerify(b, c.signedWire(b)) })
		}
	}
}

func BenchmarkVerifyPresigned(b *testing.B) {
	benchVerify(b, wire(b, sdkPresign(b, oracleCases()[0].request(b), 3600, testTime)))
}

// BenchmarkChunkedDecoder measures decoding throughput (MB/s) of an 8 MiB
// payload.
func BenchmarkChunkedDecoder(b *testing.B) {
	payload := testPayload(8 << 20)
	for _, tc := range []struct {
		name  string
		mode  streamMode
		chunk int
	}{
		{"signed-64KiB", modeSigned, 64 << 10},
		{"signed-trailer-1MiB", modeSignedTrailer, 1 << 20},
		{"unsigned-trailer-64KiB", modeUnsignedTrailer, 64 << 10},
		{"unsigned-trailer-single", modeUnsignedTrailer, 0},
	} {
		b.Run(tc.name, func(b *testing.B) {
			stream, opts := testStream(payload, tc.chunk, tc.mode)
			buf := make([]byte, 32<<10)
			b.SetBytes(int64(len(payload)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				cr := NewChunkedReader(bytes.NewReader(stream), opts)
				if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{cr}, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
