package sample

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// ChunkRows is the number of rows generated from one random stream. Chunk k
// holds rows [k*ChunkRows, (k+1)*ChunkRows) and draws from a PCG seeded from
// (Config.Seed, k). It is part of the output's definition: changing it
// changes every file.
const ChunkRows = 1024

// MonthLayout is the time layout of Lending Club month columns (issue_d,
// earliest_cr_line, last_pymnt_d, …), e.g. "Dec-2011".
const MonthLayout = "Jan-2006"

// Default issue window in MonthLayout, used when Config.Start or Config.End
// is zero.
const (
	DefaultStart = "Jan-2012"
	DefaultEnd   = "Dec-2016"
)

// Limits on the issue window. Dates are written as "Jan-2006", so years
// must have four digits, and earliest_cr_line reaches decades before Start.
const (
	MinYear = 1970
	MaxYear = 9000
)

// NotesLine is the first line of a file written with Config.Notes, as in
// Lending Club's own downloads.
const NotesLine = "Notes offered by Prospectus (https://www.lendingclub.com/info/prospectus.action)"

// Sentinel errors. A *ConfigError wraps ErrInvalidConfig.
var (
	// ErrInvalidConfig reports a Config field with an unusable value.
	ErrInvalidConfig = errors.New("sample: invalid config")
)

// ConfigError reports which Config field is invalid, its value and why.
// errors.Is(err, ErrInvalidConfig) holds for every ConfigError.
type ConfigError struct {
	Field string // Config field name, e.g. "Rows"
	Value any    // the rejected value
	Err   error  // what is wrong with it
}

// Error implements error.
func (e *ConfigError) Error() string {
	return fmt.Sprintf("sample: invalid config: %s = %v: %v", e.Field, e.Value, e.Err)
}

// Unwrap returns ErrInvalidConfig and the cause.
func (e *ConfigError) Unwrap() []error { return []error{ErrInvalidConfig, e.Err} }

// Config says what file Write produces. Only Workers may change without
// changing the output bytes.
type Config struct {
	// Rows is the number of loan rows after the header. It must be at
	// least 1; there is no default.
	Rows int
	// Seed selects the random streams. Zero is a valid seed; equal seeds
	// and equal other fields give byte-identical files.
	Seed uint64
	// Start is the first issue month (issue_d); only its year and month
	// are used. The zero Time means DefaultStart (Jan-2012).
	Start time.Time
	// End is the last issue month, inclusive; only its year and month are
	// used. The zero Time means DefaultEnd (Dec-2016). End must not be
	// before Start, and both years must lie in [MinYear, MaxYear]. Issue
	// volume grows over the window: the last month has five times the
	// loans of the first.
	End time.Time
	// Notes, when true, writes NotesLine before the header and, after the
	// last row, the two totals lines of LC downloads:
	// "Total amount funded in policy code 1: N" (N = the sum of
	// funded_amnt) and "Total amount funded in policy code 2: 0". The
	// default false writes the header and rows only.
	Notes bool
	// Workers is the number of goroutines that generate rows. Zero means
	// runtime.GOMAXPROCS(0); negative is an error. It changes only speed.
	Workers int
}

// resolved is a validated Config with defaults filled in.
type resolved struct {
	rows    int
	seed    uint64
	start   month
	end     month
	notes   bool
	workers int
}

// resolve validates cfg and fills in its defaults.
func (cfg Config) resolve() (resolved, error) {
	res := resolved{rows: cfg.Rows, seed: cfg.Seed, notes: cfg.Notes, workers: cfg.Workers}
	if cfg.Rows < 1 {
		return res, &ConfigError{Field: "Rows", Value: cfg.Rows, Err: errors.New("must be at least 1")}
	}
	if cfg.Workers < 0 {
		return res, &ConfigError{Field: "Workers", Value: cfg.Workers, Err: errors.New("must be 0 (GOMAXPROCS) or positive")}
	}
	if res.workers == 0 {
		res.workers = runtime.GOMAXPROCS(0)
	}
	start, end := cfg.Start, cfg.End
	if start.IsZero() {
		start, _ = time.Parse(MonthLayout, DefaultStart)
	}
	if end.IsZero() {
		end, _ = time.Parse(MonthLayout, DefaultEnd)
	}
	for _, f := range []struct {
		name string
		t    time.Time
	}{{"Start", start}, {"End", end}} {
		if y := f.t.Year(); y < MinYear || y > MaxYear {
			return res, &ConfigError{Field: f.name, Value: f.t.Format(MonthLayout),
				Err: fmt.Errorf("year must be in [%d, %d]", MinYear, MaxYear)}
		}
	}
	res.start, res.end = monthOf(start), monthOf(end)
	if res.end < res.start {
		return res, &ConfigError{Field: "End", Value: end.Format(MonthLayout),
			Err: fmt.Errorf("must not be before Start %s", start.Format(MonthLayout))}
	}
	return res, nil
}

// chunk is one generated block of rows, in file order.
type chunk struct {
	buf    []byte
	funded int64 // sum of funded_amnt in cents
}

// Write writes a synthetic Lending Club loan file for cfg to w: optionally
// the notes line, the header, cfg.Rows rows in issue-date order, and
// optionally the totals lines. Fields are comma-separated, quoted only when
// they contain a comma or a double quote (RFC 4180), and lines end in "\n".
// No field contains a line break, so every row is one line.
//
// Write returns a *ConfigError for a bad cfg before writing anything, the
// first error from w, or ctx's error if ctx is cancelled; in the last two
// cases the output is truncated.
func Write(ctx context.Context, w io.Writer, cfg Config) error {
	res, err := cfg.resolve()
	if err != nil {
		return err
	}
	g := newGenerator(res)
	bw := bufio.NewWriterSize(w, 1<<16)
	if res.notes {
		bw.WriteString(NotesLine)
		bw.WriteByte('\n')
	}
	for i, name := range columns {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString(name)
	}
	bw.WriteByte('\n')

	funded, err := g.run(ctx, bw)
	if err != nil {
		return err
	}
	if res.notes {
		b := make([]byte, 0, 128)
		b = append(b, "Total amount funded in policy code 1: "...)
		b = strconv.AppendInt(b, funded/100, 10)
		b = append(b, "\nTotal amount funded in policy code 2: 0\n"...)
		bw.Write(b)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("sample: write: %w", err)
	}
	return nil
}

// maxBatchChunks is the largest number of chunks a worker generates into
// one buffer before handing it to the writer. Batches keep goroutine
// hand-offs rare, which matters on a busy machine where every wake-up
// waits for a CPU; they do not change the output.
const maxBatchChunks = 8

// run generates all chunks on g.cfg.workers goroutines and writes them to
// bw in order. It returns the total funded amount in cents.
//
// Workers claim batches of consecutive chunks in order. A worker first
// takes a token (which carries a reusable buffer), then claims the next
// batch, so every claimed batch holds a token and the writer, which
// returns a token after writing each batch, never waits on a batch that
// cannot start. The number of tokens bounds the memory in use.
func (g *generator) run(ctx context.Context, bw *bufio.Writer) (int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	nChunks := (g.cfg.rows + ChunkRows - 1) / ChunkRows
	workers := min(g.cfg.workers, nChunks)
	per := min(max(nChunks/(4*workers), 1), maxBatchChunks)
	nBatches := (nChunks + per - 1) / per
	tokens := make(chan []byte, workers+2)
	for range cap(tokens) {
		tokens <- nil
	}
	// Batch i's result goes to slots[i%len(slots)]: at most cap(tokens)
	// batches are claimed and not yet written, so no two share a slot.
	slots := make([]chan chunk, cap(tokens))
	for i := range slots {
		slots[i] = make(chan chunk, 1)
	}
	var next atomic.Int64

	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			w := newWorker(g)
			for {
				var buf []byte
				select {
				case buf = <-tokens:
				case <-ctx.Done():
					return
				}
				i := int(next.Add(1) - 1)
				if i >= nBatches {
					return
				}
				c := chunk{buf: buf[:0]}
				for k := i * per; k < min((i+1)*per, nChunks); k++ {
					if ctx.Err() != nil {
						break
					}
					c = w.chunk(c, k)
				}
				slots[i%len(slots)] <- c
			}
		})
	}

	var funded int64
	var err error
	for i := range nBatches {
		var c chunk
		select {
		case c = <-slots[i%len(slots)]:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			err = fmt.Errorf("sample: %w", context.Cause(ctx))
			break
		}
		funded += c.funded
		if _, werr := bw.Write(c.buf); werr != nil {
			err = fmt.Errorf("sample: write: %w", werr)
			break
		}
		tokens <- c.buf
	}
	cancel()
	wg.Wait()
	return funded, err
}

// worker holds one goroutine's scratch state.
type worker struct {
	g   *generator
	l   loan
	rng *rand.Rand
	pcg *rand.PCG
}

func newWorker(g *generator) *worker {
	pcg := rand.NewPCG(0, 0)
	return &worker{g: g, pcg: pcg, rng: rand.New(pcg)}
}

// chunk appends chunk index to c.
func (w *worker) chunk(c chunk, index int) chunk {
	w.pcg.Seed(streamSeeds(w.g.cfg.seed, uint64(index)))
	first := index * ChunkRows
	last := min(first+ChunkRows, w.g.cfg.rows)
	if c.buf == nil {
		// Rows average about 500 bytes.
		c.buf = make([]byte, 0, min(w.g.cfg.rows-first, maxBatchChunks*ChunkRows)*560)
	}
	m := w.g.monthOfRow(first)
	for row := first; row < last; row++ {
		for m < w.g.cfg.end && w.g.rowEnd[m-w.g.cfg.start] <= row {
			m++
		}
		w.g.fill(w, row, m)
		c.funded += w.l.funded
		c.buf = w.g.appendRecord(c.buf, &w.l)
	}
	return c
}

// streamSeeds derives the two PCG seed words of one chunk from the file
// seed and the chunk index with SplitMix64 finalisers, so that nearby
// seeds and indexes give unrelated streams.
func streamSeeds(seed, index uint64) (uint64, uint64) {
	a := splitmix(seed ^ 0x6c62272e07bb0142)
	b := splitmix(a ^ splitmix(index+0x9e3779b97f4a7c15))
	return a, b
}

// splitmix is the SplitMix64 output function.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
