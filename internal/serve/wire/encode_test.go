package wire

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/credit-risk/credit-risk/internal/features"
)

func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain", "q\"b\\s/", "\x00\x1f\n\t", "<a&b>", "é😀", "\xff\xfe", "\u2028\u2029"} {
		t.Run(fmt.Sprintf("%q", s), func(t *testing.T) {
			got := AppendString(nil, s)
			want, _ := json.Marshal(s)
			if string(got) != string(want) {
				t.Errorf("AppendString(%q) = %s; want %s", s, got, want)
			}
		})
	}
}

func TestAppendFieldErrors(t *testing.T) {
	errs := []features.FieldError{{Field: "a", Problem: features.ProblemMissing, Detail: "is <required>"}, {Field: "é\"", Problem: features.ProblemType, Detail: ""}}
	got := AppendFieldErrors(nil, errs)
	var back []features.FieldError
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	if fmt.Sprint(back) != fmt.Sprint(errs) {
		t.Errorf("%s decodes to %v; want %v", got, back, errs)
	}
	if got := string(AppendFieldErrors(nil, nil)); got != "[]" {
		t.Errorf("no errors: %s; want []", got)
	}
}
