package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
	"github.com/credit-risk/credit-risk/internal/clean"
	"github.com/credit-risk/credit-risk/internal/document"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/registry"
)

const documentHelp = `
Usage: credit-risk document [--name NAME --version N] [--out DIR]

Writes the model development document of a registered model version (the
production champion by default) as a self-contained HTML page and as
Markdown: purpose and intended use, data (sources, fingerprint, period,
exclusions with counts, target definition), features and the leakage
exclusions, methodology and tuning, selection, performance on validation
and test, stability, fairness, limitations, the monitoring plan and the
promotion history with reasons. Everything comes from what the registry,
the model's metadata and the clean step recorded; what was not recorded is
said so. The clean step's log (data/processed/clean_log.json) is used only
when its data fingerprint is the version's run's.

Reads  artifacts/registry/registry.json, models/<name>_v<N>_metadata.json,
       data/processed/clean_log.json.
Writes DIR/model_document.html and DIR/model_document.md (default DIR:
       artifacts/documents/<name>_v<N>).

Examples:
  credit-risk document
  credit-risk document --name lr --version 3 --out /tmp/validation
`

func runDocument(ctx context.Context, m *Main, args []string) error {
	fs := newFlagSet(m, "document", documentHelp)
	var d dirs
	d.bind(fs, m)
	name := fs.String("name", "", "model name (default: the production champion's)")
	version := fs.Int("version", 0, "model version (default: the production champion's)")
	out := fs.String("out", "", "output folder (default artifacts/documents/<name>_v<N>)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if (*name == "") != (*version == 0) {
		return fmt.Errorf("%w: --name and --version go together (or neither, for the production champion)", errUsage)
	}
	reg, err := registry.Read(filepath.Join(d.artifacts, "registry"))
	if err != nil {
		return err
	}
	var v *registry.Version
	if *name == "" {
		if v = reg.Production(); v == nil {
			return errors.New("document: no version is in production; name one with --name and --version (credit-risk models list)")
		}
	} else if v, err = reg.Version(registry.Ref{Name: *name, Version: *version}); err != nil {
		return fmt.Errorf("document: %w (credit-risk models list shows the versions)", err)
	}
	meta, err := model.ReadMetadata(filepath.Join(d.models, v.Metadata))
	if err != nil {
		return fmt.Errorf("document: the metadata of %s v%d: %w", v.Name, v.Version, err)
	}
	in := document.Inputs{Registry: reg, Version: v, Meta: meta, Now: time.Now()}
	if run, err := reg.Run(v.RunID); err == nil {
		in.Run = run
		in.Report = run.Report
		in.Clean = runCleanLog(d.processed(), run.DataFingerprint)
	}
	if in.Clean == nil {
		if spec, err := d.loadSpec(); err == nil {
			in.Spec = spec
		}
	}
	doc, err := document.Build(in)
	if err != nil {
		return err
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join(d.artifacts, "documents", fmt.Sprintf("%s_v%d", v.Name, v.Version))
	}
	if err := checkWritable(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	html, md := filepath.Join(dir, "model_document.html"), filepath.Join(dir, "model_document.md")
	if err := atomicfile.Write(html, 0o644, func(w io.Writer) error { return document.WriteHTML(w, doc) }); err != nil {
		return fmt.Errorf("document: %w", err)
	}
	if err := atomicfile.Write(md, 0o644, func(w io.Writer) error { return document.WriteMarkdown(w, doc) }); err != nil {
		return fmt.Errorf("document: %w", err)
	}
	fmt.Fprintf(m.Stdout, "model document of %s v%d (%s):\n  %s\n  %s\n", v.Name, v.Version, v.Stage, html, md)
	return nil
}

// runCleanLog returns the clean step's log in processed when it is the
// log of the data whose fingerprint is given, nil otherwise.
func runCleanLog(processed, fingerprint string) *clean.Log {
	data, err := os.ReadFile(filepath.Join(processed, "clean_log.json"))
	if err != nil || fingerprint == "" {
		return nil
	}
	var l clean.Log
	if json.Unmarshal(data, &l) != nil || l.Output.SHA256 != fingerprint {
		return nil
	}
	return &l
}
