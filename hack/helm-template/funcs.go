package main

// The template functions: sprig's (as Helm, without env and expandenv) plus the functions Helm
// adds itself. include, tpl, required and fail are bound per render in newEngine.

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"sigs.k8s.io/yaml"
)

// Helm wraps the messages of required and fail in these markers, and prints only what is between
// them, after the template location.
const (
	userErrStart = "HELM_ERR_START"
	userErrEnd   = "HELM_ERR_END"
)

func userError(msg string) error { return errors.New(userErrStart + msg + userErrEnd) }

func baseFuncs() template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	extra := template.FuncMap{
		"toYaml":        toYAML,
		"mustToYaml":    mustToYAML,
		"fromYaml":      fromYAML,
		"fromYamlArray": fromYAMLArray,
		"toJson":        toJSON,
		"mustToJson":    mustToJSON,
		"fromJson":      fromJSON,
		"fromJsonArray": fromJSONArray,
		"required": func(msg string, v interface{}) (interface{}, error) {
			if v == nil {
				return v, userError(msg)
			}
			if s, ok := v.(string); ok && s == "" {
				return v, userError(msg)
			}
			return v, nil
		},
		"fail": func(msg string) (string, error) { return "", userError(msg) },
		// No cluster here: lookup finds nothing, as with `helm template`.
		"lookup": func(string, string, string, string) (map[string]interface{}, error) {
			return map[string]interface{}{}, nil
		},
		// DNS lookups are off in `helm template` unless --enable-dns.
		"getHostByName": func(string) string { return "" },
	}
	for name, fn := range extra {
		f[name] = fn
	}
	return f
}

// toYAML marshals through JSON (sigs.k8s.io/yaml), so map keys come out sorted, and drops the
// final newline; an error gives "" as Helm's does.
func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func mustToYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		panic(err)
	}
	return strings.TrimSuffix(string(data), "\n")
}

// fromYAML never fails: a parse error lands in the map's "Error" key.
func fromYAML(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromYAMLArray(s string) []interface{} {
	a := []interface{}{}
	if err := yaml.Unmarshal([]byte(s), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func mustToJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(data)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromJSONArray(s string) []interface{} {
	a := []interface{}{}
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

// bindRenderFuncs adds the functions that need the template set itself: include (a named
// template's output as a string, for pipelines) and tpl (a string rendered as a template, seeing
// the chart's named templates).
func bindRenderFuncs(t *template.Template, depth map[string]int) {
	t.Funcs(template.FuncMap{
		"include": func(name string, data interface{}) (string, error) {
			if depth[name] > 1000 {
				return "", fmt.Errorf("rendering template has a nested reference name: %s: unable to execute template", name)
			}
			depth[name]++
			defer func() { depth[name]-- }()
			var b strings.Builder
			err := t.ExecuteTemplate(&b, name, data)
			return b.String(), err
		},
		"tpl": func(text string, data interface{}) (string, error) {
			clone, err := t.Clone()
			if err != nil {
				return "", fmt.Errorf("cannot clone template: %w", err)
			}
			clone.Option("missingkey=zero")
			bindRenderFuncs(clone, depth)
			clone, err = clone.New(t.Name()).Parse(text)
			if err != nil {
				return "", fmt.Errorf("cannot parse template %q: %w", text, err)
			}
			var b strings.Builder
			if err := clone.Execute(&b, data); err != nil {
				return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
			}
			return strings.ReplaceAll(b.String(), "<no value>", ""), nil
		},
	})
}
