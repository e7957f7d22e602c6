package classing

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// numericFixture is a numeric binning with three ranges, the missing bin,
// one special bin (96) and a special value (98) that joined range 1.
func numericFixture() *Binning {
	return &Binning{
		Version:   FormatVersion,
		Name:      "dti",
		Kind:      Numeric,
		Direction: Increasing,
		Cuts:      []float64{10, 20},
		Specials:  []SpecialValue{{Value: 96, Bin: 4}, {Value: 98, Bin: 1}},
		Missing:   3,
		Bins: []Bin{
			{Kind: Range, Goods: 400, Bads: 20, WoE: 0.9, IV: 0.27},
			{Kind: Range, Goods: 300, Bads: 30, WoE: 0.2, IV: 0.02},
			{Kind: Range, Goods: 100, Bads: 45, WoE: -1.3, IV: 0.42},
			{Kind: Missing, Goods: 10, Bads: 5, WoE: -0.5, IV: 0.01},
			{Kind: Special, Goods: 30, Bads: 10, WoE: -0.1, IV: 0.001},
		},
		IV: 0.721,
	}
}

// categoricalFixture is a categorical binning with two level groups and
// the missing bin.
func categoricalFixture() *Binning {
	return &Binning{
		Version: FormatVersion,
		Name:    "purpose",
		Kind:    Categorical,
		Levels:  map[string]int{"car": 0, "house": 0, "other": 1, "wedding": 1},
		Missing: 2,
		Unseen:  1,
		Bins: []Bin{
			{Kind: Levels, Goods: 500, Bads: 40, WoE: 0.4, IV: 0.05},
			{Kind: Levels, Goods: 700, Bads: 120, WoE: -0.2, IV: 0.03},
			{Kind: Missing, WoE: 0, IV: 0},
		},
		IV: 0.08,
	}
}

func TestBinningBin(t *testing.T) {
	b := numericFixture()
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		x    float64
		want int
	}{
		{math.Inf(-1), 0},
		{-5, 0},
		{9.999, 0},
		{10, 1}, // a cut belongs to the range above it
		{19.5, 1},
		{20, 2},
		{95.9, 2},
		{96, 4},
		{97, 2},
		{98, 1}, // a small special that joined range 1
		{math.Inf(1), 2},
		{math.NaN(), 3},
	}
	for _, tt := range tests {
		if got := b.Bin(tt.x); got != tt.want {
			t.Errorf("Bin(%v) = %d; want %d", tt.x, got, tt.want)
		}
		if got, want := b.WoE(tt.x), b.Bins[tt.want].WoE; got != want {
			t.Errorf("WoE(%v) = %v; want %v", tt.x, got, want)
		}
	}
	xs := []float64{-1, 15, math.NaN(), 96}
	dst := make([]float64, len(xs))
	b.WoEInto(dst, xs)
	if want := []float64{0.9, 0.2, -0.5, -0.1}; !slices.Equal(dst, want) {
		t.Errorf("WoEInto = %v; want %v", dst, want)
	}
}

func TestBinningBinLevel(t *testing.T) {
	b := categoricalFixture()
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		level string
		want  int
	}{
		{"car", 0},
		{"house", 0},
		{"wedding", 1},
		{"boat", 1}, // unseen: the Unseen bin
		{"", 1},
	}
	for _, tt := range tests {
		if got := b.BinLevel(tt.level); got != tt.want {
			t.Errorf("BinLevel(%q) = %d; want %d", tt.level, got, tt.want)
		}
		if got, want := b.LevelWoE(tt.level), b.Bins[tt.want].WoE; got != want {
			t.Errorf("LevelWoE(%q) = %v; want %v", tt.level, got, want)
		}
	}
}

func TestBinningKindPanics(t *testing.T) {
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s did not panic", name)
			}
		}()
		f()
	}
	mustPanic("Bin on categorical", func() { categoricalFixture().Bin(1) })
	mustPanic("BinLevel on numeric", func() { numericFixture().BinLevel("a") })
	mustPanic("WoEInto lengths", func() { numericFixture().WoEInto(make([]float64, 1), nil) })
}

func TestBinningLabel(t *testing.T) {
	num, cat := numericFixture(), categoricalFixture()
	tests := []struct {
		b    *Binning
		bin  int
		want string
	}{
		{num, 0, "[-inf, 10)"},
		{num, 1, "[10, 20) | 98"},
		{num, 2, "[20, +inf)"},
		{num, 3, "missing"},
		{num, 4, "special 96"},
		{cat, 0, "{car, house}"},
		{cat, 1, "{other, wedding}"},
		{cat, 2, "missing"},
	}
	for _, tt := range tests {
		if got := tt.b.Label(tt.bin); got != tt.want {
			t.Errorf("%s.Label(%d) = %q; want %q", tt.b.Name, tt.bin, got, tt.want)
		}
	}
}

func TestBinningStrength(t *testing.T) {
	b := numericFixture()
	if got := b.Strength(); got != Suspicious || !b.Suspicious() {
		t.Errorf("IV %v: Strength = %v, Suspicious = %v; want suspicious, true", b.IV, got, b.Suspicious())
	}
	b = categoricalFixture()
	if got := b.Strength(); got != Weak || b.Suspicious() {
		t.Errorf("IV %v: Strength = %v, Suspicious = %v; want weak, false", b.IV, got, b.Suspicious())
	}
}

func TestBinCounts(t *testing.T) {
	bin := Bin{Goods: 30, Bads: 10}
	if bin.Count() != 40 || bin.BadRate() != 0.25 {
		t.Errorf("Count, BadRate = %d, %v; want 40, 0.25", bin.Count(), bin.BadRate())
	}
	empty := Bin{}
	if !math.IsNaN(empty.BadRate()) {
		t.Errorf("BadRate of an empty bin = %v; want NaN", empty.BadRate())
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		b      func() *Binning
		change func(b *Binning)
		want   string
	}{
		{"numeric ok", numericFixture, func(*Binning) {}, ""},
		{"categorical ok", categoricalFixture, func(*Binning) {}, ""},
		{"version", numericFixture, func(b *Binning) { b.Version = 2 }, "version 2"},
		{"no name", numericFixture, func(b *Binning) { b.Name = "" }, "no name"},
		{"kind", numericFixture, func(b *Binning) { b.Kind = "ordinal" }, `kind "ordinal"`},
		{"cut NaN", numericFixture, func(b *Binning) { b.Cuts[0] = math.NaN() }, "cut 0 is NaN"},
		{"cut Inf", numericFixture, func(b *Binning) { b.Cuts[1] = math.Inf(1) }, "cut 1 is +Inf"},
		{"cuts unsorted", numericFixture, func(b *Binning) { b.Cuts[1] = 10 }, "cuts 0 and 1 not increasing"},
		{"WoE NaN", numericFixture, func(b *Binning) { b.Bins[2].WoE = math.NaN() }, "bin 2 WoE NaN"},
		{"WoE Inf", numericFixture, func(b *Binning) { b.Bins[3].WoE = math.Inf(-1) }, "bin 3 WoE -Inf"},
		{"IV Inf", numericFixture, func(b *Binning) { b.IV = math.Inf(1) }, "IV +Inf"},
		{"negative count", numericFixture, func(b *Binning) { b.Bins[0].Bads = -1 }, "bin 0 counts"},
		{"count overflow", numericFixture, func(b *Binning) { b.Bins[0].Goods, b.Bins[0].Bads = math.MaxInt64, 1 }, "bin 0 counts"},
		{"missing out of range", numericFixture, func(b *Binning) { b.Missing = 9 }, "missing bin 9 outside"},
		{"missing misplaced", numericFixture, func(b *Binning) { b.Cuts = b.Cuts[:1] }, "missing bin 3 with 1 cuts; want 2"},
		{"bin kind", numericFixture, func(b *Binning) { b.Bins[0].Kind = Levels }, `bin 0 is "levels"; want "range"`},
		{"special kind", numericFixture, func(b *Binning) { b.Bins[4].Kind = Range }, `bin 4 is "range"; want "special"`},
		{"direction", numericFixture, func(b *Binning) { b.Direction = 2 }, "direction 2"},
		{"special NaN", numericFixture, func(b *Binning) { b.Specials[0].Value = math.NaN() }, "special value NaN"},
		{"specials unsorted", numericFixture, func(b *Binning) { b.Specials[1].Value = 96 }, "not increasing"},
		{"special bin", numericFixture, func(b *Binning) { b.Specials[0].Bin = 5 }, "special value 96 bin 5 outside"},
		{"special bin unreached", numericFixture, func(b *Binning) { b.Specials[0].Bin = 3 }, "no value reaches bin 4"},
		{"levels on numeric", numericFixture, func(b *Binning) { b.Levels = map[string]int{"a": 0} }, "levels or unseen bin on a numeric"},
		{"cuts on categorical", categoricalFixture, func(b *Binning) { b.Cuts = []float64{1} }, "cuts or special values on a categorical"},
		{"direction on categorical", categoricalFixture, func(b *Binning) { b.Direction = Increasing }, "direction 1 on a categorical"},
		{"level bin", categoricalFixture, func(b *Binning) { b.Levels["car"] = 2 }, `level "car" bin 2 outside [0, 2)`},
		{"level group unreached", categoricalFixture, func(b *Binning) { b.Levels["car"], b.Levels["house"] = 1, 1 }, "no value reaches bin 0"},
		{"unseen bin", categoricalFixture, func(b *Binning) { b.Unseen = 3 }, "unseen bin 3 outside"},
		{"categorical special bin", categoricalFixture, func(b *Binning) {
			b.Bins = append(b.Bins, Bin{Kind: Special})
		}, "missing bin 2 is not the last of 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.b()
			tt.change(b)
			err := b.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate succeeded; want an error containing %q", tt.want)
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), b.Name) {
				t.Errorf("Validate = %q; want ErrInvalid naming %q and containing %q", err, b.Name, tt.want)
			}
		})
	}
}

func TestReadBinningRoundTrip(t *testing.T) {
	for _, b := range []*Binning{numericFixture(), categoricalFixture()} {
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ReadBinning(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: ReadBinning: %v", b.Name, err)
		}
		again, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, again) {
			t.Errorf("%s: encode → decode → encode changed the bytes:\n%s\n%s", b.Name, data, again)
		}
	}
}

func TestReadBinningErrors(t *testing.T) {
	valid, err := json.Marshal(numericFixture())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data string
		want string
	}{
		{"empty", "", "EOF"},
		{"not JSON", "{", "unexpected EOF"},
		{"unknown field", `{"version":1,"name":"x","kind":"numeric","bins":[],"extra":1}`, `unknown field "extra"`},
		{"trailing data", string(valid) + " {}", "trailing data"},
		{"invalid", `{"version":1,"name":"x","kind":"numeric","missing":3,"bins":[{"kind":"range"},{"kind":"range"},{"kind":"range"},{"kind":"missing"}],"cuts":[1,1]}`, "not increasing"},
		{"no bins", `{"version":1,"name":"x","kind":"numeric"}`, "missing bin 0 outside [0, 0)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeBinning([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("DecodeBinning = %v; want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestDirectionString(t *testing.T) {
	for d, want := range map[Direction]string{Decreasing: "decreasing", Auto: "auto", Increasing: "increasing", 7: "Direction(7)"} {
		if got := d.String(); got != want {
			t.Errorf("Direction(%d).String() = %q; want %q", int(d), got, want)
		}
	}
}
