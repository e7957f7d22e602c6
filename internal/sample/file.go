package sample

import (
	"bufio"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
)

// WriteFile writes the loans cfg describes to path, gzip-compressed when
// the name ends in ".gz", creating its folder. The file appears whole or
// not at all (temporary name, fsync, rename).
func WriteFile(ctx context.Context, path string, cfg Config) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		var dst io.Writer = bw
		var zw *gzip.Writer
		if strings.HasSuffix(path, ".gz") {
			zw = gzip.NewWriter(bw)
			dst = zw
		}
		if err := Write(ctx, dst, cfg); err != nil {
			return err
		}
		if zw != nil {
			if err := zw.Close(); err != nil {
				return err
			}
		}
		return bw.Flush()
	})
}
