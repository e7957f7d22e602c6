package audit

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var testTime = time.Date(2026, 12, 7, 15, 4, 5, 123456789, time.UTC)

// decision returns a valid decision record for request id.
func decision(id string) Record {
	score := 612.5
	return Record{
		Kind: KindDecision, Time: testTime, RequestID: id, KeyID: "ci",
		ModelName: "gbdt", ModelVersion: "gbdt_v3",
		ModelSHA256:        strings.Repeat("ab", 32),
		Input:              []byte(`{"loan_amnt":10000,"term":" 36 months","emp_title":"Nurse \"RN\"\n"}`),
		DefaultProbability: 0.4213, Score: &score, Decision: DecisionDeclined, Threshold: 0.35,
		Reasons: []Reason{
			{Code: "R03", Reason: "Income insufficient for amount requested", Field: "annual_inc"},
			{Code: "R07", Reason: "Too many recent inquiries", Field: "inq_last_6mths"},
		},
	}
}

// line encodes rec, chained after prev at seq, and returns the line
// without its newline.
func line(t testing.TB, rec Record, seq uint64, prev string) string {
	t.Helper()
	rec.Seq, rec.Prev = seq, prev
	b, _, err := appendLine(nil, &rec)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(string(b), "\n")
}

func TestRecordRoundTrip(t *testing.T) {
	gap := Record{Kind: KindGap, Time: testTime, Gap: &Gap{Segment: "audit-000002.jsonl", Offset: 812, Bytes: 97, SHA256: strings.Repeat("0f", 32)}}
	minimal := Record{Kind: KindDecision, Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), RequestID: "r1",
		ModelVersion: "lr_v1", InputSHA256: strings.Repeat("1", 64), Decision: DecisionApproved}
	tiny := decision("tiny")
	tiny.DefaultProbability, tiny.Threshold = 1e-12, 5e15
	control := decision("ctl\x01\t\"\\é€")
	tests := []struct {
		name string
		rec  Record
		want string // a substring of the line
	}{
		{"decision", decision("req-1"), `"reasons":[{"code":"R03","reason":"Income insufficient for amount requested","field":"annual_inc"},`},
		{"minimal", minimal, `"input_sha256":"1111111111111111111111111111111111111111111111111111111111111111","default_probability":0,"decision":"approved","threshold":0,"hash":`},
		{"gap", gap, `"gap":{"segment":"audit-000002.jsonl","offset":812,"bytes":97,"sha256":"0f0f`},
		{"exponents", tiny, `"default_probability":1e-12,"score":612.5,"decision":"declined","threshold":5e+15`},
		{"escapes", control, `"request_id":"ctl\u0001\t\"\\é€"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := line(t, tt.rec, 9, GenesisHash)
			if !strings.Contains(l, tt.want) {
				t.Errorf("line %s\nlacks %s", l, tt.want)
			}
			if !strings.HasPrefix(l, `{"seq":9,"kind":"`+string(tt.rec.Kind)+`","time":"`) {
				t.Errorf("line %s does not start with seq, kind, time", l)
			}
			got, err := DecodeRecord([]byte(l))
			if err != nil {
				t.Fatalf("DecodeRecord: %v", err)
			}
			if again := line(t, got, got.Seq, got.Prev); again != l {
				t.Errorf("re-encoded:\n%s\nwant\n%s", again, l)
			}
			if !got.Time.Equal(tt.rec.Time) || got.RequestID != tt.rec.RequestID || got.Seq != 9 || got.Prev != GenesisHash {
				t.Errorf("decoded %+v", got)
			}
			if got.Hash != hashBody([]byte(l[:strings.LastIndex(l, `,"hash":`)])) {
				t.Errorf("hash %s is not the SHA-256 of the line without it", got.Hash)
			}
		})
	}
}

func TestDecodeRecordErrors(t *testing.T) {
	good := line(t, decision("r"), 1, GenesisHash)
	tests := []struct {
		name string
		line string
		want error
	}{
		{"empty", "", ErrMalformed},
		{"not json", "hello", ErrMalformed},
		{"trailing", good + " ", ErrMalformed},
		{"space after colon", strings.Replace(good, `"seq":1`, `"seq": 1`, 1), ErrMalformed},
		{"field order", strings.Replace(good, `{"seq":1,"kind":"decision"`, `{"kind":"decision","seq":1`, 1), ErrMalformed},
		{"unknown field", strings.Replace(good, `"seq":1,`, `"seq":1,"x":1,`, 1), ErrMalformed},
		{"escaped letter", strings.Replace(good, `"kind":"decision"`, `"kind":"decisio\u006e"`, 1), ErrMalformed},
		{"trailing zero", strings.Replace(good, `"threshold":0.35`, `"threshold":0.350`, 1), ErrMalformed},
		{"time not canonical", strings.Replace(good, `.123456789Z`, `.123456789+00:00`, 1), ErrMalformed},
		{"unknown kind", strings.Replace(good, `"kind":"decision"`, `"kind":"other"`, 1), ErrMalformed},
		{"empty reasons", strings.Replace(good, `"reasons":[`, `"reasons":[],"x":[`, 1), ErrMalformed},
		{"value changed", strings.Replace(good, `"threshold":0.35`, `"threshold":0.36`, 1), ErrHash},
		{"hash changed", good[:len(good)-3] + `0"}`, ErrHash},
		{"seq changed", strings.Replace(good, `"seq":1`, `"seq":2`, 1), ErrHash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.line == good {
				t.Fatalf("case does not change the line")
			}
			_, err := DecodeRecord([]byte(tt.line))
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v; want %v", err, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	nan := 0.0
	nan /= nan
	tests := []struct {
		name   string
		change func(r *Record)
		want   string // in the error; "" for a valid record
	}{
		{"valid", func(*Record) {}, ""},
		{"hash only", func(r *Record) { r.Input, r.InputSHA256 = nil, strings.Repeat("c", 64) }, ""},
		{"no request id", func(r *Record) { r.RequestID = "" }, "request_id is empty"},
		{"no version", func(r *Record) { r.ModelVersion = "" }, "model_version is empty"},
		{"no decision", func(r *Record) { r.Decision = "" }, "decision is empty"},
		{"no input", func(r *Record) { r.Input = nil }, "no input"},
		{"bad input hash", func(r *Record) { r.Input, r.InputSHA256 = nil, "ABC" }, "input_sha256"},
		{"pd above 1", func(r *Record) { r.DefaultProbability = 1.5 }, "default_probability"},
		{"pd NaN", func(r *Record) { r.DefaultProbability = nan }, "default_probability"},
		{"threshold NaN", func(r *Record) { r.Threshold = nan }, "threshold"},
		{"score NaN", func(r *Record) { r.Score = &nan }, "score"},
		{"bad utf-8", func(r *Record) { r.Reasons[0].Reason = "\xff" }, "reasons.reason is not valid UTF-8"},
		{"gap kind", func(r *Record) { r.Kind = KindGap }, "only decisions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := decision("v")
			tt.change(&r)
			err := validate(&r)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("validate = %v; want nil", err)
			case tt.want != "" && (!errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("validate = %v; want ErrInvalid mentioning %q", err, tt.want)
			}
		})
	}
}

// FuzzDecodeRecord checks that DecodeRecord never panics and accepts only
// canonical lines: a line it decodes without error encodes back to itself.
func FuzzDecodeRecord(f *testing.F) {
	f.Add(line(f, decision("seed"), 1, GenesisHash))
	f.Add(line(f, Record{Kind: KindGap, Time: testTime, Gap: &Gap{Segment: "audit-000001.jsonl", Bytes: 3, SHA256: strings.Repeat("0", 64)}}, 2, GenesisHash))
	min := decision("m")
	min.Input, min.InputSHA256, min.Score, min.Reasons, min.KeyID = nil, strings.Repeat("e", 64), nil, nil, ""
	f.Add(line(f, min, 3, GenesisHash))
	f.Add(`{"seq":1}`)
	f.Fuzz(func(t *testing.T, l string) {
		rec, err := DecodeRecord([]byte(l))
		if err != nil {
			return
		}
		if again := line(t, rec, rec.Seq, rec.Prev); again != l {
			t.Errorf("decoded %q\nre-encodes as %q", l, again)
		}
	})
}

// TestAppendChained checks that the writer's line, made of the parts the
// caller's goroutine encodes and the chain fields, is byte for byte the
// line of the record, and that it leaves the record's hash as prev.
func TestAppendChained(t *testing.T) {
	minimal := Record{Kind: KindDecision, Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), RequestID: "r1",
		ModelVersion: "lr_v1", InputSHA256: strings.Repeat("1", 64), Decision: DecisionApproved}
	tiny := decision("tiny")
	tiny.DefaultProbability, tiny.Threshold = 1e-12, 5e15
	local := decision("local")
	local.Time = testTime.In(time.FixedZone("CET", 3600))
	tests := []struct {
		name string
		rec  Record
		seq  uint64
		prev string
	}{
		{"decision", decision("req-1"), 1, GenesisHash},
		{"minimal", minimal, 18446744073709551615, strings.Repeat("f", 64)},
		{"exponents", tiny, 42, strings.Repeat("0a", 32)},
		{"escapes", decision("ctl\x01\t\"\\é€"), 7, GenesisHash},
		{"local time", local, 8, GenesisHash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head := appendKindTime(nil, &tt.rec)
			tail, err := appendFields(nil, &tt.rec)
			if err != nil {
				t.Fatal(err)
			}
			var prev [64]byte
			copy(prev[:], tt.prev)
			got := appendChained([]byte("before\n"), tt.seq, &prev, head, tail)
			want, sum, err := appendLine([]byte("before\n"), func() *Record { r := tt.rec; r.Seq, r.Prev = tt.seq, tt.prev; return &r }())
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("appendChained:\n%s\nappendLine:\n%s", got, want)
			}
			if string(prev[:]) != sum {
				t.Errorf("prev = %s; want the record's hash %s", prev, sum)
			}
		})
	}
}
