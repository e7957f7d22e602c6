package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/serve/servetest"
)

// binDir holds the binary the end-to-end tests build once.
var binDir string

func TestMain(m *testing.M) {
	var err error
	if binDir, err = os.MkdirTemp("", "credit-risk-api-e2e"); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(binDir)
	os.Exit(code)
}

var buildOnce sync.Once

// buildBinary builds credit-risk-api once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	bin := filepath.Join(binDir, "credit-risk-api")
	buildOnce.Do(func() {
		out, err := exec.Command(gocmd, "build", "-ldflags", "-X main.version=e2e", "-o", bin, ".").CombinedOutput()
		if err != nil {
			t.Logf("go build: %v\n%s", err, out)
		}
	})
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("no binary: the build failed")
	}
	return bin
}

// process is a running credit-risk-api.
type process struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:port
	port string

	mu    sync.Mutex
	lines []string // stderr
	done  chan struct{}
}

func start(t *testing.T, bin string, env ...string) *process {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "API_HOST=127.0.0.1", "API_PORT=0")
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.lines = append(p.lines, line)
			p.mu.Unlock()
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				addr <- rec.Addr
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	select {
	case a := <-addr:
		_, port, _ := net.SplitHostPort(a)
		p.port, p.base = port, "http://127.0.0.1:"+port
	case <-p.done:
		t.Fatalf("the server exited before listening:\n%s", p.log())
	case <-time.After(20 * time.Second):
		t.Fatalf("the server did not listen within 20s:\n%s", p.log())
	}
	return p
}

func (p *process) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

func (p *process) request(t *testing.T, method, path string, body any) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, _ := json.Marshal(b)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, p.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, data
}

// TestEndToEnd builds the binary, serves a model trained in-process on a
// small synthetic table, and exercises every endpoint, bad input, a reload
// under load (with a corrupt model in between), SIGHUP, the healthcheck
// subcommand, the access log and a graceful SIGTERM shutdown.
func TestEndToEnd(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	v1 := servetest.WriteModel(t, dir, servetest.Options{Version: 1, Trees: 30, Depth: 3, Train: true})
	v2 := servetest.WriteModel(t, dir, servetest.Options{Version: 2, Trees: 60, Depth: 4, Train: true})
	bad := servetest.WriteCorrupt(t, dir, 3)
	servetest.SetAlias(t, dir, v1)
	p := start(t, bin, "MODEL_PATH="+filepath.Join(dir, "production.model"), "MODEL_RELOAD_INTERVAL=50ms", "MAX_BODY_BYTES=64KiB")

	const secret = "98765.4321" // an applicant value that must never reach the logs
	app := servetest.Application(4)
	app["annual_inc"] = secret

	t.Run("endpoints", func(t *testing.T) {
		tests := []struct {
			method, path string
			body         any
			status       int
			contains     string
		}{
			{"GET", "/health", nil, 200, `"status":"ok"`},
			{"GET", "/ready", nil, 200, `"model_version":"gbdt_v1"`},
			{"GET", "/model/info", nil, 200, `"version": "e2e"`},
			{"GET", "/openapi.json", nil, 200, `"annual_inc"`},
			{"GET", "/docs", nil, 200, "swagger-ui-bundle.js"},
			{"GET", "/docs/swagger-ui-bundle.js", nil, 200, "SwaggerUIBundle"},
			{"POST", "/predict", app, 200, `"model_version":"gbdt_v1"`},
			{"POST", "/predict?explain=true", app, 200, `"reasons":[{"feature":`},
			{"POST", "/predict/batch", map[string]any{"applications": []any{app, servetest.Application(5), 7}}, 200, `"errors":1`},
			{"POST", "/predict", `{"loan_amnt":`, 400, "malformed-json"},
			{"POST", "/predict", `[]`, 400, "not-an-object"},
			{"POST", "/predict", `{"loan_amnt":"x","grade":"Z"}`, 422, `"problem":"unknown_level"`},
			{"POST", "/predict", `{"id":"` + strings.Repeat("x", 70<<10) + `"}`, 413, "body-too-large"},
			{"GET", "/predict", nil, 405, "method-not-allowed"},
			{"GET", "/nope", nil, 404, "not-found"},
			{"GET", "/metrics", nil, 200, `http_requests_total{endpoint="/predict",method="POST",status="200"}`},
			{"GET", "/stats", nil, 200, `"POST /predict"`},
		}
		for _, tt := range tests {
			t.Run(tt.method+" "+tt.path, func(t *testing.T) {
				status, h, body := p.request(t, tt.method, tt.path, tt.body)
				if status != tt.status {
					t.Fatalf("status %d; want %d: %.500s", status, tt.status, body)
				}
				if !strings.Contains(string(body), tt.contains) {
					t.Errorf("body lacks %q: %.1000s", tt.contains, body)
				}
				if h.Get("X-Request-Id") == "" {
					t.Errorf("no X-Request-Id")
				}
			})
		}
	})

	t.Run("reload under load", func(t *testing.T) {
		body, _ := json.Marshal(servetest.Application(2))
		var requests, failures atomic.Int64
		versions := sync.Map{}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					resp, err := http.Post(p.base+"/predict", "application/json", bytes.NewReader(body))
					requests.Add(1)
					if err != nil {
						failures.Add(1)
						continue
					}
					var got struct {
						Version string `json:"model_version"`
					}
					json.NewDecoder(resp.Body).Decode(&got)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						failures.Add(1)
						continue
					}
					versions.Store(got.Version, true)
				}
			})
		}
		// Each switch waits for the server to have reloaded (or refused)
		// it, as /stats counts, and to have answered requests since.
		reloads := func() int {
			var st struct {
				Reloads struct{ Success, Failure int }
			}
			_, _, b := p.request(t, "GET", "/stats", nil)
			json.Unmarshal(b, &st)
			return st.Reloads.Success + st.Reloads.Failure
		}
		for _, alias := range []string{v2, bad, v1, bad, v2} {
			before, served := reloads(), requests.Load()
			servetest.SetAlias(t, dir, alias)
			deadline := time.Now().Add(30 * time.Second)
			for reloads() <= before || requests.Load() < served+4 {
				if time.Now().After(deadline) {
					t.Fatalf("the server did not reload %s within 30 s", alias)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		close(stop)
		wg.Wait()
		if failures.Load() != 0 || requests.Load() < 20 {
			t.Fatalf("%d of %d requests failed; want 0 of at least 20", failures.Load(), requests.Load())
		}
		for _, v := range []string{v1, v2} {
			if _, ok := versions.Load(v); !ok {
				t.Errorf("no answer from %s", v)
			}
		}
		_, _, metrics := p.request(t, "GET", "/metrics", nil)
		for _, want := range []string{`model_reloads_total{result="failure"}`, `model_info{algorithm="gbdt",version="gbdt_v2"} 1`} {
			if !strings.Contains(string(metrics), want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		if strings.Contains(string(metrics), `model_reloads_total{result="failure"} 0`) {
			t.Errorf("the corrupt model was not counted as a failed reload")
		}
		t.Logf("%d requests during 5 alias switches", requests.Load())
	})

	t.Run("SIGHUP", func(t *testing.T) {
		var before struct{ Reloads struct{ Success int } }
		_, _, b := p.request(t, "GET", "/stats", nil)
		json.Unmarshal(b, &before)
		p.cmd.Process.Signal(syscall.SIGHUP)
		deadline := time.Now().Add(5 * time.Second)
		for {
			var after struct{ Reloads struct{ Success int } }
			_, _, b := p.request(t, "GET", "/stats", nil)
			json.Unmarshal(b, &after)
			if after.Reloads.Success > before.Reloads.Success {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("SIGHUP did not reload the model")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})

	t.Run("healthcheck", func(t *testing.T) {
		for _, tt := range []struct {
			port string
			code int
		}{{p.port, 0}, {"1", 1}} {
			cmd := exec.Command(bin, "healthcheck")
			cmd.Env = append(os.Environ(), "API_PORT="+tt.port)
			out, _ := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); code != tt.code {
				t.Errorf("healthcheck on port %s: exit %d; want %d: %s", tt.port, code, tt.code, out)
			}
		}
	})

	t.Run("graceful shutdown", func(t *testing.T) {
		// A request in flight when SIGTERM arrives still gets its answer.
		conn, err := net.Dial("tcp", "127.0.0.1:"+p.port)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		body, _ := json.Marshal(servetest.Application(1))
		fmt.Fprintf(conn, "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
		conn.Write(body[:10])
		time.Sleep(100 * time.Millisecond)
		p.cmd.Process.Signal(syscall.SIGTERM)
		time.Sleep(100 * time.Millisecond)
		conn.Write(body[10:])
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("in-flight request: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("in-flight request: status %d; want 200", resp.StatusCode)
		}
		<-p.done
		if err := p.cmd.Wait(); err != nil {
			t.Errorf("exit: %v; want 0 after SIGTERM\n%s", err, p.log())
		}
	})

	t.Run("logs", func(t *testing.T) {
		<-p.done
		log := p.log()
		if strings.Contains(log, secret) {
			t.Errorf("the log contains applicant data (%s)", secret)
		}
		var access int
		for _, line := range strings.Split(log, "\n") {
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("log line is not JSON: %q", line)
			}
			if rec["msg"] != "request" {
				continue
			}
			access++
			for _, k := range []string{"request_id", "method", "path", "status", "latency_ms", "model_version"} {
				if _, ok := rec[k]; !ok {
					t.Errorf("access log lacks %s: %s", k, line)
				}
			}
		}
		if access < 20 {
			t.Errorf("%d access log records; want one per request", access)
		}
		for _, want := range []string{`"msg":"model reloaded"`, `"msg":"model reload failed; the previous model keeps serving"`, `"msg":"stopped"`} {
			if !strings.Contains(log, want) {
				t.Errorf("log lacks %s", want)
			}
		}
	})
}

// TestEndToEndNoModel checks the image contract: no model, exit non-zero
// with "Model file not found: <path>" and the fix.
func TestEndToEndNoModel(t *testing.T) {
	bin := buildBinary(t)
	path := filepath.Join(t.TempDir(), "production.model")
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "MODEL_PATH="+path, "API_PORT=0")
	out, err := cmd.CombinedOutput()
	if err == nil || cmd.ProcessState.ExitCode() == 0 {
		t.Fatalf("exit 0 without a model: %s", out)
	}
	if !strings.Contains(string(out), "Model file not found: "+path) || !strings.Contains(string(out), "MODEL_PATH") {
		t.Errorf("output %q; want the contract's message and the fix", out)
	}
	version, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.HasPrefix(string(version), "credit-risk-api e2e") {
		t.Errorf("--version: %q, %v; want credit-risk-api e2e …", version, err)
	}
}
