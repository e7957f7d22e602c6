package dataset

import (
	"archive/zip"
	"bufio"
	"compress/gzip"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Sentinel errors of the reader.
var (
	// ErrNoData means a file had no header or no data rows.
	ErrNoData = errors.New("no data")
	// ErrFieldCount means a data row had a different number of fields than
	// the header.
	ErrFieldCount = errors.New("wrong number of fields")
)

// ParseError is an error at a place in a raw file: the file, the 1-based
// line, and the column when one is known.
type ParseError struct {
	Path   string
	Line   int
	Column string // column name, "" when the error is about the whole line
	Field  int    // 1-based field number, 0 when unknown
	Err    error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ": column %q", e.Column)
		if e.Field > 0 {
			fmt.Fprintf(&b, " (field %d)", e.Field)
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// Reader streams records from one raw file. Create it with NewReader; call
// Read until it returns io.EOF. The record slice is reused between calls.
type Reader struct {
	path   string
	header []string
	next   func() ([]string, int, error) // record, line, error

	// pending holds a short line seen after data rows: a summary line when
	// nothing but other short lines follows, an error otherwise.
	pending     []string
	pendingLine int
	pendingErr  error

	line            int
	skippedLeading  int
	skippedTrailing int
}

// NewReader reads the header of a raw file. name is used in errors. When
// format.Columns is set, the file has no header and those names are used.
// Otherwise lines before the first one that contains the want column are
// skipped (as notes lines) and counted.
func NewReader(r io.Reader, name string, format Format, want string) (*Reader, error) {
	rd := &Reader{path: name}
	if format.Delimiter == "whitespace" {
		rd.next = whitespaceReader(r)
	} else {
		cr := csv.NewReader(r)
		cr.Comma = rune(format.Delimiter[0])
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = true
		cr.LazyQuotes = true
		rd.next = func() ([]string, int, error) {
			rec, err := cr.Read()
			line, _ := cr.FieldPos(0)
			return rec, line, err
		}
	}
	if len(format.Columns) > 0 {
		rd.header = slices.Clone(format.Columns)
		return rd, nil
	}
	for {
		rec, line, err := rd.next()
		if err == io.EOF {
			return nil, &ParseError{Path: name, Err: fmt.Errorf("%w: no header line with column %q", ErrNoData, want)}
		}
		if err != nil {
			return nil, &ParseError{Path: name, Line: line, Err: err}
		}
		if len(rec) > 0 {
			rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
		}
		if slices.Contains(rec, want) {
			rd.header = make([]string, len(rec))
			for i, h := range rec {
				rd.header[i] = strings.TrimSpace(h)
			}
			rd.line = line
			if dup := firstDuplicate(rd.header); dup != "" {
				return nil, &ParseError{Path: name, Line: line, Err: fmt.Errorf("column %q appears twice in the header", dup)}
			}
			return rd, nil
		}
		rd.skippedLeading++
		if rd.skippedLeading > 10 {
			return nil, &ParseError{Path: name, Line: line, Err: fmt.Errorf("%w: no header with column %q in the first 10 lines (wrong column name or delimiter?)", ErrNoData, want)}
		}
	}
}

// firstDuplicate returns a name that appears twice, empty names (unnamed
// columns, see IsUnnamed) aside, or "".
func firstDuplicate(names []string) string {
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if n == "" {
			continue
		}
		if seen[n] {
			return n
		}
		seen[n] = true
	}
	return ""
}

// whitespaceReader splits lines on runs of blanks; blank lines are skipped.
func whitespaceReader(r io.Reader) func() ([]string, int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	line := 0
	var rec []string
	return func() ([]string, int, error) {
		for sc.Scan() {
			line++
			rec = rec[:0]
			for f := range strings.FieldsSeq(sc.Text()) {
				rec = append(rec, f)
			}
			if len(rec) > 0 {
				return rec, line, nil
			}
		}
		if err := sc.Err(); err != nil {
			return nil, line, err
		}
		return nil, line, io.EOF
	}
}

// Path returns the file name given to NewReader.
func (r *Reader) Path() string { return r.path }

// Header returns the column names.
func (r *Reader) Header() []string { return r.header }

// Line returns the line of the record last returned by Read.
func (r *Reader) Line() int { return r.line }

// Skipped returns how many notes lines before the header and summary lines
// after the data were skipped.
func (r *Reader) Skipped() (leading, trailing int) { return r.skippedLeading, r.skippedTrailing }

// Read returns the next data record. The slice is reused by the next call.
// A line with fewer fields than the header is taken for a summary line when
// only such lines follow it; in the middle of the data it is an error.
func (r *Reader) Read() ([]string, error) {
	for {
		rec, line, err := r.next()
		if err == io.EOF {
			if r.pending != nil {
				r.skippedTrailing++
				r.pending = nil
			}
			return nil, io.EOF
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &ParseError{Path: r.path, Line: pe.Line, Err: pe.Err}
			}
			return nil, &ParseError{Path: r.path, Line: line, Err: err}
		}
		if len(rec) == len(r.header) {
			if r.pending != nil {
				return nil, r.pendingErr
			}
			r.line = line
			return rec, nil
		}
		if len(rec) < len(r.header) && len(rec) <= 2 {
			// Possibly a summary line: decide when we see what follows.
			if r.pending != nil {
				r.skippedTrailing++
			} else {
				r.pendingErr = &ParseError{Path: r.path, Line: line, Err: fmt.Errorf("%w: %d fields; the header has %d", ErrFieldCount, len(rec), len(r.header))}
			}
			r.pending = rec
			r.pendingLine = line
			continue
		}
		return nil, &ParseError{Path: r.path, Line: line, Err: fmt.Errorf("%w: %d fields; the header has %d", ErrFieldCount, len(rec), len(r.header))}
	}
}

// Source is one raw input: a file, or one CSV member of a zip archive.
type Source struct {
	// Name is the file path, or "archive.zip:member.csv".
	Name string
	open func() (io.ReadCloser, error)
}

// Open opens the source for reading, decompressing gzip transparently.
func (s Source) Open() (io.ReadCloser, error) { return s.open() }

// DefaultFiles are the raw file patterns read when a spec names none.
var DefaultFiles = []string{"*.csv", "*.csv.gz", "*.zip"}

// RawDirError says why a raw data folder gave no input: the folder does not
// exist, or no file in it matches the patterns. It wraps os.ErrNotExist.
// Every command that reads the raw data reports a missing or empty folder
// with it, so they all say the same thing.
type RawDirError struct {
	// Dir is the folder as given.
	Dir string
	// Missing is true when the folder does not exist.
	Missing bool
	// Patterns are the file patterns looked for.
	Patterns []string
	// Others names the files present that match no pattern.
	Others []string
}

// maxOthers bounds how many unmatched file names an error lists.
const maxOthers = 5

func (e *RawDirError) Error() string {
	dir := e.Dir
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	want := "files matching " + strings.Join(e.Patterns, ", ")
	if slices.Equal(e.Patterns, DefaultFiles) {
		want = "files of type csv, csv.gz or zip"
	}
	if e.Missing {
		// "No such file or directory" is the documented contract of the
		// train image.
		return fmt.Sprintf("No such file or directory: raw data folder %s: create it (mkdir -p %s) and put the lender's loan export in it (%s), or run `credit-risk sample-data` to write a synthetic file; with the train image, mount the data folder: -v \"$(pwd)/data:/app/data\"", dir, dir, want)
	}
	var what string
	if len(e.Others) == 0 {
		what = fmt.Sprintf("raw data folder %s is empty", dir)
	} else {
		others := e.Others
		more := ""
		if len(others) > maxOthers {
			more = fmt.Sprintf(" and %d more", len(others)-maxOthers)
			others = others[:maxOthers]
		}
		what = fmt.Sprintf("raw data folder %s has no input file (it holds %s%s)", dir, strings.Join(others, ", "), more)
	}
	return fmt.Sprintf("%s: it reads %s; add the lender's loan export there, or run `credit-risk sample-data` to write a synthetic file", what, want)
}

// Unwrap makes errors.Is(err, os.ErrNotExist) hold.
func (e *RawDirError) Unwrap() error { return os.ErrNotExist }

// FindSources lists the raw inputs under dir matching the spec's Files
// patterns (default DefaultFiles), sorted by name. It is a *RawDirError
// when dir does not exist or holds no input.
func FindSources(dir string, patterns []string) ([]Source, error) {
	if len(patterns) == 0 {
		patterns = DefaultFiles
	}
	info, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &RawDirError{Dir: dir, Missing: true, Patterns: patterns}
		}
		return nil, fmt.Errorf("raw data folder: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("raw data folder %s is a file, not a folder", dir)
	}
	var files []string
	for _, p := range patterns {
		m, err := filepath.Glob(filepath.Join(dir, p))
		if err != nil {
			return nil, fmt.Errorf("files pattern %q: %w", p, err)
		}
		files = append(files, m...)
	}
	slices.Sort(files)
	files = slices.Compact(files)
	var out []Source
	for _, f := range files {
		switch {
		case strings.HasSuffix(f, ".zip"):
			members, err := zipMembers(f)
			if err != nil {
				return nil, err
			}
			out = append(out, members...)
		case strings.HasSuffix(f, ".gz"):
			out = append(out, Source{Name: f, open: func() (io.ReadCloser, error) { return openGzip(f) }})
		default:
			out = append(out, Source{Name: f, open: func() (io.ReadCloser, error) { return os.Open(f) }})
		}
	}
	if len(out) == 0 {
		e := &RawDirError{Dir: dir, Patterns: patterns}
		ents, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("raw data folder: %w", err)
		}
		for _, ent := range ents {
			if !strings.HasPrefix(ent.Name(), ".") {
				e.Others = append(e.Others, ent.Name())
			}
		}
		return nil, e
	}
	return out, nil
}

type gzipFile struct {
	*gzip.Reader
	f *os.File
}

func (g gzipFile) Close() error {
	err := g.Reader.Close()
	if cerr := g.f.Close(); err == nil {
		err = cerr
	}
	return err
}

func openGzip(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return gzipFile{zr, f}, nil
}

func zipMembers(path string) ([]Source, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer zr.Close()
	var out []Source
	for _, m := range zr.File {
		name := m.Name
		if m.FileInfo().IsDir() || !strings.HasSuffix(strings.ToLower(name), ".csv") || strings.HasPrefix(filepath.Base(name), ".") {
			continue
		}
		out = append(out, Source{Name: path + ":" + name, open: func() (io.ReadCloser, error) { return openZipMember(path, name) }})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: %w: no .csv file inside", path, ErrNoData)
	}
	return out, nil
}

type zipMember struct {
	io.ReadCloser
	zr *zip.ReadCloser
}

func (z zipMember) Close() error {
	err := z.ReadCloser.Close()
	if cerr := z.zr.Close(); err == nil {
		err = cerr
	}
	return err
}

func openZipMember(path, name string) (io.ReadCloser, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	f, err := zr.Open(name)
	if err != nil {
		zr.Close()
		return nil, err
	}
	return zipMember{f, zr}, nil
}

// ForEach streams every record of every source through fn, which gets the
// reader (for its header, path and line) and the record. It stops at the
// first error and honours ctx between files and every 4096 records.
func ForEach(ctx context.Context, sources []Source, spec *Spec, fn func(r *Reader, rec []string) error) error {
	for _, src := range sources {
		if err := forEachIn(ctx, src, spec, fn); err != nil {
			return err
		}
	}
	return nil
}

func forEachIn(ctx context.Context, src Source, spec *Spec, fn func(r *Reader, rec []string) error) error {
	rc, err := src.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 1<<20)
	if head, _ := br.Peek(1); len(head) == 0 {
		return &ParseError{Path: src.Name, Err: fmt.Errorf("%w: the file is empty", ErrNoData)}
	}
	r, err := NewReader(br, src.Name, spec.Format, spec.Target.Column)
	if err != nil {
		return err
	}
	if err := spec.CheckHeader(src.Name, r.Header()); err != nil {
		return err
	}
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(r, rec); err != nil {
			return err
		}
	}
}
