package classing_test

import (
	"fmt"
	"math"
	"strings"

	"github.com/credit-risk/credit-risk/internal/classing"
)

func ExampleBinning_Bin() {
	b, err := classing.DecodeBinning([]byte(`{
		"version": 1, "name": "dti", "kind": "numeric", "direction": 1,
		"cuts": [10, 20],
		"specials": [{"value": 96, "bin": 4}],
		"missing": 3,
		"bins": [
			{"kind": "range", "goods": 400, "bads": 20, "woe": 0.916, "iv": 0.275},
			{"kind": "range", "goods": 300, "bads": 30, "woe": 0.223, "iv": 0.017},
			{"kind": "range", "goods": 100, "bads": 45, "woe": -1.281, "iv": 0.416},
			{"kind": "missing", "goods": 0, "bads": 0, "woe": 0, "iv": 0},
			{"kind": "special", "goods": 0, "bads": 5, "woe": -4.477, "iv": 0.224}
		],
		"iv": 0.932
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, x := range []float64{3, 10, 25, 96, math.NaN()} {
		i := b.Bin(x)
		fmt.Printf("%v → bin %d %s, WoE %v\n", x, i, b.Label(i), b.WoE(x))
	}
	fmt.Printf("IV %v: %v\n", b.IV, b.Strength())
	// Output:
	// 3 → bin 0 [-inf, 10), WoE 0.916
	// 10 → bin 1 [10, 20), WoE 0.223
	// 25 → bin 2 [20, +inf), WoE -1.281
	// 96 → bin 4 special 96, WoE -4.477
	// NaN → bin 3 missing, WoE 0
	// IV 0.932: suspicious
}

func ExampleWoE() {
	// 400 of 800 goods and 20 of 100 bads fall in the bin.
	woe := classing.WoE(400, 20, 800, 100, classing.DefaultAdjustment)
	iv := classing.IV(400, 20, 800, 100, woe)
	fmt.Printf("WoE %.6f, IV term %.6f, %s\n", woe, iv, classing.StrengthOf(iv))
	// Output: WoE 0.916291, IV term 0.274887, medium
}

func ExampleReadBinning() {
	_, err := classing.ReadBinning(strings.NewReader(`{"version": 1, "name": "dti", "kind": "numeric",
		"cuts": [20, 10], "missing": 3,
		"bins": [{"kind": "range"}, {"kind": "range"}, {"kind": "range"}, {"kind": "missing"}]}`))
	fmt.Println(err)
	// Output: read binning: characteristic "dti": classing: invalid binning: cuts 0 and 1 not increasing
}
