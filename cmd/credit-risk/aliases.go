package main

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// stepAliases maps the names of the pipeline steps that have no command of
// their own to the command that does their work.
var stepAliases = map[string]stepAlias{
	"ingest":   {args: []string{"validate"}, does: "reads and checks the raw files"},
	"tune":     {args: []string{"retrain", "--no-promote"}, does: "tunes and trains every learner without changing the champion"},
	"promote":  {args: []string{"models", "promote"}, does: "makes a model version the champion"},
	"rollback": {args: []string{"models", "rollback"}, does: "puts the previous champion back"},
}

// stepAlias is a step name that runs another command.
type stepAlias struct {
	args []string // the command and its leading flags
	does string   // what it does, for the line that says which step ran
}

// scriptSteps are the words a script name is matched on, in the order they
// are tried within each word of the name: the step a script like
// scripts/clean_data.py or scripts/build_features.py stands for.
var scriptSteps = map[string]string{
	"ingest": "ingest", "ingestion": "ingest", "load": "ingest",
	"clean": "clean", "cleaning": "clean", "preprocess": "clean",
	"feature": "features", "features": "features",
	"train": "train", "training": "train",
	"tune": "tune", "tuning": "tune", "hyperparameters": "tune",
	"evaluate": "evaluate", "evaluation": "evaluate", "eval": "evaluate",
	"explain": "explain", "explainability": "explain", "shap": "explain",
	"retrain": "retrain", "retraining": "retrain", "pipeline": "retrain",
	"promote": "promote", "promotion": "promote",
	"rollback": "rollback",
}

// resolveArgs turns the ways a step can be named into this program's
// arguments: the program's own name in front (`credit-risk clean`, as a
// container command), a Python script invocation of the step
// (`python scripts/clean_data.py`), and the step names that have no
// command of their own (`ingest`, `tune`, `promote`, `rollback`). It
// returns a line saying which command runs when the arguments were
// rewritten, and an error for a script it cannot place.
func resolveArgs(args []string) (resolved []string, note string, err error) {
	if len(args) > 0 && isSelf(args[0]) {
		args = args[1:]
	}
	if len(args) == 0 {
		return args, "", nil
	}
	given := args[0]
	if isPython(given) {
		rest := args[1:]
		if len(rest) > 1 && rest[0] == "-m" {
			rest = append([]string{strings.ReplaceAll(rest[1], ".", "/")}, rest[2:]...)
		}
		if len(rest) == 0 {
			return nil, "", fmt.Errorf("%w: %s with no script: name a step instead, e.g. `credit-risk retrain`", errUsage, given)
		}
		step, ok := scriptStep(rest[0])
		if !ok {
			return nil, "", fmt.Errorf("%w: %s %s: no step of this pipeline matches that script; the steps are ingest, clean, features, train, tune, evaluate, explain, retrain, promote, rollback (run `credit-risk help`)", errUsage, given, rest[0])
		}
		given = given + " " + rest[0]
		args = append([]string{step}, rest[1:]...)
	}
	if a, ok := stepAliases[args[0]]; ok {
		out := append(append([]string{}, a.args...), args[1:]...)
		return out, fmt.Sprintf("%s: running `credit-risk %s` (%s)", given, strings.Join(out, " "), a.does), nil
	}
	if given != args[0] {
		return args, fmt.Sprintf("%s: running `credit-risk %s`", given, strings.Join(args, " ")), nil
	}
	return args, "", nil
}

// isSelf reports whether arg names this program.
func isSelf(arg string) bool { return filepath.Base(arg) == "credit-risk" }

// isPython reports whether arg names a Python interpreter.
func isPython(arg string) bool {
	base := filepath.Base(arg)
	return base == "python" || base == "python3" || strings.HasPrefix(base, "python3.")
}

// scriptStep finds the step a script's file name stands for: the first word
// of its name (split at '_', '-' and '.') that names a step.
func scriptStep(script string) (string, bool) {
	name := strings.TrimSuffix(path.Base(filepath.ToSlash(script)), ".py")
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == '_' || r == '-' || r == '.' })
	for _, w := range words {
		if step, ok := scriptSteps[w]; ok {
			return step, true
		}
	}
	return "", false
}
