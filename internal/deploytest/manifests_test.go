package deploytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// manifestDir is deploy/k8s relative to this package.
const manifestDir = "../../deploy/k8s"

// The contracts the manifests share with the images (Dockerfile.serve,
// Dockerfile.train) and the API.
const (
	apiImage   = "credit-risk-api:latest"
	trainImage = "credit-risk-train:latest"
	apiPort    = 8000
	appUID     = 10001
	modelPath  = "/app/models/production.model"
	modelsPVC  = "credit-risk-models"
	dataPVC    = "credit-risk-data"
	artsPVC    = "credit-risk-artifacts"
	apiName    = "credit-risk-api"
)

// kustomization is the part of kustomize's file format the manifests use.
type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Resources  []string `json:"resources"`
}

// newObject returns an empty object of the Go type for apiVersion and kind.
func newObject(apiVersion, kind string) (any, error) {
	switch apiVersion + " " + kind {
	case "apps/v1 Deployment":
		return new(appsv1.Deployment), nil
	case "v1 Service":
		return new(corev1.Service), nil
	case "v1 PersistentVolumeClaim":
		return new(corev1.PersistentVolumeClaim), nil
	case "autoscaling/v2 HorizontalPodAutoscaler":
		return new(autoscalingv2.HorizontalPodAutoscaler), nil
	case "policy/v1 PodDisruptionBudget":
		return new(policyv1.PodDisruptionBudget), nil
	case "batch/v1 CronJob":
		return new(batchv1.CronJob), nil
	case "batch/v1 Job":
		return new(batchv1.Job), nil
	case "kustomize.config.k8s.io/v1beta1 Kustomization":
		return new(kustomization), nil
	}
	return nil, fmt.Errorf("no Go type for apiVersion %q kind %q", apiVersion, kind)
}

// decodeStrict decodes one YAML manifest into its typed object. Unknown and
// duplicate fields are errors, and so is a key whose spelling differs from
// the API's only in case (encoding/json alone would accept it).
func decodeStrict(data []byte) (any, error) {
	var meta metav1.TypeMeta
	if err := yaml.Unmarshal(data, &meta); err != nil {
		return nil, fmt.Errorf("read apiVersion and kind: %w", err)
	}
	obj, err := newObject(meta.APIVersion, meta.Kind)
	if err != nil {
		return nil, err
	}
	if err := yaml.UnmarshalStrict(data, obj); err != nil {
		return nil, fmt.Errorf("decode %s: %w", meta.Kind, err)
	}
	var in any
	if err := yaml.Unmarshal(data, &in); err != nil {
		return nil, fmt.Errorf("decode %s generically: %w", meta.Kind, err)
	}
	round, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", meta.Kind, err)
	}
	var out any
	if err := json.Unmarshal(round, &out); err != nil {
		return nil, fmt.Errorf("decode %s round trip: %w", meta.Kind, err)
	}
	if err := sameKeys("", in, out); err != nil {
		return nil, fmt.Errorf("%s: %w", meta.Kind, err)
	}
	return obj, nil
}

// sameKeys reports a key of in that the typed round trip out lost: a field
// the type matched only case-insensitively. Keys holding zero values may be
// dropped by omitempty and are not reported.
func sameKeys(path string, in, out any) error {
	switch in := in.(type) {
	case map[string]any:
		o, _ := out.(map[string]any)
		for k, v := range in {
			ov, ok := o[k]
			if !ok {
				if isZero(v) {
					continue
				}
				return fmt.Errorf("field %s%s is not a field of the API type (check its spelling and case)", path, k)
			}
			if err := sameKeys(path+k+".", v, ov); err != nil {
				return err
			}
		}
	case []any:
		o, _ := out.([]any)
		for i, v := range in {
			if i >= len(o) {
				return fmt.Errorf("list %s lost item %d", strings.TrimSuffix(path, "."), i)
			}
			if err := sameKeys(fmt.Sprintf("%s%d.", path, i), v, o[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func isZero(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case bool:
		return !v
	case float64:
		return v == 0
	case string:
		return v == ""
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}

// loadAll decodes every manifest in deploy/k8s, keyed by file name.
func loadAll(t testing.TB) map[string]any {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(manifestDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no manifests in %s", manifestDir)
	}
	objs := make(map[string]any, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte("\n---")) {
			t.Fatalf("%s: holds several documents; keep one object per file", f)
		}
		obj, err := decodeStrict(data)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
		objs[filepath.Base(f)] = obj
	}
	return objs
}

// only returns the single object of type T among objs.
func only[T any](t testing.TB, objs map[string]any) T {
	t.Helper()
	var found []T
	for _, o := range objs {
		if v, ok := o.(T); ok {
			found = append(found, v)
		}
	}
	if len(found) != 1 {
		var zero T
		t.Fatalf("got %d objects of type %T; want 1", len(found), zero)
	}
	return found[0]
}

func TestManifestsDecodeStrictly(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(manifestDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := decodeStrict(data); err != nil {
				t.Errorf("got %v; want a strict decode", err)
			}
		})
	}
}

func TestDecodeStrictRejects(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown field", "apiVersion: v1\nkind: Service\nspec:\n  selectr: {}\n", "unknown field"},
		{"wrong case", "apiVersion: v1\nkind: Service\nspec:\n  Selector: {a: b}\n", "spec.Selector"},
		{"duplicate field", "apiVersion: v1\nkind: Service\nspec:\n  type: ClusterIP\n  type: NodePort\n", "already set"},
		{"bad quantity", "apiVersion: v1\nkind: PersistentVolumeClaim\nspec:\n  resources:\n    requests:\n      storage: 5 gigs\n", "quantities must match"},
		{"unknown kind", "apiVersion: v1\nkind: Pod\n", "no Go type"},
		{"wrong type", "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: two\n", "cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeStrict([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v; want one containing %q", err, tt.want)
			}
		})
	}
}

func TestKustomizationListsEveryManifest(t *testing.T) {
	objs := loadAll(t)
	k := only[*kustomization](t, objs)
	var want []string
	for name := range objs {
		if name != "kustomization.yaml" {
			want = append(want, name)
		}
	}
	sort.Strings(want)
	got := slices.Clone(k.Resources)
	sort.Strings(got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("kustomization resources: got %v; want %v", got, want)
	}
}

func TestAPIDeployment(t *testing.T) {
	objs := loadAll(t)
	d := only[*appsv1.Deployment](t, objs)
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("got %d containers; want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	checks := []check{
		{"name", d.Name, apiName},
		{"image", c.Image, apiImage},
		{"imagePullPolicy", c.ImagePullPolicy, corev1.PullIfNotPresent},
		{"selector matches template labels", labelsMatch(d.Spec.Selector.MatchLabels, d.Spec.Template.Labels), true},
		{"container port", containerPort(c, "http"), int32(apiPort)},
		{"MODEL_PATH", envValue(c, "MODEL_PATH"), modelPath},
		{"readiness path", probePath(c.ReadinessProbe), "/ready"},
		{"readiness port", probePort(c, c.ReadinessProbe), int32(apiPort)},
		{"liveness path", probePath(c.LivenessProbe), "/health"},
		{"liveness port", probePort(c, c.LivenessProbe), int32(apiPort)},
		{"startup port", probePort(c, c.StartupProbe), int32(apiPort)},
		{"pod runAsNonRoot", deref(pod.SecurityContext.RunAsNonRoot), true},
		{"pod runAsUser", deref(pod.SecurityContext.RunAsUser), int64(appUID)},
		{"container runAsNonRoot", deref(c.SecurityContext.RunAsNonRoot), true},
		{"readOnlyRootFilesystem", deref(c.SecurityContext.ReadOnlyRootFilesystem), true},
		{"allowPrivilegeEscalation", deref(c.SecurityContext.AllowPrivilegeEscalation), false},
		{"capabilities dropped", c.SecurityContext.Capabilities != nil && slices.Contains(c.SecurityContext.Capabilities.Drop, "ALL"), true},
		{"models mount read-only", mountReadOnly(c, "/app/models"), true},
		{"models claim", claimAt(pod, c, "/app/models"), modelsPVC},
		{"models claim read-only", claimReadOnly(pod, c, "/app/models"), true},
		{"tmp writable", mountExists(c, "/tmp"), true},
		{"API_KEYS_FILE", envValue(c, "API_KEYS_FILE"), "/app/secrets/api-keys.json"},
		{"keys mount read-only", mountReadOnly(c, "/app/secrets"), true},
		{"keys from the Secret", secretAt(pod, c, "/app/secrets"), "credit-risk-api-keys"},
		{"keys readable by the group only", secretMode(pod, c, "/app/secrets"), int32(0o440)},
		{"AUDIT", envValue(c, "AUDIT"), "file"},
		{"AUDIT_SYNC", envValue(c, "AUDIT_SYNC"), "always"},
		{"AUDIT_DIR per pod", envValue(c, "AUDIT_DIR"), "/app/audit/$(POD_NAME)"},
		{"POD_NAME from the downward API", podNameFromMetadata(c), true},
		{"audit mount writable", mountExists(c, "/app/audit") && !mountReadOnly(c, "/app/audit"), true},
		{"audit claim", claimAt(pod, c, "/app/audit"), "credit-risk-audit"},
		{"rolling update keeps capacity", d.Spec.Strategy.RollingUpdate != nil && d.Spec.Strategy.RollingUpdate.MaxUnavailable.IntValue() == 0, true},
		{"grace period exceeds shutdown timeout", deref(pod.TerminationGracePeriodSeconds) > 30, true},
	}
	runChecks(t, checks)
	t.Run("resources", func(t *testing.T) {
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			req, lim := c.Resources.Requests[r], c.Resources.Limits[r]
			if req.IsZero() || lim.IsZero() {
				t.Errorf("%s: got request %v, limit %v; want both set", r, req.String(), lim.String())
			} else if req.Cmp(lim) > 0 {
				t.Errorf("%s: got request %v above limit %v", r, req.String(), lim.String())
			}
		}
	})
}

func TestAPIService(t *testing.T) {
	objs := loadAll(t)
	s := only[*corev1.Service](t, objs)
	d := only[*appsv1.Deployment](t, objs)
	if !labelsMatch(s.Spec.Selector, d.Spec.Template.Labels) {
		t.Errorf("service selector %v does not select the API pods %v", s.Spec.Selector, d.Spec.Template.Labels)
	}
	if len(s.Spec.Ports) != 1 {
		t.Fatalf("got %d ports; want 1", len(s.Spec.Ports))
	}
	p := s.Spec.Ports[0]
	if got := resolvePort(d.Spec.Template.Spec.Containers[0], p.TargetPort.String()); got != apiPort {
		t.Errorf("targetPort %v: got container port %d; want %d", p.TargetPort.String(), got, apiPort)
	}
	if p.Port != apiPort {
		t.Errorf("port: got %d; want %d", p.Port, apiPort)
	}
}

func TestAPIAutoscaler(t *testing.T) {
	objs := loadAll(t)
	h := only[*autoscalingv2.HorizontalPodAutoscaler](t, objs)
	d := only[*appsv1.Deployment](t, objs)
	ref := h.Spec.ScaleTargetRef
	if ref.Kind != "Deployment" || ref.Name != d.Name || ref.APIVersion != "apps/v1" {
		t.Errorf("scaleTargetRef: got %s %s %s; want apps/v1 Deployment %s", ref.APIVersion, ref.Kind, ref.Name, d.Name)
	}
	minR := deref(h.Spec.MinReplicas)
	if minR < 2 || h.Spec.MaxReplicas < minR {
		t.Errorf("replicas: got min %d max %d; want 2 <= min <= max", minR, h.Spec.MaxReplicas)
	}
	var cpu bool
	for _, m := range h.Spec.Metrics {
		if m.Type == autoscalingv2.ResourceMetricSourceType && m.Resource != nil && m.Resource.Name == corev1.ResourceCPU {
			cpu = m.Resource.Target.AverageUtilization != nil
		}
	}
	if !cpu {
		t.Errorf("got metrics %+v; want a CPU utilisation target", h.Spec.Metrics)
	}
	pdb := only[*policyv1.PodDisruptionBudget](t, objs)
	if !labelsMatch(pdb.Spec.Selector.MatchLabels, d.Spec.Template.Labels) {
		t.Errorf("disruption budget selector %v does not select the API pods", pdb.Spec.Selector.MatchLabels)
	}
	if pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.IntValue() >= int(minR) {
		t.Errorf("disruption budget minAvailable: got %v; want below the autoscaler minimum %d", pdb.Spec.MinAvailable, minR)
	}
}

// cronJob returns the CronJob of the given name among objs.
func cronJob(t testing.TB, objs map[string]any, name string) *batchv1.CronJob {
	t.Helper()
	for _, o := range objs {
		if cj, ok := o.(*batchv1.CronJob); ok && cj.Name == name {
			return cj
		}
	}
	t.Fatalf("got no CronJob %s; want one", name)
	return nil
}

func TestRetrainCronJob(t *testing.T) {
	objs := loadAll(t)
	cj := cronJob(t, objs, "credit-risk-retrain")
	pod := cj.Spec.JobTemplate.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("got %d containers; want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	checks := []check{
		{"image", c.Image, trainImage},
		{"command", strings.Join(c.Command, " "), "credit-risk retrain"},
		{"concurrencyPolicy", cj.Spec.ConcurrencyPolicy, batchv1.ForbidConcurrent},
		{"restartPolicy", pod.RestartPolicy, corev1.RestartPolicyNever},
		{"pod runAsNonRoot", deref(pod.SecurityContext.RunAsNonRoot), true},
		{"pod runAsUser", deref(pod.SecurityContext.RunAsUser), int64(appUID)},
		{"fsGroup", deref(pod.SecurityContext.FSGroup), int64(appUID)},
		{"readOnlyRootFilesystem", deref(c.SecurityContext.ReadOnlyRootFilesystem), true},
		{"allowPrivilegeEscalation", deref(c.SecurityContext.AllowPrivilegeEscalation), false},
		{"data claim", claimAt(pod, c, "/app/data"), dataPVC},
		{"models claim", claimAt(pod, c, "/app/models"), modelsPVC},
		{"artifacts claim", claimAt(pod, c, "/app/artifacts"), artsPVC},
		{"models writable", mountReadOnly(c, "/app/models"), false},
		{"data writable", mountReadOnly(c, "/app/data"), false},
		{"artifacts writable", mountReadOnly(c, "/app/artifacts"), false},
		{"tmp writable", mountExists(c, "/tmp"), true},
		{"deadline set", cj.Spec.JobTemplate.Spec.ActiveDeadlineSeconds != nil, true},
	}
	runChecks(t, checks)
	if f := strings.Fields(cj.Spec.Schedule); len(f) != 5 {
		t.Errorf("schedule %q: got %d fields; want 5", cj.Spec.Schedule, len(f))
	}
}

// TestMonitorCronJob checks the monitoring job: the production model and
// the data read-only, reports written to the artifacts claim, a breach
// (exit status 3) failing the Job at once so that an alert on failed Jobs
// fires, other failures retried.
func TestMonitorCronJob(t *testing.T) {
	objs := loadAll(t)
	cj := cronJob(t, objs, "credit-risk-monitor")
	job := cj.Spec.JobTemplate.Spec
	pod := job.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("got %d containers; want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	breachFails := false
	if p := job.PodFailurePolicy; p != nil {
		for _, r := range p.Rules {
			if r.Action == batchv1.PodFailurePolicyActionFailJob && r.OnExitCodes != nil &&
				deref(r.OnExitCodes.ContainerName) == c.Name && r.OnExitCodes.Operator == batchv1.PodFailurePolicyOnExitCodesOpIn &&
				slices.Contains(r.OnExitCodes.Values, 3) {
				breachFails = true
			}
		}
	}
	checks := []check{
		{"image", c.Image, trainImage},
		{"command", strings.Join(c.Command[:min(2, len(c.Command))], " "), "credit-risk monitor"},
		{"input given", slices.Contains(c.Command, "--in"), true},
		{"concurrencyPolicy", cj.Spec.ConcurrencyPolicy, batchv1.ForbidConcurrent},
		{"restartPolicy", pod.RestartPolicy, corev1.RestartPolicyNever},
		{"exit 3 fails the Job", breachFails, true},
		{"other failures retried", deref(job.BackoffLimit) > 0, true},
		{"pod runAsNonRoot", deref(pod.SecurityContext.RunAsNonRoot), true},
		{"pod runAsUser", deref(pod.SecurityContext.RunAsUser), int64(appUID)},
		{"fsGroup", deref(pod.SecurityContext.FSGroup), int64(appUID)},
		{"readOnlyRootFilesystem", deref(c.SecurityContext.ReadOnlyRootFilesystem), true},
		{"allowPrivilegeEscalation", deref(c.SecurityContext.AllowPrivilegeEscalation), false},
		{"data claim", claimAt(pod, c, "/app/data"), dataPVC},
		{"models claim", claimAt(pod, c, "/app/models"), modelsPVC},
		{"artifacts claim", claimAt(pod, c, "/app/artifacts"), artsPVC},
		{"models read-only", mountReadOnly(c, "/app/models"), true},
		{"data read-only", mountReadOnly(c, "/app/data"), true},
		{"artifacts writable", mountReadOnly(c, "/app/artifacts"), false},
		{"tmp writable", mountExists(c, "/tmp"), true},
		{"MODELS_DIR", envValue(c, "MODELS_DIR"), "/app/models"},
		{"ARTIFACTS_DIR", envValue(c, "ARTIFACTS_DIR"), "/app/artifacts"},
		{"deadline set", job.ActiveDeadlineSeconds != nil, true},
	}
	runChecks(t, checks)
	if f := strings.Fields(cj.Spec.Schedule); len(f) != 5 {
		t.Errorf("schedule %q: got %d fields; want 5", cj.Spec.Schedule, len(f))
	}
}

func TestClaims(t *testing.T) {
	objs := loadAll(t)
	claims := map[string]*corev1.PersistentVolumeClaim{}
	for _, o := range objs {
		if p, ok := o.(*corev1.PersistentVolumeClaim); ok {
			claims[p.Name] = p
		}
	}
	tests := []struct {
		name string
		mode corev1.PersistentVolumeAccessMode
	}{
		// The retrain writes models while every API replica reads them.
		{modelsPVC, corev1.ReadWriteMany},
		{dataPVC, corev1.ReadWriteOnce},
		{artsPVC, corev1.ReadWriteOnce},
		// Every API replica writes its own folder of the trail.
		{"credit-risk-audit", corev1.ReadWriteMany},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := claims[tt.name]
			if !ok {
				t.Fatalf("got no claim %s; want one", tt.name)
			}
			if !slices.Contains(p.Spec.AccessModes, tt.mode) {
				t.Errorf("access modes: got %v; want %s", p.Spec.AccessModes, tt.mode)
			}
			if s := p.Spec.Resources.Requests[corev1.ResourceStorage]; s.IsZero() {
				t.Errorf("storage request: got %v; want a size", s.String())
			}
		})
	}
}

// podNameFromMetadata reports whether the container's POD_NAME comes from
// the pod's metadata.name.
func podNameFromMetadata(c corev1.Container) bool {
	for _, e := range c.Env {
		if e.Name == "POD_NAME" {
			return e.ValueFrom != nil && e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.name"
		}
	}
	return false
}

// check is one property of a manifest: its name, the value found and the
// value wanted.
type check struct {
	name      string
	got, want any
}

// runChecks runs each check as a subtest comparing got with want.
func runChecks(t *testing.T, checks []check) {
	t.Helper()
	for _, ck := range checks {
		t.Run(ck.name, func(t *testing.T) {
			if !reflect.DeepEqual(ck.got, ck.want) {
				t.Errorf("got %v; want %v", ck.got, ck.want)
			}
		})
	}
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// labelsMatch reports whether every selector label is in labels.
func labelsMatch(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func containerPort(c corev1.Container, name string) int32 {
	for _, p := range c.Ports {
		if p.Name == name {
			return p.ContainerPort
		}
	}
	return 0
}

// resolvePort returns the container port a probe or service port names.
func resolvePort(c corev1.Container, port string) int32 {
	if p := containerPort(c, port); p != 0 {
		return p
	}
	var n int32
	if _, err := fmt.Sscan(port, &n); err != nil {
		return 0
	}
	return n
}

func probePath(p *corev1.Probe) string {
	if p == nil || p.HTTPGet == nil {
		return ""
	}
	return p.HTTPGet.Path
}

func probePort(c corev1.Container, p *corev1.Probe) int32 {
	if p == nil || p.HTTPGet == nil {
		return 0
	}
	return resolvePort(c, p.HTTPGet.Port.String())
}

func envValue(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func mount(c corev1.Container, path string) *corev1.VolumeMount {
	for i := range c.VolumeMounts {
		if c.VolumeMounts[i].MountPath == path {
			return &c.VolumeMounts[i]
		}
	}
	return nil
}

func mountExists(c corev1.Container, path string) bool { return mount(c, path) != nil }

func mountReadOnly(c corev1.Container, path string) bool {
	m := mount(c, path)
	return m != nil && m.ReadOnly
}

func volumeAt(pod corev1.PodSpec, c corev1.Container, path string) *corev1.Volume {
	m := mount(c, path)
	if m == nil {
		return nil
	}
	for i := range pod.Volumes {
		if pod.Volumes[i].Name == m.Name {
			return &pod.Volumes[i]
		}
	}
	return nil
}

func claimAt(pod corev1.PodSpec, c corev1.Container, path string) string {
	v := volumeAt(pod, c, path)
	if v == nil || v.PersistentVolumeClaim == nil {
		return ""
	}
	return v.PersistentVolumeClaim.ClaimName
}

func claimReadOnly(pod corev1.PodSpec, c corev1.Container, path string) bool {
	v := volumeAt(pod, c, path)
	return v != nil && v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ReadOnly
}

// secretAt names the Secret mounted at path, "" when none is.
func secretAt(pod corev1.PodSpec, c corev1.Container, path string) string {
	if v := volumeAt(pod, c, path); v != nil && v.Secret != nil {
		return v.Secret.SecretName
	}
	return ""
}

// secretMode returns the file mode of the Secret mounted at path.
func secretMode(pod corev1.PodSpec, c corev1.Container, path string) int32 {
	if v := volumeAt(pod, c, path); v != nil && v.Secret != nil {
		return deref(v.Secret.DefaultMode)
	}
	return -1
}

// TestScoreJob checks the on-demand scoring Job (deploy/k8s/jobs, not in
// the kustomization): an Indexed Job whose pods each score the shard of
// their JOB_COMPLETION_INDEX, with as many shards as completions, every
// pod writing its own output file, the models read-only, and the
// portfolio on a ReadWriteMany claim every pod mounts.
func TestScoreJob(t *testing.T) {
	read := func(name string) any {
		data, err := os.ReadFile(filepath.Join(manifestDir, "jobs", name))
		if err != nil {
			t.Fatal(err)
		}
		obj, err := decodeStrict(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return obj
	}
	job, ok := read("score-job.yaml").(*batchv1.Job)
	if !ok {
		t.Fatal("score-job.yaml is not a Job")
	}
	claim, ok := read("pvc-portfolio.yaml").(*corev1.PersistentVolumeClaim)
	if !ok {
		t.Fatal("pvc-portfolio.yaml is not a PersistentVolumeClaim")
	}
	spec := job.Spec
	pod := spec.Template.Spec
	c := pod.Containers[0]
	shards := ""
	for i, a := range c.Args {
		if a == "--shards" && i+1 < len(c.Args) {
			shards = c.Args[i+1]
		}
	}
	checks := []check{
		{"indexed", deref(spec.CompletionMode), batchv1.IndexedCompletion},
		{"parallelism is completions", deref(spec.Parallelism), deref(spec.Completions)},
		{"--shards is completions", shards, strconv.Itoa(int(deref(spec.Completions)))},
		{"output per index", slices.Contains(c.Args, "/app/portfolio/scores/part-$(JOB_COMPLETION_INDEX).csv"), true},
		{"command", c.Command, []string{"credit-risk", "score"}},
		{"image", c.Image, "credit-risk-train:latest"},
		{"models read-only", mountReadOnly(c, "/app/models"), true},
		{"models claim", claimAt(pod, c, "/app/models"), modelsPVC},
		{"portfolio claim", claimAt(pod, c, "/app/portfolio"), claim.Name},
		{"portfolio ReadWriteMany", slices.Contains(claim.Spec.AccessModes, corev1.ReadWriteMany), true},
		{"runAsNonRoot", deref(pod.SecurityContext.RunAsNonRoot), true},
		{"readOnlyRootFilesystem", deref(c.SecurityContext.ReadOnlyRootFilesystem), true},
		{"restartPolicy", pod.RestartPolicy, corev1.RestartPolicyNever},
	}
	runChecks(t, checks)
}
