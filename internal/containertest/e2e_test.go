package containertest

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/apikey"
)

// Settings from the environment.
const (
	// envE2E turns the test on: CREDIT_RISK_CONTAINER_E2E=1.
	envE2E = "CREDIT_RISK_CONTAINER_E2E"
	// envRows is the number of sample loans to train on (default 20000).
	envRows = "CREDIT_RISK_E2E_ROWS"
	// envRetrain overrides the retrain command, e.g. "credit-risk retrain
	// --tune-trials 0"; empty runs the train image's default command.
	envRetrain = "CREDIT_RISK_E2E_RETRAIN"
)

const (
	apiImage   = "credit-risk-api:latest"
	trainImage = "credit-risk-train:latest"
	labelKey   = "io.credit-risk.e2e"
	aliasModel = "production.model"
	modelPath  = "/app/models/" + aliasModel
	appUser    = "10001:10001"
)

// run is one end-to-end run: what it made and what the steps learnt.
type run struct {
	id       string // prefix of every name and value of labelKey
	dir      string // holds data/, models/, artifacts/, bind-mounted
	user     string // the invoking user's uid:gid, for the train container
	uid, gid int    // the same as numbers

	passed, failed, skipped int
	report                  []string // measured figures, printed at the end

	binaries map[string]string // sha256 of the binaries in the images
	labels   map[string]string // the api image's labels
	champion string            // model version the alias points at
	body     []byte            // one raw application, for /predict
	apis     []*api            // running API containers
	secret   string            // the API key of every API container
	secrets  string            // the folder of its keys file, mounted read-only
}

// api is one running API container, published on the loopback address.
type api struct {
	name   string
	base   string // http://127.0.0.1:<port>
	secret string // its API key, "" when it runs without
}

func TestContainers(t *testing.T) {
	if os.Getenv(envE2E) != "1" {
		t.Skipf("set %s=1 and build the images (scripts/build-images.sh) to run", envE2E)
	}
	if out, err := docker(t.Context(), 30*time.Second, "info", "--format", "{{.ServerVersion}}"); err != nil {
		t.Fatalf("no Docker Engine: %v", err)
	} else {
		t.Logf("Docker Engine %s", strings.TrimSpace(out))
	}
	r := newRun(t)
	t.Cleanup(r.summary)
	t.Cleanup(func() { r.removeAll(t) })

	r.step(t, "images", r.testImages)
	r.step(t, "reproducible binaries", r.testReproducible)
	r.step(t, "no data mounted", r.testNoData)
	r.step(t, "no model mounted", r.testNoModel)
	r.step(t, "train on sample data", r.testTrain)
	r.step(t, "sharded scoring", r.testShardedScore)
	r.step(t, "api serves the champion", r.testServe)
	r.step(t, "three api containers", r.testThree)
	r.step(t, "live retrain", r.testLiveRetrain)
	r.step(t, "stop one api", r.testStopOne)
	r.step(t, "compose", r.testCompose)
}

func newRun(t *testing.T) *run {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	r := &run{
		id:       "crtest-" + hex.EncodeToString(b[:]),
		dir:      t.TempDir(),
		uid:      os.Getuid(),
		gid:      os.Getgid(),
		binaries: map[string]string{},
	}
	// The train job never runs as root: run as root (CI), the test plays a
	// user who is not, whose folders these are.
	if r.uid == 0 {
		r.uid, r.gid = 4321, 4321
	}
	r.user = fmt.Sprintf("%d:%d", r.uid, r.gid)
	// The API containers run with authentication on: one key with every
	// scope, in a keys file mounted read-only, as a Secret would be.
	secret, hash := apikey.NewSecret()
	keys := &apikey.File{Keys: []apikey.Key{{ID: "container-e2e", Hash: hash, Scopes: apikey.AllScopes, Created: time.Now().UTC()}}}
	// Outside r.dir, whose files all belong to the invoking user.
	secrets := filepath.Join(t.TempDir(), "secrets")
	if err := os.Mkdir(secrets, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := keys.WriteFile(filepath.Join(secrets, "api-keys.json")); err != nil {
		t.Fatal(err)
	}
	// The API runs as its image's user: the file is readable by all, as
	// a Secret volume's files are by the pod's group.
	if err := os.Chmod(filepath.Join(secrets, "api-keys.json"), 0o444); err != nil {
		t.Fatal(err)
	}
	r.secret, r.secrets = secret, secrets
	for _, d := range []string{"data", "models", "artifacts"} {
		if err := os.Mkdir(filepath.Join(r.dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Lchown(filepath.Join(r.dir, d), r.uid, r.gid); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// step runs one step as a subtest and counts its outcome.
func (r *run) step(t *testing.T, name string, f func(t *testing.T)) {
	var skipped bool
	ok := t.Run(name, func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		f(t)
	})
	switch {
	case skipped:
		r.skipped++
	case ok:
		r.passed++
	default:
		r.failed++
	}
}

func (r *run) measure(format string, args ...any) {
	r.report = append(r.report, fmt.Sprintf(format, args...))
}

func (r *run) summary() {
	for _, line := range r.report {
		fmt.Println("container-e2e:", line)
	}
	fmt.Printf("container-e2e: %d passed, %d failed, %d skipped\n", r.passed, r.failed, r.skipped)
}

// removeAll removes every container and network this run started.
func (r *run) removeAll(t *testing.T) {
	ctx := context.WithoutCancel(t.Context())
	filter := "label=" + labelKey + "=" + r.id
	if out, err := docker(ctx, time.Minute, "ps", "-aq", "--filter", filter); err == nil {
		if ids := strings.Fields(out); len(ids) > 0 {
			if _, err := docker(ctx, 2*time.Minute, append([]string{"rm", "-f", "-v"}, ids...)...); err != nil {
				t.Logf("cleanup: %v", err)
			}
		}
	}
	if out, err := docker(ctx, time.Minute, "network", "ls", "-q", "--filter", filter); err == nil {
		for _, id := range strings.Fields(out) {
			if _, err := docker(ctx, time.Minute, "network", "rm", id); err != nil {
				t.Logf("cleanup: %v", err)
			}
		}
	}
}

// need skips a step whose input an earlier step failed to make.
func need(t *testing.T, ok bool, what string) {
	t.Helper()
	if !ok {
		t.Skipf("needs %s from an earlier step", what)
	}
}

// imageConfig is the part of docker image inspect the test reads.
type imageConfig struct {
	Size   int64
	Config struct {
		User         string
		WorkingDir   string
		Env          []string
		Cmd          []string
		Entrypoint   []string
		ExposedPorts map[string]struct{}
		Healthcheck  *struct{ Test []string }
		Labels       map[string]string
	}
}

func (r *run) testImages(t *testing.T) {
	type want struct {
		image, binary, absent string
		user, workdir         string
		cmd, entrypoint       []string
		env                   []string
		ports                 []string
		health                []string
	}
	tests := []want{
		{
			image: apiImage, binary: "usr/local/bin/credit-risk-api", absent: "usr/local/bin/credit-risk",
			user: appUser, workdir: "/app",
			entrypoint: []string{"/usr/local/bin/credit-risk-api"},
			env:        []string{"MODEL_PATH=" + modelPath},
			ports:      []string{"8000/tcp"},
			health:     []string{"CMD", "/usr/local/bin/credit-risk-api", "healthcheck"},
		},
		{
			image: trainImage, binary: "usr/local/bin/credit-risk", absent: "usr/local/bin/credit-risk-api",
			// Starts as root only to switch at once to the owner of the
			// mounted folders (RUN_AS_OWNER).
			user: "", workdir: "/app",
			entrypoint: []string{"/usr/local/bin/credit-risk"},
			cmd:        []string{"retrain"},
			env:        []string{"DATA_DIR=/app/data", "MODELS_DIR=/app/models", "ARTIFACTS_DIR=/app/artifacts", "RUN_AS_OWNER=" + appUser},
		},
	}
	for _, tt := range tests {
		t.Run(tt.image, func(t *testing.T) {
			out, err := docker(t.Context(), time.Minute, "image", "inspect", "--format", "{{json .}}", tt.image)
			if err != nil {
				t.Fatalf("image missing (run scripts/build-images.sh): %v", err)
			}
			var ic imageConfig
			if err := json.Unmarshal([]byte(out), &ic); err != nil {
				t.Fatal(err)
			}
			c := ic.Config
			if c.User != tt.user {
				t.Errorf("user: got %q; want %q", c.User, tt.user)
			}
			if c.WorkingDir != tt.workdir {
				t.Errorf("workdir: got %q; want %q", c.WorkingDir, tt.workdir)
			}
			if tt.cmd != nil && !slices.Equal(c.Cmd, tt.cmd) {
				t.Errorf("cmd: got %q; want %q", c.Cmd, tt.cmd)
			}
			if !slices.Equal(c.Entrypoint, tt.entrypoint) {
				t.Errorf("entrypoint: got %q; want %q", c.Entrypoint, tt.entrypoint)
			}
			for _, e := range tt.env {
				if !slices.Contains(c.Env, e) {
					t.Errorf("env: got %q; want it to hold %q", c.Env, e)
				}
			}
			for _, p := range tt.ports {
				if _, ok := c.ExposedPorts[p]; !ok {
					t.Errorf("exposed ports: got %v; want %s", c.ExposedPorts, p)
				}
			}
			if tt.health != nil && (c.Healthcheck == nil || !slices.Equal(c.Healthcheck.Test, tt.health)) {
				t.Errorf("healthcheck: got %+v; want %q", c.Healthcheck, tt.health)
			}
			if tt.image == apiImage {
				r.labels = c.Labels
			}
			files, err := r.imageFiles(t, tt.image)
			if err != nil {
				t.Fatal(err)
			}
			sum, ok := files[tt.binary]
			if !ok {
				t.Fatalf("got no %s in the image; want the binary", tt.binary)
			}
			r.binaries[filepath.Base(tt.binary)] = sum
			for _, name := range []string{tt.absent, "bin/sh", "usr/bin/python3"} {
				if _, ok := files[name]; ok {
					t.Errorf("got %s in the image; want it absent", name)
				}
			}
			for _, name := range []string{"etc/passwd", "etc/group", "etc/ssl/certs/ca-certificates.crt"} {
				if _, ok := files[name]; !ok {
					t.Errorf("got no %s in the image; want it", name)
				}
			}
			r.measure("image %s: %.1f MB", tt.image, float64(ic.Size)/1e6)
		})
	}
}

// imageFiles lists the regular files of image, with the sha256 of each.
func (r *run) imageFiles(t *testing.T, image string) (map[string]string, error) {
	t.Helper()
	out, err := docker(t.Context(), time.Minute, "create", "--label", labelKey+"="+r.id, image)
	if err != nil {
		return nil, err
	}
	id := strings.TrimSpace(out)
	defer docker(context.WithoutCancel(t.Context()), time.Minute, "rm", "-f", id)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", "export", id)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	files := map[string]string{}
	tr := tar.NewReader(stdout)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			cmd.Wait()
			return nil, fmt.Errorf("docker export %s: %w", image, err)
		}
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeSymlink {
			continue
		}
		sum := sha256.New()
		if _, err := io.Copy(sum, tr); err != nil {
			cmd.Wait()
			return nil, err
		}
		files[strings.TrimPrefix(h.Name, "./")] = hex.EncodeToString(sum.Sum(nil))
	}
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("docker export %s: %w", image, err)
	}
	return files, nil
}

// testReproducible builds both binaries on this machine with the flags and
// stamps of the images and compares their sha256 with the images' copies:
// the same sources, go.sum and Go version must give the same bytes, in or
// out of a container.
func (r *run) testReproducible(t *testing.T) {
	need(t, len(r.binaries) == 2, "the images' binaries")
	version := r.labels["org.opencontainers.image.version"]
	commit := r.labels["org.opencontainers.image.revision"]
	need(t, version != "" && commit != "", "the version labels of the api image")
	root, err := moduleRoot(t)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false",
		"-ldflags", fmt.Sprintf("-s -w -X main.version=%s -X main.commit=%s", version, commit),
		"-o", out+"/", "./cmd/credit-risk", "./cmd/credit-risk-api")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOTOOLCHAIN=local", "GOFLAGS=-mod=readonly")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	for name, want := range r.binaries {
		data, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("%s: got sha256 %s on the host; want %s as in the image", name, got, want)
		} else {
			r.measure("%s sha256 %s, identical in the image and a host build", name, got[:16])
		}
	}
}

func moduleRoot(t *testing.T) (string, error) {
	out, err := exec.CommandContext(t.Context(), "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out))), nil
}

// dockerRun runs a container to its end and returns its output and exit
// code.
func (r *run) dockerRun(t *testing.T, timeout time.Duration, args ...string) (string, int) {
	t.Helper()
	full := append([]string{"run", "--rm", "--label", labelKey + "=" + r.id}, args...)
	out, err := docker(t.Context(), timeout, full...)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out, 0
	case errors.As(err, &exit):
		return out, exit.ExitCode()
	default:
		t.Fatalf("docker run: %v", err)
		return "", -1
	}
}

// mounts returns the three bind mounts of the train image.
func (r *run) mounts() []string {
	var m []string
	for _, d := range []string{"data", "models", "artifacts"} {
		m = append(m, "-v", filepath.Join(r.dir, d)+":/app/"+d)
	}
	return m
}

func (r *run) testNoData(t *testing.T) {
	tests := []struct {
		name    string
		command []string
		want    []string
	}{
		{"default command", nil, []string{"no such file or directory", "/app/data/raw", "-v"}},
		{"single step", []string{"credit-risk", "clean"}, []string{"no such file or directory", "/app/data/raw"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, code := r.dockerRun(t, 2*time.Minute, append([]string{trainImage}, tt.command...)...)
			if code == 0 {
				t.Errorf("exit code: got 0; want non-zero\n%s", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(strings.ToLower(out), strings.ToLower(w)) {
					t.Errorf("output: got %q; want it to contain %q", out, w)
				}
			}
		})
	}
}

func (r *run) testNoModel(t *testing.T) {
	out, code := r.dockerRun(t, time.Minute, "-e", "MODEL_PATH="+modelPath, apiImage)
	if code == 0 {
		t.Errorf("exit code: got 0; want non-zero\n%s", out)
	}
	for _, w := range []string{"Model file not found", modelPath} {
		if !strings.Contains(out, w) {
			t.Errorf("output: got %q; want it to contain %q", out, w)
		}
	}
}

func retrainCommand() []string {
	return strings.Fields(os.Getenv(envRetrain))
}

func (r *run) testTrain(t *testing.T) {
	rows := 20000
	if v := os.Getenv(envRows); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("%s=%q: want a positive number", envRows, v)
		}
		rows = n
	}
	args := append([]string{"--user", r.user}, r.mounts()...)
	out, code := r.dockerRun(t, 5*time.Minute, append(args, trainImage,
		"credit-risk", "sample-data", "--rows", strconv.Itoa(rows), "--seed", "1")...)
	if code != 0 {
		t.Fatalf("sample-data: exit code %d\n%s", code, out)
	}
	start := time.Now()
	out, code = r.dockerRun(t, 30*time.Minute, append(append(args, trainImage), retrainCommand()...)...)
	if code != 0 {
		t.Fatalf("retrain: exit code %d\n%s", code, out)
	}
	r.measure("retrain on %d sample loans in the train image: %.1f s", rows, time.Since(start).Seconds())
	t.Logf("retrain:\n%s", out)

	champion, err := r.readAlias()
	if err != nil {
		t.Fatal(err)
	}
	r.champion = champion
	if _, err := os.Stat(filepath.Join(r.dir, "artifacts", "registry", "registry.json")); err != nil {
		t.Errorf("registry: %v", err)
	}
	t.Run("files owned by the invoking user", func(t *testing.T) {
		uid := uint32(r.uid)
		err := filepath.WalkDir(r.dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || path == r.dir {
				return err // r.dir is the test's own temporary folder
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			if st, ok := info.Sys().(*syscall.Stat_t); ok && st.Uid != uid {
				t.Errorf("%s: got owner %d; want %d", path, st.Uid, uid)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	body, err := application(filepath.Join(r.dir, "data", "raw", "sample_loans.csv"))
	if err != nil {
		t.Fatal(err)
	}
	r.body = body
}

// testShardedScore scores the sample loans with the champion once whole
// and in three shards, each a container of the train image as the
// Kubernetes Indexed Job runs them (--shards with JOB_COMPLETION_INDEX):
// shard 1's output followed by shards 2 and 3 without their header lines
// is the whole run's output, byte for byte.
func (r *run) testShardedScore(t *testing.T) {
	need(t, r.champion != "", "a champion model")
	args := append([]string{"--user", r.user}, r.mounts()...)
	score := func(out string, extra ...string) {
		t.Helper()
		cmd := append(slices.Clone(args), extra...)
		cmd = append(cmd, trainImage, "score", "--in", "/app/data/raw/sample_loans.csv", "--out", "/app/data/scores/"+out)
		if len(extra) > 0 {
			cmd = append(cmd, "--shards", "3")
		}
		if o, code := r.dockerRun(t, 5*time.Minute, cmd...); code != 0 {
			t.Fatalf("score %s: exit code %d\n%s", out, code, o)
		}
	}
	start := time.Now()
	score("whole.csv")
	whole := time.Since(start)
	for k := range 3 {
		score(fmt.Sprintf("part-%d.csv", k), "-e", fmt.Sprintf("JOB_COMPLETION_INDEX=%d", k))
	}
	want, err := os.ReadFile(filepath.Join(r.dir, "data", "scores", "whole.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var joined []byte
	for k := range 3 {
		b, err := os.ReadFile(filepath.Join(r.dir, "data", "scores", fmt.Sprintf("part-%d.csv", k)))
		if err != nil {
			t.Fatal(err)
		}
		if k > 0 {
			_, b, _ = bytes.Cut(b, []byte("\n"))
		}
		joined = append(joined, b...)
	}
	if !bytes.Equal(joined, want) {
		t.Fatalf("the shards' outputs joined (%d bytes) differ from the whole run's (%d bytes)", len(joined), len(want))
	}
	r.measure("sharded scoring: whole run %.1f s; 3 shards joined = whole run, byte for byte (%d bytes)", whole.Seconds(), len(want))
}

// readAlias checks the champion alias (two relative symlinks to existing
// files of one version) and returns that version, e.g. "gbdt_v1".
func (r *run) readAlias() (string, error) {
	models := filepath.Join(r.dir, "models")
	target, err := os.Readlink(filepath.Join(models, aliasModel))
	if err != nil {
		return "", fmt.Errorf("champion alias: %w", err)
	}
	meta, err := os.Readlink(filepath.Join(models, "production_metadata.json"))
	if err != nil {
		return "", fmt.Errorf("champion metadata alias: %w", err)
	}
	if filepath.IsAbs(target) || filepath.IsAbs(meta) {
		return "", fmt.Errorf("alias targets %q, %q: want relative links", target, meta)
	}
	version := strings.TrimSuffix(target, filepath.Ext(target))
	if meta != version+"_metadata.json" {
		return "", fmt.Errorf("alias pair: got %q and %q; want one version", target, meta)
	}
	for _, f := range []string{target, meta} {
		if _, err := os.Stat(filepath.Join(models, f)); err != nil {
			return "", fmt.Errorf("alias target: %w", err)
		}
	}
	return version, nil
}

// application returns the first loan of a raw Lending Club file as a JSON
// application: every non-empty field, as strings in the lender's formats.
func application(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	var header []string
	for {
		rec, err := cr.Read()
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		if header == nil {
			if slices.Contains(rec, "loan_amnt") {
				header = rec
			}
			continue
		}
		if len(rec) != len(header) {
			continue
		}
		app := map[string]string{}
		for i, v := range rec {
			if v != "" {
				app[header[i]] = v
			}
		}
		return json.Marshal(app)
	}
}

// startAPI starts an API container serving the models folder read-only,
// published on an ephemeral 127.0.0.1 port, and waits until it is ready.
// It returns the time from docker run to the first 200 from /ready.
func (r *run) startAPI(t *testing.T, name string) (*api, time.Duration) {
	t.Helper()
	start := time.Now()
	_, err := docker(t.Context(), time.Minute, "run", "-d", "--name", name,
		"--label", labelKey+"="+r.id, "--read-only", "--tmpfs", "/tmp",
		"-p", "127.0.0.1::8000",
		"-v", filepath.Join(r.dir, "models")+":/app/models:ro",
		"-v", r.secrets+":/app/secrets:ro",
		"-e", "MODEL_PATH="+modelPath, "-e", "API_KEYS_FILE=/app/secrets/api-keys.json", apiImage)
	if err != nil {
		t.Fatal(err)
	}
	out, err := docker(t.Context(), time.Minute, "port", name, "8000/tcp")
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.Fields(out)
	if len(addr) == 0 || !strings.HasPrefix(addr[0], "127.0.0.1:") {
		t.Fatalf("published address: got %q; want 127.0.0.1:<port>", out)
	}
	a := &api{name: name, base: "http://" + addr[0], secret: r.secret}
	if err := waitReady(t.Context(), a.base, time.Minute); err != nil {
		logs, _ := docker(context.WithoutCancel(t.Context()), time.Minute, "logs", name)
		t.Fatalf("%s: %v\n%s", name, err, logs)
	}
	return a, time.Since(start)
}

func waitReady(ctx context.Context, base string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/ready", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s/ready: not ready after %v", base, timeout)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// prediction is the part of a /predict answer the test reads.
type prediction struct {
	Prediction         *int     `json:"prediction"`
	DefaultProbability *float64 `json:"default_probability"`
	ModelVersion       string   `json:"model_version"`
}

// predict posts body to a's /predict and returns the decoded answer.
func predict(ctx context.Context, client *http.Client, a *api, body []byte) (prediction, error) {
	var p prediction
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/predict", bytes.NewReader(body))
	if err != nil {
		return p, err
	}
	req.Header.Set("Content-Type", "application/json")
	if a.secret != "" {
		req.Header.Set("Authorization", "Bearer "+a.secret)
	}
	resp, err := client.Do(req)
	if err != nil {
		return p, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return p, err
	}
	if resp.StatusCode != http.StatusOK {
		return p, fmt.Errorf("%s: status %d: %.300s", a.name, resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return p, fmt.Errorf("%s: %w: %.300s", a.name, err, data)
	}
	if p.Prediction == nil || p.DefaultProbability == nil || *p.DefaultProbability < 0 || *p.DefaultProbability > 1 {
		return p, fmt.Errorf("%s: got %.300s; want a prediction and a probability in [0, 1]", a.name, data)
	}
	return p, nil
}

// get fetches url, with the API key secret when it is not "".
func get(ctx context.Context, url, secret string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func (r *run) testServe(t *testing.T) {
	need(t, r.champion != "" && r.body != nil, "a champion model")
	a, cold := r.startAPI(t, r.id+"-api-1")
	r.apis = append(r.apis, a)
	r.measure("api container cold start to ready: %d ms", cold.Milliseconds())

	client := &http.Client{Timeout: 10 * time.Second}
	p, err := predict(t.Context(), client, a, r.body)
	if err != nil {
		t.Fatal(err)
	}
	if p.ModelVersion != r.champion {
		t.Errorf("model_version: got %q; want the champion %q", p.ModelVersion, r.champion)
	}
	pages := []struct{ path, contains string }{
		{"/health", ""},
		{"/ready", ""},
		{"/model/info", r.champion},
		{"/metrics", "model_loaded"},
		{"/docs", "swagger"},
		{"/openapi.json", `"openapi"`},
	}
	for _, pg := range pages {
		t.Run(pg.path, func(t *testing.T) {
			code, body, err := get(t.Context(), a.base+pg.path, a.secret)
			if err != nil {
				t.Fatal(err)
			}
			if code != http.StatusOK {
				t.Errorf("status: got %d; want 200", code)
			}
			if !strings.Contains(body, pg.contains) {
				t.Errorf("body: got %.300q; want it to contain %q", body, pg.contains)
			}
		})
	}
	t.Run("/model/info version", func(t *testing.T) {
		_, body, err := get(t.Context(), a.base+"/model/info", a.secret)
		if err != nil {
			t.Fatal(err)
		}
		var info struct {
			ModelVersion string `json:"model_version"`
		}
		if err := json.Unmarshal([]byte(body), &info); err != nil {
			t.Fatalf("decode /model/info: %v", err)
		}
		if info.ModelVersion != r.champion {
			t.Errorf("model_version: got %q; want the champion %q", info.ModelVersion, r.champion)
		}
	})
	t.Run("auth", func(t *testing.T) {
		// Without the key: 401 on scoring and the model's details; the
		// probes and /metrics stay open.
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, a.base+"/predict", bytes.NewReader(r.body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("POST /predict without a key: %d, WWW-Authenticate %q; want 401 Bearer", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
		for path, want := range map[string]int{"/model/info": 401, "/stats": 401, "/health": 200, "/ready": 200, "/metrics": 200} {
			if code, _, err := get(t.Context(), a.base+path, ""); err != nil || code != want {
				t.Errorf("GET %s without a key: %d, %v; want %d", path, code, err, want)
			}
		}
		if code, _, err := get(t.Context(), a.base+"/model/info", r.secret+"x"); err != nil || code != 401 {
			t.Errorf("GET /model/info with a wrong key: %d, %v; want 401", code, err)
		}
	})
	t.Run("docker health", func(t *testing.T) {
		deadline := time.Now().Add(90 * time.Second)
		var status string
		for time.Now().Before(deadline) {
			out, err := docker(t.Context(), time.Minute, "inspect", "--format", "{{.State.Health.Status}}", a.name)
			if err != nil {
				t.Fatal(err)
			}
			if status = strings.TrimSpace(out); status == "healthy" {
				return
			}
			time.Sleep(time.Second)
		}
		t.Errorf("health: got %q; want healthy", status)
	})
}

func (r *run) testThree(t *testing.T) {
	need(t, len(r.apis) == 1, "a running api container")
	for i := 2; i <= 3; i++ {
		a, _ := r.startAPI(t, fmt.Sprintf("%s-api-%d", r.id, i))
		r.apis = append(r.apis, a)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for _, a := range r.apis {
		p, err := predict(t.Context(), client, a, r.body)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if p.ModelVersion != r.champion {
			t.Errorf("%s: model_version: got %q; want %q", a.name, p.ModelVersion, r.champion)
		}
	}
}

// load sends /predict requests round the given APIs from one goroutine per
// API until stopped, at most maxRequests each.
type load struct {
	ok, failed atomic.Int64
	mu         sync.Mutex
	errs       []string
	versions   map[string]map[string]bool // api name → model versions seen
	cancel     context.CancelFunc
	wg         sync.WaitGroup
}

const maxRequests = 200_000

func startLoad(ctx context.Context, apis []*api, body []byte, pause time.Duration) *load {
	ctx, cancel := context.WithCancel(ctx)
	l := &load{cancel: cancel, versions: map[string]map[string]bool{}}
	client := &http.Client{Timeout: 10 * time.Second}
	for _, a := range apis {
		l.versions[a.name] = map[string]bool{}
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := 0; i < maxRequests && ctx.Err() == nil; i++ {
				p, err := predict(ctx, client, a, body)
				switch {
				case ctx.Err() != nil:
					return
				case err != nil:
					l.failed.Add(1)
					l.mu.Lock()
					if len(l.errs) < 10 {
						l.errs = append(l.errs, err.Error())
					}
					l.mu.Unlock()
				default:
					l.ok.Add(1)
					l.mu.Lock()
					l.versions[a.name][p.ModelVersion] = true
					l.mu.Unlock()
				}
				time.Sleep(pause)
			}
		}()
	}
	return l
}

func (l *load) stop() {
	l.cancel()
	l.wg.Wait()
}

// waitVersion waits until every API answers with model version want.
func waitVersion(ctx context.Context, apis []*api, body []byte, want string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 10 * time.Second}
	for _, a := range apis {
		for {
			p, err := predict(ctx, client, a, body)
			if err == nil && p.ModelVersion == want {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s: still %q (err %v) after %v; want %q", a.name, p.ModelVersion, err, timeout, want)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	return nil
}

func (r *run) testLiveRetrain(t *testing.T) {
	need(t, len(r.apis) == 3, "three running api containers")
	before := r.champion
	l := startLoad(t.Context(), r.apis, r.body, 20*time.Millisecond)
	start := time.Now()
	args := append(append([]string{"--user", r.user}, r.mounts()...), trainImage)
	out, code := r.dockerRun(t, 30*time.Minute, append(args, retrainCommand()...)...)
	if code != 0 {
		l.stop()
		t.Fatalf("retrain: exit code %d\n%s", code, out)
	}
	after, err := r.readAlias()
	if err != nil {
		l.stop()
		t.Fatal(err)
	}
	if after == before {
		l.stop()
		t.Fatalf("champion: got %q again; want a new version", after)
	}
	err = waitVersion(t.Context(), r.apis, r.body, after, 2*time.Minute)
	pickedUp := time.Since(start)
	time.Sleep(2 * time.Second) // keep serving a little on the new model
	l.stop()
	if err != nil {
		t.Error(err)
	}
	r.champion = after
	ok, failed := l.ok.Load(), l.failed.Load()
	r.measure("live retrain %s → %s: %d requests to 3 api containers, %d failed; all on the new champion %.1f s after the retrain started",
		before, after, ok+failed, failed, pickedUp.Seconds())
	if failed != 0 {
		t.Errorf("failed requests: got %d; want 0: %q", failed, l.errs)
	}
	if ok == 0 {
		t.Errorf("requests: got 0; want some during the retrain")
	}
	for name, seen := range l.versions {
		if !seen[before] || !seen[after] {
			t.Errorf("%s: got versions %v; want both %s and %s", name, seen, before, after)
		}
	}
}

func (r *run) testStopOne(t *testing.T) {
	need(t, len(r.apis) == 3, "three running api containers")
	rest := []*api{r.apis[0], r.apis[2]}
	l := startLoad(t.Context(), rest, r.body, 10*time.Millisecond)
	time.Sleep(time.Second)
	if _, err := docker(t.Context(), time.Minute, "stop", "--time", "30", r.apis[1].name); err != nil {
		l.stop()
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	l.stop()
	ok, failed := l.ok.Load(), l.failed.Load()
	r.measure("one of three api containers stopped: %d requests to the other two, %d failed", ok+failed, failed)
	if failed != 0 {
		t.Errorf("failed requests: got %d; want 0: %q", failed, l.errs)
	}
	if ok == 0 {
		t.Errorf("requests: got 0; want some")
	}
	out, err := docker(t.Context(), time.Minute, "inspect", "--format", "{{.State.Running}} {{.State.ExitCode}}", r.apis[1].name)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out); got != "false 0" {
		t.Errorf("stopped container: got running/exit %q; want \"false 0\" (a clean shutdown on SIGTERM)", got)
	}
	r.apis = rest
}

// compose returns the compose command: the plugin (docker compose) or the
// standalone docker-compose.
func compose(ctx context.Context) ([]string, error) {
	if _, err := docker(ctx, 30*time.Second, "compose", "version"); err == nil {
		return []string{"docker", "compose"}, nil
	}
	if path, err := exec.LookPath("docker-compose"); err == nil {
		return []string{path}, nil
	}
	return nil, errors.New("neither docker compose nor docker-compose is installed")
}

func (r *run) testCompose(t *testing.T) {
	need(t, r.champion != "" && r.body != nil, "a champion model")
	base, err := compose(t.Context())
	if err != nil {
		t.Skip(err)
	}
	root, err := moduleRoot(t)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(root, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(r.dir, "docker-compose.yml")
	if err := os.WriteFile(file, src, 0o644); err != nil {
		t.Fatal(err)
	}
	project := strings.ReplaceAll(r.id, "-", "")
	env := append(os.Environ(), "API_PUBLISH=127.0.0.1:",
		"HOST_UID="+strconv.Itoa(r.uid), "HOST_GID="+strconv.Itoa(r.gid))
	ctx := t.Context()
	composeCmd := func(timeout time.Duration, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		full := append(slices.Clone(base[1:]), "-p", project, "-f", file)
		cmd := exec.CommandContext(ctx, base[0], append(full, args...)...)
		cmd.Dir = r.dir
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			return string(out), fmt.Errorf("%s %s: %w\n%s", strings.Join(base, " "), strings.Join(args, " "), err, out)
		}
		return string(out), nil
	}
	t.Cleanup(func() {
		ctx = context.WithoutCancel(ctx) // t.Context is done when cleanups run
		if out, err := composeCmd(2*time.Minute, "down", "-v", "--remove-orphans"); err != nil {
			t.Logf("compose down: %v\n%s", err, out)
		}
	})

	before := r.champion
	if out, err := composeCmd(30*time.Minute, append([]string{"run", "--rm", "train"}, retrainCommand()...)...); err != nil {
		t.Fatalf("compose run train: %v", err)
	} else {
		t.Logf("compose run train:\n%s", out)
	}
	after, err := r.readAlias()
	if err != nil {
		t.Fatal(err)
	}
	if after == before {
		t.Errorf("champion after compose run train: got %q again; want a new version", after)
	}
	r.champion = after

	if _, err := composeCmd(5*time.Minute, "up", "-d", "--no-build", "api"); err != nil {
		t.Fatal(err)
	}
	out, err := composeCmd(time.Minute, "port", "api", "8000")
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimSpace(out)
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Fatalf("published address: got %q; want 127.0.0.1:<port>", addr)
	}
	a := &api{name: "compose api", base: "http://" + addr}
	if err := waitReady(t.Context(), a.base, time.Minute); err != nil {
		logs, _ := composeCmd(time.Minute, "logs", "api")
		t.Fatalf("%v\n%s", err, logs)
	}
	p, err := predict(t.Context(), &http.Client{Timeout: 10 * time.Second}, a, r.body)
	if err != nil {
		t.Fatal(err)
	}
	if p.ModelVersion != r.champion {
		t.Errorf("model_version: got %q; want %q", p.ModelVersion, r.champion)
	}
}

// docker runs the docker CLI and returns its combined output.
func docker(ctx context.Context, timeout time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("docker %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}
