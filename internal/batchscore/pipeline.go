package batchscore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/model"
)

// defaultChunkSize is about how many bytes of input a worker takes at a
// time.
const defaultChunkSize = 1 << 20

// maxHeaderRecords is how many records dataset.NewReader looks at for the
// header: ten notes lines and the header.
const maxHeaderRecords = 11

// errChanged means the input changed between the two passes of a sharded
// run.
var errChanged = errors.New("the input changed while it was scored")

// scorer is one run of File: a reader goroutine cuts the input into
// chunks of whole records, workers parse and score them, and the caller's
// goroutine writes their output in input order.
type scorer struct {
	m       *model.Model
	version string
	opts    Options
	spec    *dataset.Spec
	srcs    []dataset.Source
	total   int64 // input bytes, 0 when unknown
	chunk   int   // bytes of input a job holds, about

	// bases[i] is the number of data rows before chunk i and counts[i]
	// the number in it, from the first pass of a sharded run; lo and hi
	// bound the rows scored.
	bases  []int
	counts []int
	lo, hi int

	sum Summary
}

// source is what the workers need to know of one input file.
type source struct {
	name  string
	width int    // fields in the header
	index []int  // per pipeline input, its column; -1 when absent
	id    int    // the id column, -1 when absent
	need  []bool // per column, whether scoring reads it
}

// job is one chunk of whole records of one source.
type job struct {
	seq  int
	src  *source
	data []byte
	lead int // bytes read before data (the notes and header lines)
	line int // the line of data[0]
	res  chan result
}

// result is what a worker made of a job.
type result struct {
	out          []byte
	rows, scored int
	nData        int  // records as wide as the header: data rows
	hasID        bool // out has the id column
	// err is the first error of the chunk read on its own; firstShort
	// the error of its first short record (a summary line when only short
	// ones follow, to the end of the file); firstOther its first record
	// that is not short: the error it makes (nil for a data row); other
	// says there is one; pending says the chunk ends with short records.
	err, firstShort, firstOther error
	other, pending              bool
}

// inputSize returns the bytes of the sources when all are plain files,
// else 0.
func inputSize(srcs []dataset.Source) int64 {
	var n int64
	for _, s := range srcs {
		if strings.HasSuffix(s.Name, ".gz") || strings.Contains(s.Name, ".zip:") {
			return 0
		}
		fi, err := os.Stat(s.Name)
		if err != nil {
			return 0
		}
		n += fi.Size()
	}
	return n
}

// run makes one pass over the input. With w nil it only checks and
// counts, and returns the data rows of each chunk; otherwise it scores
// rows [s.lo, s.hi) into w.
func (s *scorer) run(ctx context.Context, w io.Writer) ([]int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := max(1, s.opts.Workers)
	jobs := make(chan *job, workers)
	order := make(chan *job, 2*workers+2)
	free := make(chan []byte, 3*workers+4) // chunk buffers to reuse
	outs := make(chan []byte, 3*workers+4) // output buffers to reuse
	if s.opts.Progress != nil {
		step, rows := "counting rows", int64(0)
		if w != nil {
			step = "scoring"
			if s.opts.Shards != 0 {
				rows = int64(s.hi - s.lo)
			}
		}
		s.opts.Progress.Start(step, s.total, rows)
	}

	var readErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(jobs)
		defer close(order)
		readErr = s.read(ctx, jobs, order, free)
	})
	for range workers {
		wg.Go(func() {
			ws := s.newWorkspace()
			for j := range jobs {
				var buf []byte
				select {
				case buf = <-outs:
				default:
				}
				j.res <- ws.do(j, buf[:0], w == nil, s.opts.IDColumn != "" && j.src.id >= 0)
			}
		})
	}

	var (
		counts  []int
		err     error
		pending error // a short record waiting for what follows
		src     *source
		outID   = -1 // -1 until the first data row; then 1 with an id column
		ws      *workspace
	)
	for j := range order {
		r := <-j.res
		if err == nil {
			err = ctx.Err()
		}
		if err == nil {
			if j.src != src {
				src, pending = j.src, nil
			}
			err = s.merge(r, &pending)
		}
		if err == nil && w != nil && r.nData > 0 {
			if s.bases != nil && (j.seq >= len(s.bases) || (j.seq+1 < len(s.bases) && s.bases[j.seq+1]-s.bases[j.seq] != r.nData)) {
				err = errChanged
			}
			if err == nil && outID < 0 {
				outID = 0
				head := Header(s.m.Scorecard != nil)
				if r.hasID {
					outID = 1
					head = append([]string{s.opts.IDColumn}, head...)
				}
				_, err = w.Write(appendRecord(nil, head...))
			}
			if err == nil && r.hasID != (outID == 1) {
				// A file whose id column differs from the first one's:
				// score it again with the output's columns.
				if ws == nil {
					ws = s.newWorkspace()
				}
				r = ws.do(j, r.out[:0], false, outID == 1)
			}
			if err == nil && len(r.out) > 0 {
				_, err = w.Write(r.out)
			}
		}
		if err == nil {
			s.sum.Rows += r.rows
			s.sum.Scored += r.scored
			counts = append(counts, r.nData)
			if s.opts.Progress != nil {
				done := r.rows
				if w == nil {
					done = r.nData
				}
				s.opts.Progress.Done(int64(j.lead+len(j.data)), int64(done))
			}
		}
		if err != nil {
			cancel()
		}
		select {
		case free <- j.data:
		default:
		}
		select {
		case outs <- r.out:
		default:
		}
	}
	wg.Wait()
	if err == nil {
		err = readErr
	}
	if err == nil && s.bases != nil && w != nil && len(counts) != len(s.bases) {
		err = errChanged
	}
	return counts, err
}

// merge applies the rules of dataset.Reader across chunks: a short
// record (at most two fields, fewer than the header) is a summary line
// when only short records follow it to the end of its file, and an error
// otherwise; any other record that is not as wide as the header is an
// error.
func (s *scorer) merge(r result, pending *error) error {
	if *pending != nil {
		switch {
		case r.other && r.firstOther == nil:
			return *pending
		case r.other:
			return r.firstOther
		}
		return nil // short records only: still pending
	}
	if r.err != nil {
		return r.err
	}
	if r.pending {
		*pending = r.firstShort
	}
	return nil
}

// read cuts every source into jobs of whole records and sends each to
// jobs and, in order, to order.
func (s *scorer) read(ctx context.Context, jobs, order chan<- *job, free chan []byte) error {
	seq := 0
	for _, src := range s.srcs {
		if err := s.readSource(ctx, src, &seq, jobs, order, free); err != nil {
			return err
		}
	}
	return nil
}

func (s *scorer) readSource(ctx context.Context, src dataset.Source, seq *int, jobs, order chan<- *job, free chan []byte) error {
	chunkSize := s.chunk
	rc, err := src.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	var buf []byte
	eof := false
	// fill reads until buf holds at least n bytes or the input ends.
	fill := func(n int) error {
		for len(buf) < n && !eof {
			if cap(buf)-len(buf) < max(chunkSize/4, 4096) {
				buf = slices.Grow(buf, max(chunkSize, len(buf)))
			}
			k, err := rc.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+k]
			if err == io.EOF {
				eof = true
			} else if err != nil {
				return &dataset.ParseError{Path: src.Name, Err: err}
			}
		}
		return nil
	}
	buf = make([]byte, 0, chunkSize+chunkSize/2)
	if err := fill(1); err != nil {
		return err
	}
	if len(buf) == 0 {
		return &dataset.ParseError{Path: src.Name, Err: fmt.Errorf("%w: the file is empty", dataset.ErrNoData)}
	}
	sc, start, line, err := s.header(src.Name, &buf, fill, &eof)
	if err != nil {
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		// The cut depends on the bytes only, not on how reads returned
		// them, so that both passes of a sharded run cut alike: the last
		// record end in the first chunkSize bytes, or in twice as many
		// when there is none.
		cut := -1
		for win := chunkSize; cut < 0; win *= 2 {
			if err := fill(start + win + 1); err != nil {
				return err
			}
			if eof && len(buf)-start <= win {
				cut = len(buf)
			} else if e := recordEnd(buf[start : start+win]); e >= 0 {
				cut = start + e
			}
		}
		if cut == start {
			return nil
		}
		next := getBuf(free, chunkSize)
		next = append(next, buf[cut:]...)
		j := &job{seq: *seq, src: sc, data: buf[start:cut], lead: start, line: line, res: make(chan result, 1)}
		*seq++
		line += bytes.Count(j.data, []byte{'\n'})
		// A job goes to the workers before the writer waits for it.
		select {
		case jobs <- j:
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case order <- j:
		case <-ctx.Done():
			return ctx.Err()
		}
		buf, start = next, 0
	}
}

func getBuf(free chan []byte, chunkSize int) []byte {
	select {
	case b := <-free:
		return b[:0]
	default:
		return make([]byte, 0, chunkSize+chunkSize/2)
	}
}

// header finds the header of a source as dataset.NewReader does, from
// the first records of buf, and returns the source, where its data starts
// in buf and the line it starts on.
func (s *scorer) header(name string, buf *[]byte, fill func(int) error, eof *bool) (*source, int, int, error) {
	chunkSize := s.chunk
	var sp splitter
	// Read until buf holds the first maxHeaderRecords records whole.
	var ends []int // where each record ends
	for {
		ends = ends[:0]
		str := string(*buf)
		limit := len(str)
		if !*eof {
			if limit = recordEnd(*buf); limit < 0 {
				limit = 0
			}
		}
		for pos := 0; len(ends) < maxHeaderRecords; {
			_, _, end, _, _, ok := sp.next(str[:limit], pos)
			if !ok {
				break
			}
			ends = append(ends, end)
			pos = end
		}
		if len(ends) == maxHeaderRecords || *eof {
			break
		}
		if err := fill(len(*buf) + chunkSize); err != nil {
			return nil, 0, 0, err
		}
	}
	if len(ends) == 0 {
		// Blank lines only (dataset.NewReader would panic on them).
		return nil, 0, 0, &dataset.ParseError{Path: name, Err: fmt.Errorf("%w: no header line with column %q", dataset.ErrNoData, s.spec.Target.Column)}
	}
	pre := (*buf)[:ends[len(ends)-1]]
	rd, err := dataset.NewReader(bytes.NewReader(pre), name, s.spec.Format, s.spec.Target.Column)
	if err != nil {
		return nil, 0, 0, err
	}
	if err := s.spec.CheckHeader(name, rd.Header()); err != nil {
		return nil, 0, 0, err
	}
	// The data starts after the record on the header's line.
	str := string(pre)
	line, start := 1, 0
	for pos := 0; ; {
		_, _, end, before, in, ok := sp.next(str, pos)
		if !ok {
			return nil, 0, 0, fmt.Errorf("%s: header line %d not found", name, rd.Line())
		}
		recLine := line + before
		line = recLine + in
		if recLine == rd.Line() {
			start = end
			break
		}
		pos = end
	}
	header := rd.Header()
	src := &source{name: name, width: len(header), index: s.m.Pipeline.HeaderIndex(header), id: -1}
	if s.opts.IDColumn != "" {
		src.id = slices.Index(header, s.opts.IDColumn)
	}
	// Columns past the last needed one are only counted.
	last := src.id
	for _, c := range src.index {
		last = max(last, c)
	}
	src.need = make([]bool, last+1)
	for _, c := range append([]int{src.id}, src.index...) {
		if c >= 0 {
			src.need[c] = true
		}
	}
	return src, start, line, nil
}

// workspace is one worker's scratch.
type workspace struct {
	s       *scorer
	sp      splitter
	src     *source // the source sp.need is set for
	raw     []features.Raw
	row     *features.Row
	x, phi  []float64
	dirs    []features.Direction
	adverse model.AdverseScratch
	reasons []model.AdverseReason
	codes   []string
	fields  []string
	errLine []byte
}

func (s *scorer) newWorkspace() *workspace {
	p := s.m.Pipeline
	return &workspace{
		s:    s,
		raw:  make([]features.Raw, len(p.Inputs)),
		row:  p.NewRow(),
		x:    make([]float64, p.NumFeatures()),
		phi:  make([]float64, p.NumFeatures()),
		dirs: make([]features.Direction, len(p.Inputs)),
	}
}

// do reads the records of a job and, unless count is set, scores its
// data rows in the shard's range into out. withID writes the id column,
// empty for a source without one.
func (ws *workspace) do(j *job, out []byte, count, withID bool) result {
	s := ws.s
	r := result{out: out, hasID: withID}
	base := 0
	if s.bases != nil && j.seq < len(s.bases) {
		base = s.bases[j.seq]
		if n := s.counts[j.seq]; !count && (base+n <= s.lo || base >= s.hi) {
			// Another shard's rows only, which the first pass read
			// without error: nothing to do.
			r.nData, r.other = n, n > 0
			return r
		}
	}
	str := string(j.data)
	line := j.line
	if count {
		if ws.sp.need == nil {
			ws.sp.setNeed([]bool{}) // no column: the fields are only counted
		}
	} else if ws.src != j.src {
		ws.src = j.src
		ws.sp.setNeed(j.src.need)
	}
	for pos := 0; ; {
		rec, n, end, before, in, ok := ws.sp.next(str, pos)
		if !ok {
			break
		}
		recLine := line + before
		line = recLine + in
		pos = end
		if n != j.src.width {
			e := &dataset.ParseError{Path: j.src.name, Line: recLine, Err: fmt.Errorf("%w: %d fields; the header has %d", dataset.ErrFieldCount, n, j.src.width)}
			if n < j.src.width && n <= 2 {
				if r.firstShort == nil {
					r.firstShort = e
				}
				r.pending = true
				continue
			}
			if !r.other {
				r.other, r.firstOther = true, e
			}
			r.err = e
			break
		}
		if !r.other {
			r.other = true
		}
		if r.pending {
			r.err = r.firstShort
			break
		}
		at := base + r.nData
		r.nData++
		if count || at < s.lo || at >= s.hi {
			continue
		}
		r.rows++
		id := ""
		if j.src.id >= 0 {
			id = rec[j.src.id]
		}
		if ws.score(&r, rec, j.src.index, withID, id) {
			r.scored++
		}
	}
	return r
}

// score appends the output line of one data row to r.out and reports
// whether it got a PD.
func (ws *workspace) score(r *result, rec []string, index []int, withID bool, id string) bool {
	s := ws.s
	m, p := s.m, s.m.Pipeline
	out := r.out
	if withID {
		out = appendField(out, id)
		out = append(out, ',')
	}
	p.RawFromStrings(index, rec, ws.raw)
	if errs := p.Transform(ws.raw, ws.row, ws.x); len(errs) > 0 {
		out = append(out, ',')
		if m.Scorecard != nil {
			out = append(out, ',')
		}
		out = append(out, ',', ',')
		out = appendField(out, s.version)
		out = append(out, ',', ',', ',')
		ws.errLine = ws.errLine[:0]
		for i, e := range errs {
			if i > 0 {
				ws.errLine = append(ws.errLine, "; "...)
			}
			ws.errLine = append(ws.errLine, e.Error()...)
		}
		out = appendField(out, string(ws.errLine))
		r.out = append(out, '\n')
		return false
	}
	pd := m.PD(ws.x)
	pred := m.Decide(pd)
	out = strconv.AppendFloat(out, pd, 'g', -1, 64)
	out = append(out, ',')
	if score, ok := m.Score(ws.x); ok {
		out = strconv.AppendInt(out, int64(score), 10)
		out = append(out, ',')
	}
	out = strconv.AppendInt(out, int64(pred), 10)
	out = append(out, ',')
	out = append(out, Decision(pred)...)
	out = append(out, ',')
	out = appendField(out, s.version)
	out = append(out, ',')
	if pred == 1 {
		p.Directions(ws.row, ws.dirs)
		ws.reasons = m.AdverseActionTo(ws.reasons[:0], &ws.adverse, ws.phi, ws.x, ws.dirs, s.opts.Reasons)
		ws.codes, ws.fields = ws.codes[:0], ws.fields[:0]
		for _, rs := range ws.reasons {
			ws.codes, ws.fields = append(ws.codes, rs.Code), append(ws.fields, rs.Field)
		}
		out = appendJoined(out, ws.codes)
		out = append(out, ',')
		out = appendJoined(out, ws.fields)
	} else {
		out = append(out, ',')
	}
	r.out = append(out, ",\n"...)
	return true
}

// appendJoined appends the field strings.Join(parts, ReasonSep) makes.
func appendJoined(dst []byte, parts []string) []byte {
	k := len(dst)
	for i, s := range parts {
		if i > 0 {
			dst = append(dst, ReasonSep...)
		}
		dst = append(dst, s...)
	}
	if fieldNeedsQuotes(string(dst[k:])) {
		return appendField(dst[:k], string(dst[k:]))
	}
	return dst
}
