package audit

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Format is an export format.
type Format string

// The export formats.
const (
	// FormatJSONL writes each decision record's line as stored: one JSON
	// object a line, chain fields included, so an exported line can still
	// be checked against its hash.
	FormatJSONL Format = "jsonl"
	// FormatCSV writes a header row and one row a decision, with the
	// columns CSVHeader names.
	FormatCSV Format = "csv"
)

// CSVHeader returns the header row of FormatCSV. reason_codes and
// reason_fields hold the reasons' codes and fields in order, separated by
// ";"; score is empty when the record has none.
func CSVHeader() []string {
	return []string{
		"time", "seq", "request_id", "key_id", "model_name", "model_version", "model_sha256",
		"input_sha256", "default_probability", "score", "decision", "threshold",
		"reason_codes", "reason_fields",
	}
}

// ExportOptions select what Export writes.
type ExportOptions struct {
	// Format is the output format; "" means FormatJSONL.
	Format Format
	// From keeps decisions made at or after it; zero means no bound.
	From time.Time
	// To keeps decisions made before it; zero means no bound.
	To time.Time
}

// Export writes the decisions of the trail in dir to w, in trail order,
// reading one record at a time. Gap records are left out (Verify lists
// them). The trail is verified as it is read: Export stops at the first
// break with Verify's error, after writing the decisions before it. It
// returns the number of decisions written.
func Export(ctx context.Context, dir string, w io.Writer, opts ExportOptions) (int, error) {
	ew, err := NewExportWriter(w, opts)
	if err != nil {
		return 0, err
	}
	_, err = Scan(ctx, dir, ew.Write)
	if ferr := ew.Flush(); ferr != nil && err == nil {
		err = ferr
	}
	return ew.Count(), err
}

// ExportWriter writes decision records in an export format, keeping those
// ExportOptions select: Export's writer, for records read from elsewhere
// (a database holding copies of trails).
type ExportWriter struct {
	opts  ExportOptions
	write func(rec *Record, line []byte) error
	flush func() error
	n     int
}

// NewExportWriter returns a writer of opts.Format to w; the CSV header row
// is written at once.
func NewExportWriter(w io.Writer, opts ExportOptions) (*ExportWriter, error) {
	ew := &ExportWriter{opts: opts}
	switch opts.Format {
	case "", FormatJSONL:
		bw := bufio.NewWriter(w)
		ew.write = func(_ *Record, line []byte) error {
			bw.Write(line)
			return bw.WriteByte('\n') // a write error sticks: Flush reports it
		}
		ew.flush = bw.Flush
	case FormatCSV:
		cw := csv.NewWriter(w)
		ew.flush = func() error {
			cw.Flush()
			return cw.Error()
		}
		header := CSVHeader()
		if err := cw.Write(header); err != nil {
			return nil, fmt.Errorf("audit: export: %w", err)
		}
		row := make([]string, len(header))
		ew.write = func(rec *Record, _ []byte) error {
			csvRow(row, rec)
			return cw.Write(row)
		}
	default:
		return nil, fmt.Errorf("audit: export: unknown format %q (want jsonl or csv)", opts.Format)
	}
	return ew, nil
}

// Write writes rec, whose stored line is line, when it is a decision
// within the options' time bounds; other records are skipped.
func (ew *ExportWriter) Write(rec *Record, line []byte) error {
	if rec.Kind != KindDecision ||
		!ew.opts.From.IsZero() && rec.Time.Before(ew.opts.From) ||
		!ew.opts.To.IsZero() && !rec.Time.Before(ew.opts.To) {
		return nil
	}
	if err := ew.write(rec, line); err != nil {
		return fmt.Errorf("audit: export: %w", err)
	}
	ew.n++
	return nil
}

// Flush writes what is buffered and returns the first write error.
func (ew *ExportWriter) Flush() error {
	if err := ew.flush(); err != nil {
		return fmt.Errorf("audit: export: %w", err)
	}
	return nil
}

// Count returns the number of decisions written.
func (ew *ExportWriter) Count() int { return ew.n }

// csvRow fills row with rec's columns, in the order of CSVHeader.
func csvRow(row []string, r *Record) {
	var codes, fields []string
	for _, rs := range r.Reasons {
		codes = append(codes, rs.Code)
		fields = append(fields, rs.Field)
	}
	score := ""
	if r.Score != nil {
		score = string(appendFloat(nil, *r.Score))
	}
	copy(row, []string{
		r.Time.Format(time.RFC3339Nano), strconv.FormatUint(r.Seq, 10), r.RequestID, r.KeyID,
		r.ModelName, r.ModelVersion, r.ModelSHA256, r.InputSHA256,
		string(appendFloat(nil, r.DefaultProbability)), score, string(r.Decision),
		string(appendFloat(nil, r.Threshold)),
		strings.Join(codes, ";"), strings.Join(fields, ";"),
	})
}
