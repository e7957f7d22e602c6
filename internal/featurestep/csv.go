package featurestep

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"

	"encoding/csv"

	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/matrix"
)

// ReadCSV reads a numeric table as WriteCSV writes it (or any CSV of
// numbers with a header): every column but target becomes a feature, an
// empty cell is missing (NaN). Errors name the file, line and column.
func ReadCSV(path, target string) (X *matrix.Dense, y []float64, names []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	r.ReuseRecord = true
	header, err := r.Read()
	if err == io.EOF {
		return nil, nil, nil, &dataset.ParseError{Path: path, Line: 1, Err: fmt.Errorf("%w: the file is empty", dataset.ErrNoData)}
	}
	if err != nil {
		return nil, nil, nil, &dataset.ParseError{Path: path, Line: 1, Err: err}
	}
	header = slices.Clone(header)
	ti := slices.Index(header, target)
	if ti < 0 {
		return nil, nil, nil, &dataset.ParseError{Path: path, Line: 1, Err: fmt.Errorf("no %q column", target)}
	}
	for i, h := range header {
		if i != ti {
			names = append(names, h)
		}
	}
	var data []float64
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, nil, nil, &dataset.ParseError{Path: path, Line: pe.Line, Err: pe.Err}
			}
			return nil, nil, nil, &dataset.ParseError{Path: path, Line: line, Err: err}
		}
		for i, s := range rec {
			v := math.NaN()
			if s != "" {
				if v, err = strconv.ParseFloat(s, 64); err != nil || math.IsInf(v, 0) {
					return nil, nil, nil, &dataset.ParseError{Path: path, Line: line, Column: header[i], Field: i + 1, Err: fmt.Errorf("not a finite number: %q", s)}
				}
			}
			if i == ti {
				y = append(y, v)
			} else {
				data = append(data, v)
			}
		}
	}
	if len(y) == 0 {
		return nil, nil, nil, &dataset.ParseError{Path: path, Err: fmt.Errorf("%w: no data rows", dataset.ErrNoData)}
	}
	return &matrix.Dense{Rows: len(y), Cols: len(names), Data: data}, y, names, nil
}
