package metrics_test

import (
	"fmt"

	"github.com/credit-risk/credit-risk/internal/metrics"
)

func ExampleROCAUC() {
	labels := []float64{0, 0, 1, 1}
	scores := []float64{0.1, 0.4, 0.35, 0.8}
	auc, err := metrics.ROCAUC(labels, scores, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("AUC %.2f\n", auc)

	_, err = metrics.ROCAUC([]float64{1, 1}, []float64{0.2, 0.9}, nil)
	fmt.Println(err)
	// Output:
	// AUC 0.75
	// roc auc: metrics: only one class present
}

func ExampleConfusion() {
	labels := []float64{0, 0, 1, 1, 1}
	probs := []float64{0.2, 0.6, 0.7, 0.4, 0.9}
	c, err := metrics.Confusion(labels, probs, 0.5)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("TP=%d FP=%d TN=%d FN=%d precision=%.3f recall=%.3f\n",
		c.TP, c.FP, c.TN, c.FN, c.Precision(), c.Recall())
	// Output:
	// TP=2 FP=1 TN=1 FN=1 precision=0.667 recall=0.667
}

func ExamplePSI() {
	reference := []float64{250, 500, 250} // counts per bin at training time
	live := []float64{200, 500, 300}      // counts per bin now
	psi, err := metrics.PSI(reference, live)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("PSI %.4f\n", psi)
	// Output:
	// PSI 0.0203
}
