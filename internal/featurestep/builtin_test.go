package featurestep

import (
	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/specs"
)

func loadBuiltin() (*dataset.Spec, error) { return specs.Load(specs.Default) }
