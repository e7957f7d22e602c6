package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/registry"
)

const modelsHelp = `
Usage: credit-risk models list
       credit-risk models promote --name NAME --version N [--reason TEXT]
       credit-risk models rollback [--name NAME --version N] [--reason TEXT]

list     shows every registered model version with its stage and test
         metrics, and where the champion and challenger aliases point.
promote  moves the production version to archived and the chosen version
         to production, and repoints models/production.model and
         models/production_metadata.json at it. Promoting the challenger
         (a candidate a promotion gate stopped) overrides the gate: the
         reason is recorded, and the challenger alias is removed.
rollback restores the version that was in production before the current
         one (or the one given).

Every change is recorded in artifacts/registry/registry.json with its time
and reason. --name may be left out when only one model name has version N.

Examples:
  credit-risk models list
  credit-risk models promote --name lr --version 2 --reason "approved by risk committee"
  credit-risk models promote --name gbdt --version 4 --reason "challenger reviewed: PSI from a known campaign"
  credit-risk models rollback --reason "score drift after release"
`

func runModels(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(m.Stdout, modelsHelp)
		if len(args) == 0 {
			return fmt.Errorf("%w: models: want list, promote or rollback", errUsage)
		}
		return nil
	}
	sub := args[0]
	fs := newFlagSet(m, "models "+sub, modelsHelp)
	var d dirs
	d.bind(fs, m)
	name := fs.String("name", "", "model name (gbdt, rf, lr, scorecard)")
	version := fs.Int("version", 0, "model version")
	reason := fs.String("reason", "", "why (recorded in the registry)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	regDir := filepath.Join(d.artifacts, "registry")
	if sub == "promote" || sub == "rollback" {
		if err := checkWritable(regDir, d.models); err != nil {
			return err
		}
	}
	switch sub {
	case "list":
		return listModels(m, regDir, d.models)
	case "promote":
		if *version <= 0 {
			return fmt.Errorf("%w: models promote needs --version", errUsage)
		}
		return changeChampion(m, regDir, d.models, registry.ActionPromote, *name, *version, *reason)
	case "rollback":
		return changeChampion(m, regDir, d.models, registry.ActionRollback, *name, *version, *reason)
	}
	return fmt.Errorf("%w: models: unknown subcommand %q (want list, promote or rollback)", errUsage, sub)
}

func listModels(m *Main, regDir, modelsDir string) error {
	reg, err := registry.Read(regDir)
	if err != nil {
		return err
	}
	if len(reg.Versions) == 0 {
		fmt.Fprintf(m.Stdout, "no registered models in %s: run `credit-risk retrain` first\n", absPath(filepath.Join(regDir, registry.File)))
		if demo, ok := besideDemo(regDir, registry.File); ok {
			fmt.Fprintf(m.Stdout, "`make demo` registered its models in %s: look at them with\n  credit-risk models list --artifacts-dir %s --models-dir %s\nor cd %s and run `credit-risk models list` there\n",
				demo, filepath.Dir(demo), filepath.Join(demoDir, modelsDir), demoDir)
		}
		return nil
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERSION\tSTAGE\tROC-AUC\tKS\tBRIER\tECE\tCREATED\tRUN")
	for _, v := range reg.Versions {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%.4f\t%.3f\t%.4f\t%.4f\t%s\t%s\n", v.Name, v.Version, v.Stage,
			v.Metrics.ROCAUC, v.Metrics.KS, v.Metrics.Brier, v.Metrics.ECE, v.Created.Format(time.DateTime), v.RunID)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, a := range registry.Aliases {
		target, err := registry.AliasTarget(modelsDir, a, model.Ext)
		if err != nil {
			return err
		}
		switch {
		case target != "":
			fmt.Fprintf(m.Stdout, "alias: %s -> %s\n", filepath.Join(modelsDir, string(a)+model.Ext), target)
		case a == registry.Production:
			fmt.Fprintln(m.Stdout, "alias: none (no champion yet)")
		}
	}
	return nil
}

func changeChampion(m *Main, regDir, modelsDir string, action registry.Action, name string, version int, reason string) error {
	if reason == "" {
		reason = "manual " + string(action)
	}
	chosen, err := registry.SetStage(regDir, modelsDir, registry.Change{
		Pick: func(reg *registry.Registry) (*registry.Version, error) {
			// A challenger promoted is recorded as such: the event's
			// from-stage is challenger, with the reason.
			if version > 0 {
				return findVersion(reg, name, version)
			}
			return reg.PreviousProduction()
		},
		To: registry.StageProduction, Action: action, Reason: reason,
		Verify: func(modelPath, metaPath string) error {
			_, _, err := model.Load(modelPath, metaPath)
			return err
		},
	}, time.Now().UTC())
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%s: %s is now production (alias %s -> %s)\n", action, chosen.Ref(), filepath.Join(modelsDir, registry.AliasBase+model.Ext), chosen.File)
	return nil
}

// findVersion resolves --name/--version; the name may be omitted when the
// version number is unique.
func findVersion(reg *registry.Registry, name string, version int) (*registry.Version, error) {
	if name != "" {
		return reg.Version(registry.Ref{Name: name, Version: version})
	}
	var found []*registry.Version
	for i := range reg.Versions {
		if reg.Versions[i].Version == version {
			found = append(found, &reg.Versions[i])
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("%w: no model has version %d", registry.ErrNotFound, version)
	case 1:
		return found[0], nil
	}
	var names []string
	for _, v := range found {
		names = append(names, v.Name)
	}
	return nil, errors.New("version " + fmt.Sprint(version) + " exists for " + strings.Join(names, ", ") + ": say which with --name")
}
