package audit

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// exportTrail writes five decisions an hour apart from testTime, the third
// without score and reasons, and a torn record fenced off after the second.
func exportTrail(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	add := func(s *Sink, i int) {
		rec := decision(fmt.Sprintf("r%d", i))
		rec.Time = testTime.Add(time.Duration(i) * time.Hour)
		if i == 2 {
			rec.Score, rec.Reasons, rec.KeyID, rec.Decision = nil, nil, "", DecisionApproved
		}
		if err := s.Append(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
	}
	s := openSink(t, dir, Options{})
	add(s, 0)
	add(s, 1)
	s.Close()
	f, _ := os.OpenFile(filepath.Join(dir, SegmentName(1)), os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"seq":3,"ki`)
	f.Close()
	s = openSink(t, dir, Options{})
	for i := 2; i < 5; i++ {
		add(s, i)
	}
	s.Close()
	return dir
}

func TestExport(t *testing.T) {
	dir := exportTrail(t)
	tests := []struct {
		name string
		opts ExportOptions
		ids  []string
	}{
		{"all", ExportOptions{}, []string{"r0", "r1", "r2", "r3", "r4"}},
		{"from", ExportOptions{From: testTime.Add(2 * time.Hour)}, []string{"r2", "r3", "r4"}},
		{"to, exclusive", ExportOptions{To: testTime.Add(2 * time.Hour)}, []string{"r0", "r1"}},
		{"from and to", ExportOptions{From: testTime.Add(time.Hour), To: testTime.Add(3*time.Hour + 1)}, []string{"r1", "r2", "r3"}},
		{"none", ExportOptions{From: testTime.Add(24 * time.Hour)}, nil},
	}
	for _, tt := range tests {
		for _, format := range []Format{FormatJSONL, FormatCSV} {
			t.Run(tt.name+"/"+string(format), func(t *testing.T) {
				var out bytes.Buffer
				tt.opts.Format = format
				n, err := Export(t.Context(), dir, &out, tt.opts)
				if err != nil {
					t.Fatal(err)
				}
				if n != len(tt.ids) {
					t.Errorf("Export = %d; want %d", n, len(tt.ids))
				}
				var ids []string
				switch format {
				case FormatJSONL:
					for l := range strings.Lines(out.String()) {
						var m map[string]any
						if err := json.Unmarshal([]byte(l), &m); err != nil {
							t.Fatalf("line %q: %v", l, err)
						}
						for _, k := range []string{"request_id", "model_version", "decision", "default_probability"} {
							if _, ok := m[k]; !ok {
								t.Errorf("line lacks %s: %s", k, l)
							}
						}
						if _, err := DecodeRecord([]byte(strings.TrimSuffix(l, "\n"))); err != nil {
							t.Errorf("exported line does not check against its hash: %v", err)
						}
						ids = append(ids, m["request_id"].(string))
					}
				case FormatCSV:
					rows, err := csv.NewReader(&out).ReadAll()
					if err != nil {
						t.Fatal(err)
					}
					if strings.Join(rows[0], ",") != strings.Join(CSVHeader(), ",") {
						t.Errorf("header %v", rows[0])
					}
					for _, r := range rows[1:] {
						ids = append(ids, r[2])
					}
				}
				if strings.Join(ids, ",") != strings.Join(tt.ids, ",") {
					t.Errorf("exported %v; want %v", ids, tt.ids)
				}
			})
		}
	}
}

func TestExportCSVRow(t *testing.T) {
	dir := exportTrail(t)
	var out bytes.Buffer
	if _, err := Export(t.Context(), dir, &out, ExportOptions{Format: FormatCSV, To: testTime.Add(3 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"2026-12-07T15:04:05.123456789Z", "1", "r0", "ci", "gbdt", "gbdt_v3", strings.Repeat("ab", 32), rows[1][7], "0.4213", "612.5", "declined", "0.35", "R03;R07", "annual_inc;inq_last_6mths"},
		{"2026-12-07T17:04:05.123456789Z", "4", "r2", "", "gbdt", "gbdt_v3", strings.Repeat("ab", 32), rows[1][7], "0.4213", "", "approved", "0.35", "", ""},
	}
	for i, w := range want {
		if got := rows[[]int{1, 3}[i]]; strings.Join(got, "|") != strings.Join(w, "|") {
			t.Errorf("row %d:\n%v\nwant\n%v", i, got, w)
		}
	}
	if len(rows[1][7]) != 64 {
		t.Errorf("input_sha256 %q", rows[1][7])
	}
}

func TestExportErrors(t *testing.T) {
	dir := exportTrail(t)
	if _, err := Export(t.Context(), dir, new(bytes.Buffer), ExportOptions{Format: "xml"}); err == nil || !strings.Contains(err.Error(), `unknown format "xml"`) {
		t.Errorf("Export xml = %v", err)
	}
	path := filepath.Join(dir, SegmentName(1))
	b, _ := os.ReadFile(path)
	os.WriteFile(path, bytes.Replace(b, []byte(`"r3"`), []byte(`"r9"`), 1), 0o640)
	var out bytes.Buffer
	n, err := Export(t.Context(), dir, &out, ExportOptions{})
	var ve *VerifyError
	if !errors.As(err, &ve) || !errors.Is(err, ErrHash) || n != 3 {
		t.Errorf("Export of a changed trail = %d, %v; want ErrHash after 3 records", n, err)
	}
}
