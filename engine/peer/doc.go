// Package peer lets a gateway read object bytes that another gateway
// sharing the same log wrote to its own disks (DESIGN: a blob locator names
// its node; a gateway that does not hold a blob reads it from its owner).
//
// # Finding the owner
//
// Every gateway answers core NATS requests on stream.PeerSubject(node)
// with the base URL of its S3 listener (--advertise; by default the
// listener's address, with the host name when it listens on every
// interface). Nothing is stored: a gateway that is down is not found, and
// the read fails with engine.ErrBlobUnavailable (S3 503 ServiceUnavailable,
// which clients retry). A Client caches an answer for a minute and forgets
// it as soon as a request to it fails at the transport.
//
// # Wire format, version 1
//
// A read is one GET on the owner's S3 listener (the path cannot be an S3
// request: "_cairn" is not a valid bucket name):
//
//	GET /_cairn/peer/v1/read?node=N&rec=R&disk=D&seg=S&at=A&len=L&from=F&n=K
//	X-Cairn-Peer-From: <asking node>
//	X-Cairn-Peer-Date: <unix seconds>
//	X-Cairn-Peer-Signature: <hex HMAC-SHA256(key, canonical)>
//
// asks for K bytes from byte F of the payload of record R (32 hex), which
// node N wrote at offset A of segment S on its disk D, L payload bytes long:
// the fields of the extent in the event, before any relocation (the owner
// looks the record up where compaction has moved it). canonical is
//
//	"cairn-peer-v1\n" + method + "\n" + path + "\n" + query + "\n" + from + "\n" + date
//
// with query the parameters sorted by name (url.Values.Encode). key is
// HMAC-SHA256(master key, "cairn peer read v1"): gateways sharing a log
// already share the master key (it seals users' secrets), so no other
// secret is needed. The owner compares signatures in constant time and
// refuses a date more than 15 minutes from its clock.
//
// The answer to a good read is 200 with a chunked body of exactly K bytes,
// each verified against its block checksum on the owner's disk, and the
// trailer X-Cairn-Peer-Xxh3: the xxh3-64 of the K bytes in 16 hex digits,
// which the asker checks when it reaches the end (a cut or altered stream
// is an error, never wrong bytes). Refusals carry a one-word reason in the
// body and their status:
//
//	400 bad-request   a parameter is missing or malformed
//	403 forbidden     bad signature, unknown scheme, or date out of range
//	404 not-found     the owner has no such record (or is not node N)
//	500 corrupt       the bytes fail their checksum on the owner's disk
//	503 unavailable   the owner's disk is unavailable
//
// A corruption found after the answer began cuts the connection, so the
// trailer never arrives and the asker fails.
package peer
