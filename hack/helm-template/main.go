// helm-template renders a Helm chart the way `helm template` does, for machines without helm:
// Go's text/template with sprig and Helm's own functions, Helm's values layering and strvals
// syntax, and Helm's output (install order, `# Source:` headers). What it covers and what only
// real helm checks: docs/helm-template.md.
//
// usage: helm-template [-n NAMESPACE] [--name RELEASE] [-f VALUES]... [--set K=V]...
//
//	[--set-string K=V]... [--kube-version V] [--api-versions G/V]... CHART
//
// or, as helm's own command line: helm-template RELEASE CHART [flags].
package main

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/semver"
	"sigs.k8s.io/yaml"
)

type options struct {
	namespace   string
	release     string
	chartDir    string
	kubeVersion string
	apiVersions []string
	valueFiles  []string // -f, in order
	sets        []string // --set, in order
	setStrings  []string // --set-string, in order
}

func main() {
	opts, err := parseArgs(os.Args[1:])
	if err == nil {
		var out string
		out, err = run(opts)
		if err == nil {
			fmt.Print(out)
			return
		}
	}
	fmt.Fprintf(os.Stderr, "Error: %v\n", err)
	os.Exit(1)
}

const usage = "usage: helm-template [-n NAMESPACE] [--name RELEASE] [-f VALUES]... [--set K=V]... " +
	"[--set-string K=V]... [--kube-version V] [--api-versions G/V]... [RELEASE] CHART"

func parseArgs(args []string) (options, error) {
	o := options{namespace: "default", kubeVersion: "v1.34.0"}
	var positional []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "-h" || arg == "--help" {
			fmt.Println(usage)
			os.Exit(0)
		}
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			positional = append(positional, arg)
			continue
		}
		name, value, inline := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if !inline {
			if i+1 == len(args) {
				return o, fmt.Errorf("flag needs an argument: %s\n%s", arg, usage)
			}
			i++
			value = args[i]
		}
		switch name {
		case "n", "namespace":
			o.namespace = value
		case "name", "name-template":
			o.release = value
		case "f", "values":
			o.valueFiles = append(o.valueFiles, value)
		case "set":
			o.sets = append(o.sets, value)
		case "set-string":
			o.setStrings = append(o.setStrings, value)
		case "kube-version":
			o.kubeVersion = value
		case "a", "api-versions":
			o.apiVersions = append(o.apiVersions, strings.Split(value, ",")...)
		default:
			return o, fmt.Errorf("unknown flag: %s\n%s", arg, usage)
		}
	}
	switch len(positional) {
	case 1:
		o.chartDir = positional[0]
	case 2:
		o.release, o.chartDir = positional[0], positional[1]
	default:
		return o, errors.New(usage)
	}
	if o.release == "" {
		o.release = "release-name"
	}
	return o, nil
}

// chartMetadata is Chart.yaml, with the field names templates see under .Chart.
type chartMetadata struct {
	APIVersion   string                   `json:"apiVersion"`
	Name         string                   `json:"name"`
	Version      string                   `json:"version"`
	KubeVersion  string                   `json:"kubeVersion,omitempty"`
	Description  string                   `json:"description,omitempty"`
	Type         string                   `json:"type,omitempty"`
	Keywords     []string                 `json:"keywords,omitempty"`
	Home         string                   `json:"home,omitempty"`
	Sources      []string                 `json:"sources,omitempty"`
	Dependencies []map[string]interface{} `json:"dependencies,omitempty"`
	Maintainers  []map[string]interface{} `json:"maintainers,omitempty"`
	Icon         string                   `json:"icon,omitempty"`
	AppVersion   string                   `json:"appVersion,omitempty"`
	Deprecated   bool                     `json:"deprecated,omitempty"`
	Annotations  map[string]string        `json:"annotations,omitempty"`
	Condition    string                   `json:"condition,omitempty"`
	Tags         string                   `json:"tags,omitempty"`
}

type kubeVersion struct {
	Version string
	Major   string
	Minor   string
}

func (k kubeVersion) String() string     { return k.Version }
func (k kubeVersion) GitVersion() string { return k.Version }

// versionSet is .Capabilities.APIVersions: `.Capabilities.APIVersions.Has "apps/v1"`.
type versionSet []string

func (v versionSet) Has(apiVersion string) bool {
	for _, x := range v {
		if x == apiVersion {
			return true
		}
	}
	return false
}

type capabilities struct {
	KubeVersion kubeVersion
	APIVersions versionSet
}

// The built-in group versions of a current Kubernetes (what helm's default capabilities list).
var builtinAPIVersions = []string{
	"v1", "admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1", "apiregistration.k8s.io/v1",
	"apps/v1", "authentication.k8s.io/v1", "authorization.k8s.io/v1", "autoscaling/v1", "autoscaling/v2",
	"batch/v1", "certificates.k8s.io/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1",
	"events.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1", "networking.k8s.io/v1", "node.k8s.io/v1",
	"policy/v1", "rbac.authorization.k8s.io/v1", "resource.k8s.io/v1", "scheduling.k8s.io/v1",
	"storage.k8s.io/v1",
}

// files is .Files: the chart's files other than templates, values.yaml and Chart.yaml.
type files struct{ dir string }

func (f files) GetBytes(name string) []byte {
	clean := path.Clean("/" + name)[1:]
	if clean == "Chart.yaml" || clean == "values.yaml" || strings.HasPrefix(clean, "templates/") {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(f.dir, filepath.FromSlash(clean)))
	if err != nil {
		return nil
	}
	return data
}

func (f files) Get(name string) string { return string(f.GetBytes(name)) }

func (f files) Lines(name string) []string {
	s := f.Get(name)
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "\n")
}

var kubeVersionPattern = regexp.MustCompile(`^v?(\d+)\.(\d+)(\.\d+)?([-+].*)?$`)

func run(o options) (string, error) {
	chartDir := filepath.Clean(o.chartDir)
	raw, err := os.ReadFile(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return "", fmt.Errorf("%s is not a chart directory: %w", o.chartDir, err)
	}
	var meta chartMetadata
	if err := yaml.Unmarshal(raw, &meta); err != nil {
		return "", fmt.Errorf("cannot load Chart.yaml: %w", err)
	}
	switch {
	case meta.APIVersion == "":
		return "", errors.New("validation: chart.metadata.apiVersion is required")
	case meta.Name == "":
		return "", errors.New("validation: chart.metadata.name is required")
	case meta.Version == "":
		return "", errors.New("validation: chart.metadata.version is required")
	}
	if _, err := semver.StrictNewVersion(meta.Version); err != nil {
		return "", fmt.Errorf("validation: chart.metadata.version %q is invalid", meta.Version)
	}
	if entries, _ := os.ReadDir(filepath.Join(chartDir, "charts")); len(entries) > 0 || len(meta.Dependencies) > 0 {
		return "", errors.New("this renderer does not support subcharts (charts/ or dependencies): use helm")
	}

	m := kubeVersionPattern.FindStringSubmatch(o.kubeVersion)
	if m == nil {
		return "", fmt.Errorf("invalid kube version %q", o.kubeVersion)
	}
	caps := capabilities{
		KubeVersion: kubeVersion{Version: "v" + strings.TrimPrefix(o.kubeVersion, "v"), Major: m[1], Minor: m[2]},
		APIVersions: append(versionSet(append([]string{}, builtinAPIVersions...)), o.apiVersions...),
	}
	if meta.KubeVersion != "" {
		constraint, err := semver.NewConstraint(meta.KubeVersion)
		if err != nil {
			return "", fmt.Errorf("invalid kubeVersion constraint %q: %w", meta.KubeVersion, err)
		}
		v, err := semver.NewVersion(fmt.Sprintf("%s.%s%s", m[1], m[2], m[3]))
		if err != nil || !constraint.Check(v) {
			return "", fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", meta.KubeVersion, caps.KubeVersion.Version)
		}
	}

	values, err := buildValues(chartDir, o)
	if err != nil {
		return "", err
	}

	templates, err := readTemplates(chartDir, meta.Name)
	if err != nil {
		return "", err
	}
	top := map[string]interface{}{
		"Values": values,
		"Chart":  meta,
		"Release": map[string]interface{}{
			"Name": o.release, "Namespace": o.namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Capabilities": caps,
		"Files":        files{dir: chartDir},
		"Subcharts":    map[string]interface{}{},
	}
	rendered, err := render(templates, top, meta.Name)
	if err != nil {
		return "", err
	}
	return manifests(rendered)
}

// buildValues layers the user's values as Helm does, whatever the order on the command line: the
// -f files (merged map by map, a later file winning), then each --set, then each --set-string;
// then it fills in the chart's values.yaml.
func buildValues(chartDir string, o options) (map[string]interface{}, error) {
	defaults := map[string]interface{}{}
	if _, err := os.Stat(filepath.Join(chartDir, "values.yaml")); err == nil {
		d, err := readValuesFile(filepath.Join(chartDir, "values.yaml"))
		if err != nil {
			return nil, err
		}
		defaults = d
	}
	user := map[string]interface{}{}
	for _, file := range o.valueFiles {
		vals, err := readValuesFile(file)
		if err != nil {
			return nil, err
		}
		user = mergeUserValues(user, vals)
	}
	for _, arg := range o.sets {
		if err := parseSet(arg, user, false); err != nil {
			return nil, err
		}
	}
	for _, arg := range o.setStrings {
		if err := parseSet(arg, user, true); err != nil {
			return nil, err
		}
	}
	return coalesce(user, defaults), nil
}

// readTemplates returns every file under templates/, keyed by its name as Helm names it:
// "<chart name>/templates/<path>".
func readTemplates(chartDir, chartName string) (map[string]string, error) {
	out := map[string]string{}
	root := filepath.Join(chartDir, "templates")
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(chartDir, p)
		out[chartName+"/"+filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return out, nil
}

// render parses every template into one set (so each file sees the others' `define`s), then
// executes each file that is not a partial (a name starting with "_").
func render(templates map[string]string, top map[string]interface{}, chartName string) (map[string]string, error) {
	names := make([]string, 0, len(templates))
	for name := range templates {
		names = append(names, name)
	}
	// Helm's parse order: shallower paths first, then by name (a later `define` wins).
	sort.Slice(names, func(i, j int) bool {
		ci, cj := strings.Count(names[i], "/"), strings.Count(names[j], "/")
		if ci != cj {
			return ci < cj
		}
		return names[i] < names[j]
	})
	t := template.New("gotpl").Option("missingkey=zero").Funcs(baseFuncs())
	bindRenderFuncs(t, map[string]int{})
	for _, name := range names {
		if _, err := t.New(name).Parse(templates[name]); err != nil {
			return nil, parseError(name, err)
		}
	}
	out := map[string]string{}
	for _, name := range names {
		if strings.HasPrefix(path.Base(name), "_") {
			continue
		}
		top["Template"] = map[string]interface{}{"Name": name, "BasePath": chartName + "/templates"}
		var b strings.Builder
		if err := t.ExecuteTemplate(&b, name, top); err != nil {
			return nil, execError(name, err)
		}
		// missingkey=zero still prints "<no value>" for a missing key of a map of interfaces.
		out[name] = strings.ReplaceAll(b.String(), "<no value>", "")
	}
	return out, nil
}

func parseError(name string, err error) error {
	parts := strings.Split(err.Error(), ": ")
	if len(parts) < 3 {
		return fmt.Errorf("parse error in (%s): %w", name, err)
	}
	return fmt.Errorf("parse error at (%s): %s", parts[1], parts[len(parts)-1])
}

var userErrPattern = regexp.MustCompile(userErrStart + `((?s).*)` + userErrEnd)

// execError turns a template execution error into Helm's form: for required and fail,
// "execution error at (<file>:<line>:<col>): <message>".
func execError(name string, err error) error {
	msg := err.Error()
	parts := strings.SplitN(msg, ": ", 3)
	if len(parts) == 3 {
		if m := userErrPattern.FindStringSubmatch(parts[2]); m != nil {
			return fmt.Errorf("execution error at (%s): %s", parts[1], m[1])
		}
	}
	if m := userErrPattern.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("execution error in (%s): %s", name, m[1])
	}
	return fmt.Errorf("execution error in (%s): %w", name, err)
}

// Helm's install order: `helm template` prints the documents of all files (taken in file-name
// order, each file's documents in their order) stably sorted by kind in this order; other kinds
// come last, sorted by kind.
var installOrder = []string{
	"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
	"PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
	"PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole",
	"ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList",
	"RoleBinding", "RoleBindingList", "Service", "DaemonSet", "Pod", "ReplicationController",
	"ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob",
	"IngressClass", "Ingress", "APIService", "MutatingWebhookConfiguration",
	"ValidatingWebhookConfiguration",
}

var docSeparator = regexp.MustCompile(`(?:^|\s*\n)---\s*`)

type manifest struct {
	source  string
	content string
	kind    string
}

// manifests splits each rendered file into YAML documents (empty ones dropped), checks that
// each parses, and prints them as `helm template` does.
func manifests(rendered map[string]string) (string, error) {
	names := make([]string, 0, len(rendered))
	for name := range rendered {
		names = append(names, name)
	}
	sort.Strings(names)
	var docs []manifest
	for _, name := range names {
		if strings.HasSuffix(name, "NOTES.txt") {
			continue // rendered (so its errors count) but, as with helm, not a manifest
		}
		for _, doc := range docSeparator.Split(strings.TrimSpace(rendered[name]), -1) {
			doc = strings.TrimSpace(doc)
			if doc == "" {
				continue
			}
			var head struct {
				Kind string `json:"kind"`
			}
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
				return "", fmt.Errorf("YAML parse error on %s: %w", name, err)
			}
			docs = append(docs, manifest{source: name, content: doc, kind: head.Kind})
		}
	}
	rank := map[string]int{}
	for i, kind := range installOrder {
		rank[kind] = i
	}
	sort.SliceStable(docs, func(i, j int) bool {
		ri, iok := rank[docs[i].kind]
		rj, jok := rank[docs[j].kind]
		switch {
		case iok && jok:
			return ri < rj
		case iok != jok:
			return iok
		default:
			return docs[i].kind < docs[j].kind
		}
	})
	var b strings.Builder
	for _, d := range docs {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", d.source, d.content)
	}
	out := strings.TrimSpace(b.String())
	if out == "" {
		return "", nil
	}
	return out + "\n", nil
}
