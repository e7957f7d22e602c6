// Package audit is the decision audit trail: the regulated record of every
// decision the scoring API makes, kept so that years later it can be shown
// what was decided, by which model, on which inputs, and why.
//
// # Records and the chain
//
// A Record holds the decision time, the request id, the caller's key id,
// the model's name, version id and file SHA-256, the application as
// received (or only its SHA-256, InputsHash), the PD, the score, the
// decision, the threshold and the reasons. Each record carries a sequence
// number, from 1, and the hash of the record before it (GenesisHash for
// the first), and its own hash covers all of it: changing, removing or
// reordering a record breaks the chain at that place.
//
// Records are stored one a line, as JSON with a fixed field order
// (Record's doc), in segment files audit-000001.jsonl, audit-000002.jsonl,
// … of one directory. The chain runs across segments: the first record of
// a segment links to the last of the one before it. The access log of the
// API stays free of applicant data; this trail is the record that holds it.
//
// # Writing
//
// A Sink (Open) appends records from any number of goroutines. Append
// does what does not depend on the chain in the caller's goroutine, in
// parallel with other callers: it checks the record, hashes the input,
// compacts it (checking it against the JSON grammar, so that it cannot
// break the line) and encodes every field but seq, prev and hash. It then
// chains the record (seq, prev, the record's hash) into the sink's buffer
// under a mutex, still in its own goroutine, with no handoff to another.
// One syncer goroutine writes the buffer and makes it durable (fdatasync).
//
// Under SyncAlways the syncer is woken by each Append, lets the callers
// that are ready to run chain their records, writes them all in one call
// and fsyncs once; the callers wait for the fsync that covers their
// record, and whatever is chained during an fsync goes into the next one
// (group commit). Under SyncInterval nobody waits: Append returns once
// its record is chained, the syncer writes the buffer every FlushDelay
// (at once past FlushBytes) and fsyncs every Options.Interval (see
// SyncInterval for what a crash can lose). A record is never dropped
// without an error to its caller. A segment is closed when it reaches
// Options.MaxSegmentBytes or its first record is Options.MaxSegmentAge
// old; it is fsynced before the next one is created, and the directory
// after.
//
// # Crashes
//
// A crash can leave the last record of the last segment cut short. Open
// finds such bytes, keeps them as they are (ended by a newline), and writes
// a gap record first that names their segment, offset, length and SHA-256,
// so the chain continues from the last whole record, Verify passes, and the
// gap is visible in its summary. Nothing is ever overwritten or truncated.
// A last segment broken in any other way (a changed or missing record,
// whole lines that are not records) is not what a crash leaves: Open
// refuses it, naming the place, as Verify would.
//
// # Checking
//
// Verify reads the whole trail and reports the first break, a
// *VerifyError naming the segment file, byte offset and line: a changed
// byte (ErrHash or ErrMalformed), a deleted or moved record (ErrSequence,
// ErrChain), a cut record (ErrTruncated), a missing or renumbered segment
// (ErrMissingSegment). Records removed from the very end of a trail leave a
// shorter valid chain: Summary.Head is the value to anchor elsewhere to
// show that too. Both work on a trail a sink has open, leaving out the
// record being written at its end. Export streams the decisions as JSON
// lines or CSV, checking them as Verify does.
package audit
