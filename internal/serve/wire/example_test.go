package wire_test

import (
	"fmt"

	"github.com/credit-risk/credit-risk/internal/serve/wire"
)

func ExampleDecodeApplication() {
	index := wire.NewIndex([]string{"loan_amnt", "term", "grade"})
	var a wire.Application
	a.Reset(index.Len())
	body := `{"loan_amnt": 5000, "term": " 36 months", "grade": true, "member_id": 7}`
	if err := wire.DecodeApplication(body, index, &a); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("loan_amnt:", a.Raw[0].Num)
	fmt.Printf("term: %q\n", a.Raw[1].Str)
	fmt.Println("grade present:", a.Raw[2].Present)
	fmt.Println("problems:", a.Problems[0].Field, a.Problems[0].Problem)
	fmt.Println("ignored:", a.Ignored)

	err := wire.DecodeApplication(`{"loan_amnt": 5000,}`, index, &a)
	fmt.Println(err)
	// Output:
	// loan_amnt: 5000
	// term: " 36 months"
	// grade present: false
	// problems: grade wrong_type
	// ignored: [member_id]
	// malformed JSON at byte 19: want a field name
}

func ExampleAppendString() {
	b := []byte(`{"reason":`)
	b = wire.AppendString(b, "income < 20,000 & \"verified\"")
	b = append(b, '}')
	fmt.Println(string(b))
	// Output:
	// {"reason":"income \u003c 20,000 \u0026 \"verified\""}
}
