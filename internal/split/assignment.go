package split

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
)

// FileName is the name of the split file in the processed folder, beside
// the table it divides.
const FileName = "split.json"

// FormatVersion is the version of the split file.
const FormatVersion = 1

// Kind is how a table is split; its value is what the split file, the
// clean log and the report input record.
type Kind string

// Split kinds.
const (
	// KindOutOfTime tests on the loans from a date on.
	KindOutOfTime Kind = "out_of_time"
	// KindStratified tests on a random share of the loans, drawn per
	// class.
	KindStratified Kind = "stratified"
)

// ErrFile is wrapped by every FileError.
var ErrFile = errors.New("split file refused")

// Assignment is the train/test split of one table, decided once by Decide
// and stored in FileName so that later steps read it instead of deciding
// it again.
type Assignment struct {
	// Kind is KindOutOfTime or KindStratified.
	Kind Kind
	// Date is the first day of the test period, YYYY-MM-DD (out of time
	// only).
	Date string
	// Seed is the shuffle seed (stratified only).
	Seed uint64
	// TestFraction is the test share the split aimed at.
	TestFraction float64
	// Table is the file name of the table the split divides, and
	// TableSHA256 its hex SHA-256; both are empty until the table is
	// written.
	Table       string
	TableSHA256 string
	// Test marks the test rows of the table, one flag per row.
	Test []bool
}

// Config is how a data set without a date column is split.
type Config struct {
	// TestFraction is the share of loans to test on.
	TestFraction float64
	// Seed seeds the stratified shuffle.
	Seed uint64
}

// Decide splits labelled loans. With dates (one per loan) the split is out
// of time at cut, the first test day in days since 1970-01-01; a zero cut
// means MonthCut's choice for cfg.TestFraction, and a non-zero one must
// pass CheckCut. Without dates (nil) the split is Stratified with cfg's
// fraction and seed, and cut must be zero. Both sides must be non-empty.
func Decide(labels, dates []float64, cfg Config, cut float64) (*Assignment, error) {
	a := &Assignment{TestFraction: cfg.TestFraction}
	if dates != nil {
		if len(dates) != len(labels) {
			panic(fmt.Sprintf("split: %d dates for %d labels", len(dates), len(labels)))
		}
		a.Kind = KindOutOfTime
		var err error
		if cut == 0 {
			if cut, err = MonthCut(dates, cfg.TestFraction); err != nil {
				return nil, err
			}
		} else if err := CheckCut(dates, cut); err != nil {
			return nil, err
		}
		a.Date = FormatDay(cut)
		a.Test = ByDate(dates, cut)
	} else {
		if cut != 0 {
			return nil, fmt.Errorf("%w: a split date needs a date column", ErrSplit)
		}
		a.Kind = KindStratified
		a.Seed = cfg.Seed
		var err error
		if a.Test, err = Stratified(labels, cfg.TestFraction, cfg.Seed); err != nil {
			return nil, err
		}
	}
	train, test := a.Counts()
	if train == 0 || test == 0 {
		return nil, fmt.Errorf("the split leaves %d train and %d test rows", train, test)
	}
	return a, nil
}

// Counts returns the number of train and test rows.
func (a *Assignment) Counts() (train, test int) {
	for _, t := range a.Test {
		if t {
			test++
		}
	}
	return len(a.Test) - test, test
}

// Rows returns the train and test row indices in table order.
func (a *Assignment) Rows() (train, test []int) {
	for i, t := range a.Test {
		if t {
			test = append(test, i)
		} else {
			train = append(train, i)
		}
	}
	return train, test
}

// FileError is a split file that was refused: damaged, or not the
// split of the table at hand. It names the file and the check that failed.
type FileError struct {
	// Path is the file; empty when the split was decoded from a reader.
	Path string
	// Check names the check that failed ("json", "version", "kind",
	// "date", "rows", "test_bitmap", "table", "table_sha256", …).
	Check string
	Err   error
}

func (e *FileError) Error() string {
	path := e.Path
	if path == "" {
		path = "split file"
	}
	return fmt.Sprintf("%s: %s check failed: %v", path, e.Check, e.Err)
}

// Unwrap returns ErrFile and the underlying error.
func (e *FileError) Unwrap() []error { return []error{ErrFile, e.Err} }

// file is the JSON form of an Assignment. The test rows are a bitmap,
// row i in bit i%8 of byte i/8 (least significant bit first), in standard
// base64; the counts are stored beside it so damage is caught.
type file struct {
	Version      int     `json:"version"`
	Kind         Kind    `json:"kind"`
	Date         string  `json:"date,omitempty"`
	Seed         uint64  `json:"seed,omitempty"`
	TestFraction float64 `json:"test_fraction"`
	Table        string  `json:"table"`
	TableSHA256  string  `json:"table_sha256"`
	Rows         int     `json:"rows"`
	TrainRows    int     `json:"train_rows"`
	TestRows     int     `json:"test_rows"`
	TestBitmap   string  `json:"test_bitmap"`
}

// Encode writes a as JSON.
func (a *Assignment) Encode(w io.Writer) error {
	bitmap := make([]byte, (len(a.Test)+7)/8)
	for i, t := range a.Test {
		if t {
			bitmap[i/8] |= 1 << (i % 8)
		}
	}
	train, test := a.Counts()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(file{
		Version: FormatVersion, Kind: a.Kind, Date: a.Date, Seed: a.Seed, TestFraction: a.TestFraction,
		Table: a.Table, TableSHA256: a.TableSHA256,
		Rows: len(a.Test), TrainRows: train, TestRows: test,
		TestBitmap: base64.StdEncoding.EncodeToString(bitmap),
	})
}

// WriteFile writes a to path atomically.
func WriteFile(path string, a *Assignment) error {
	return atomicfile.Write(path, 0o644, a.Encode)
}

// Decode reads a split file and checks it is whole: a known version and
// kind, a date only out of time, a SHA-256, a bitmap of exactly one bit per
// row with no stray bits, and counts that agree with it. A failed check is
// a *FileError.
func Decode(r io.Reader) (*Assignment, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, &FileError{Check: "json", Err: err}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &FileError{Check: "json", Err: errors.New("data after the JSON object")}
	}
	fail := func(check, format string, args ...any) (*Assignment, error) {
		return nil, &FileError{Check: check, Err: fmt.Errorf(format, args...)}
	}
	if f.Version != FormatVersion {
		return fail("version", "version %d; this program reads version %d", f.Version, FormatVersion)
	}
	switch f.Kind {
	case KindOutOfTime:
		d, err := ParseDay(f.Date)
		if err != nil || FormatDay(d) != f.Date {
			return fail("date", "out-of-time split with date %q; want YYYY-MM-DD", f.Date)
		}
	case KindStratified:
		if f.Date != "" {
			return fail("date", "stratified split with a date (%q)", f.Date)
		}
	default:
		return fail("kind", "unknown kind %q; want %s or %s", f.Kind, KindOutOfTime, KindStratified)
	}
	if !(f.TestFraction > 0 && f.TestFraction < 1) {
		return fail("test_fraction", "test fraction %v outside (0, 1)", f.TestFraction)
	}
	if f.Table == "" {
		return fail("table", "no table named")
	}
	if sum, err := hex.DecodeString(f.TableSHA256); err != nil || len(sum) != 32 {
		return fail("table_sha256", "%q is not a hex SHA-256", f.TableSHA256)
	}
	if f.Rows < 2 || f.TrainRows < 1 || f.TestRows < 1 || f.TrainRows+f.TestRows != f.Rows {
		return fail("rows", "%d rows, %d train and %d test: want both sides non-empty and adding up", f.Rows, f.TrainRows, f.TestRows)
	}
	bitmap, err := base64.StdEncoding.DecodeString(f.TestBitmap)
	if err != nil {
		return fail("test_bitmap", "not base64: %v", err)
	}
	if want := (f.Rows + 7) / 8; len(bitmap) != want {
		return fail("test_bitmap", "%d bytes for %d rows; want %d", len(bitmap), f.Rows, want)
	}
	if tail := f.Rows % 8; tail != 0 && bitmap[len(bitmap)-1]>>tail != 0 {
		return fail("test_bitmap", "bits set past row %d", f.Rows)
	}
	n := 0
	for _, b := range bitmap {
		n += bits.OnesCount8(b)
	}
	if n != f.TestRows {
		return fail("test_bitmap", "%d test rows marked; test_rows says %d", n, f.TestRows)
	}
	a := &Assignment{
		Kind: f.Kind, Date: f.Date, Seed: f.Seed, TestFraction: f.TestFraction,
		Table: f.Table, TableSHA256: f.TableSHA256, Test: make([]bool, f.Rows),
	}
	for i := range a.Test {
		a.Test[i] = bitmap[i/8]&(1<<(i%8)) != 0
	}
	return a, nil
}

// ReadFile reads and checks the split file at path; errors name it.
func ReadFile(path string) (*Assignment, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	a, err := Decode(bytes.NewReader(data))
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			fe.Path = path
		}
		return nil, err
	}
	return a, nil
}

// Match checks that a is the split of the named table with the given
// SHA-256 and row count. A mismatch is a *FileError whose Path the
// caller may set.
func (a *Assignment) Match(table, sha256 string, rows int) error {
	switch {
	case a.Table != table:
		return &FileError{Check: "table", Err: fmt.Errorf("splits %q, not %q", a.Table, table)}
	case a.TableSHA256 != sha256:
		return &FileError{Check: "table_sha256", Err: fmt.Errorf("splits the %s with sha256 %s, not %s", a.Table, short(a.TableSHA256), short(sha256))}
	case len(a.Test) != rows:
		return &FileError{Check: "rows", Err: fmt.Errorf("splits %d rows; %s has %d", len(a.Test), a.Table, rows)}
	}
	return nil
}

func short(sum string) string { return sum[:min(12, len(sum))] }
