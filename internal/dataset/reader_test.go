package dataset

import (
	"archive/zip"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readAll(t *testing.T, in string, f Format) ([][]string, *Reader, error) {
	t.Helper()
	r, err := NewReader(strings.NewReader(in), "in.csv", f, "y")
	if err != nil {
		return nil, nil, err
	}
	var out [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, r, nil
		}
		if err != nil {
			return out, r, err
		}
		out = append(out, append([]string(nil), rec...))
	}
}

func TestReader(t *testing.T) {
	tests := []struct {
		name             string
		in               string
		format           Format
		want             [][]string
		leading, trailin int
		wantErr          string
	}{
		{name: "plain", in: "a,y\n1,G\n2,B\n", want: [][]string{{"1", "G"}, {"2", "B"}}},
		{name: "notes and summary lines", in: "Notes offered by Prospectus\na,y\n1,G\n\nTotal amount funded: 5\nTotal amount funded in policy code 2: 0\n",
			want: [][]string{{"1", "G"}}, leading: 1, trailin: 2},
		{name: "quoted field with newline", in: "a,y\n\"x\ny, z\",G\n", want: [][]string{{"x\ny, z", "G"}}},
		{name: "bom", in: "\ufeffy,a\nG,1\n", want: [][]string{{"G", "1"}}},
		{name: "semicolon", in: "a;y\n1;G\n", format: Format{Delimiter: ";"}, want: [][]string{{"1", "G"}}},
		{name: "whitespace no header", in: "A11  6 1\nA12 48 2\n\n", format: Format{Delimiter: "whitespace", Columns: []string{"a", "b", "y"}},
			want: [][]string{{"A11", "6", "1"}, {"A12", "48", "2"}}},
		{name: "short line in the middle", in: "a,b,y\n1,2,G\n3\n4,5,B\n", wantErr: "in.csv:3: wrong number of fields"},
		{name: "long line", in: "a,y\n1,G,x\n", wantErr: "in.csv:2: wrong number of fields"},
		{name: "no header", in: "a,b\n1,2\n", wantErr: `no header line with column "y"`},
		{name: "duplicate column", in: "a,a,y\n", wantErr: `column "a" appears twice`},
		{name: "unnamed columns", in: ",a,,y\n0,1,x,G\n", want: [][]string{{"0", "1", "x", "G"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.format.Delimiter == "" {
				tt.format.Delimiter = ","
			}
			got, r, err := readAll(t, tt.in, tt.format)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v; want %q", err, tt.wantErr)
				}
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Errorf("error %T is not a *ParseError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("records = %q; want %q", got, tt.want)
			}
			if l, tr := r.Skipped(); l != tt.leading || tr != tt.trailin {
				t.Errorf("skipped = %d, %d; want %d, %d", l, tr, tt.leading, tt.trailin)
			}
		})
	}
}

func TestFindSourcesAndForEach(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.csv", "x,y\n1,G\n")
	write("notes.txt", "ignored")
	var gz strings.Builder
	zw := gzip.NewWriter(&gz)
	io.WriteString(zw, "x,y\n2,B\n3,G\n")
	zw.Close()
	write("b.csv.gz", gz.String())
	var zb strings.Builder
	z := zip.NewWriter(&zb)
	w, _ := z.Create("inner/c.csv")
	io.WriteString(w, "y,x\nB,4\n")
	z.Close()
	write("c.zip", zb.String())

	srcs, err := FindSources(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 3 {
		t.Fatalf("found %d sources; want 3", len(srcs))
	}
	spec := &Spec{Name: "t", Target: Target{Column: "y", Bad: []string{"B"}, Good: []string{"G"}}}
	spec.fillDefaults()
	var xs []string
	err = ForEach(context.Background(), srcs, spec, func(r *Reader, rec []string) error {
		for i, h := range r.Header() {
			if h == "x" {
				xs = append(xs, rec[i])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"1", "2", "3", "4"}; !reflect.DeepEqual(xs, want) {
		t.Errorf("x values = %v; want %v", xs, want)
	}

	write("empty.csv", "")
	srcs, _ = FindSources(dir, []string{"empty.csv"})
	err = ForEach(context.Background(), srcs, spec, func(*Reader, []string) error { return nil })
	if !errors.Is(err, ErrNoData) || !strings.Contains(err.Error(), "empty.csv") {
		t.Errorf("empty file: error = %v; want ErrNoData naming the file", err)
	}
	if _, err := FindSources(filepath.Join(dir, "absent"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("absent folder: error = %v; want ErrNotExist", err)
	}
}

func TestFindSourcesNoInput(t *testing.T) {
	dir := t.TempDir()
	mkdir := func(name string, files ...string) string {
		d := filepath.Join(dir, name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(d, f), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	tests := []struct {
		name     string
		dir      string
		patterns []string
		missing  bool
		want     []string
		notWant  []string
	}{
		{"missing", filepath.Join(dir, "absent", "raw"), nil, true,
			[]string{"No such file or directory", filepath.Join(dir, "absent", "raw"), "mkdir -p", "csv, csv.gz or zip", "credit-risk sample-data", `-v "$(pwd)/data:/app/data"`},
			nil},
		{"empty", mkdir("empty"), nil, false,
			[]string{filepath.Join(dir, "empty") + " is empty", "csv, csv.gz or zip", "lender's loan export", "credit-risk sample-data"},
			[]string{"does not exist", "No such file"}},
		{"only hidden files", mkdir("hidden", ".gitkeep"), nil, false,
			[]string{"is empty"}, []string{".gitkeep"}},
		{"other files", mkdir("other", "loans.xlsx", "notes.txt"), nil, false,
			[]string{"has no input file (it holds loans.xlsx, notes.txt)", "csv, csv.gz or zip"},
			[]string{"is empty", "does not exist"}},
		{"many other files", mkdir("many", "a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt", "g.txt"), nil, false,
			[]string{"it holds a.txt, b.txt, c.txt, d.txt, e.txt and 2 more"}, []string{"f.txt"}},
		{"spec patterns", mkdir("german", "german.doc"), []string{"german.data"}, false,
			[]string{"it holds german.doc", "files matching german.data"}, []string{"csv.gz"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srcs, err := FindSources(tt.dir, tt.patterns)
			if err == nil {
				t.Fatalf("found %d sources; want an error", len(srcs))
			}
			var rd *RawDirError
			if !errors.As(err, &rd) || rd.Missing != tt.missing {
				t.Fatalf("error = %#v; want a *RawDirError with Missing %v", err, tt.missing)
			}
			if !errors.Is(err, os.ErrNotExist) {
				t.Errorf("error = %v; want it to wrap os.ErrNotExist", err)
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(msg, w) {
					t.Errorf("error %q says %q", msg, w)
				}
			}
		})
	}
}

func FuzzReader(f *testing.F) {
	f.Add("a,y\n1,G\n")
	f.Add("notes\na,y\n\"q\"\"x\",G\nTotal: 1\n")
	f.Add("a,y\n1\n2,G\n")
	f.Fuzz(func(t *testing.T, in string) {
		r, err := NewReader(strings.NewReader(in), "f.csv", Format{Delimiter: ","}, "y")
		if err != nil {
			return
		}
		for range 10000 {
			rec, err := r.Read()
			if err != nil {
				return
			}
			if len(rec) != len(r.Header()) {
				t.Fatalf("record with %d fields for %d columns", len(rec), len(r.Header()))
			}
		}
	})
}
