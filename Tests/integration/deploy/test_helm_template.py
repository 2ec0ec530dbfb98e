"""The chart renderer itself (docs/helm-template.md), on small charts written here: Helm's values
layering and --set syntax, its template functions, its error messages and its output. Each test
runs with hack/helm-template, and with `helm template` as well when helm is on PATH, so the
expectations below are Helm's; with helm on PATH, both render the real chart alike too."""
import json
import re
import shutil
import subprocess

import pytest
import yaml

from chart_render import NAMESPACE, OPTIONS, RELEASE, TENANT

HELM = shutil.which("helm")
RENDERERS = ["ours"] + (["helm"] if HELM else [])


@pytest.fixture(params=RENDERERS)
def template(request, repo_root):
    """template(chart_dir, *args, release=, namespace=) -> CompletedProcess, by one renderer."""
    if request.param == "helm":
        def run(chart, *args, release="rel", namespace="ns"):
            return subprocess.run([HELM, "template", release, str(chart), "-n", namespace, *args],
                                  capture_output=True, text=True, timeout=60)
    else:
        ours = str(request.getfixturevalue("helm_template"))

        def run(chart, *args, release="rel", namespace="ns"):
            return subprocess.run([ours, "-n", namespace, "--name", release, *args, str(chart)],
                                  capture_output=True, text=True, timeout=60)
    return run


def make_chart(root, templates: dict, values: str = "", name: str = "c"):
    chart = root / name
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 1.2.3\nappVersion: v9.8\n")
    (chart / "values.yaml").write_text(values)
    for path, text in templates.items():
        (chart / "templates" / path).parent.mkdir(parents=True, exist_ok=True)
        (chart / "templates" / path).write_text(text)
    return chart


def sources_and_documents(text: str):
    """[(source, document text)] of a `helm template` output: each document is `---`, a
    `# Source: <chart>/templates/<file>` line, then the document."""
    parts = text.split("---\n# Source: ")
    assert parts[0] == "", text
    return [tuple(p.split("\n", 1)) for p in (q.strip() + "\n" for q in parts[1:])]


def test_output_install_order_sources_partials_and_empty_documents(template, tmp_path):
    chart = make_chart(tmp_path, {
        "_helpers.tpl": '{{- define "c.x" -}}x{{- end }}\nkind: NotRendered\n',
        "a.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n",
        "b.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n---\n"
                  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: '{{ include \"c.x\" . }}'\n---\n"
                  "{{- if false }}\nkind: Never\n{{- end }}\n",
        "c.yaml": "{{- if false }}\nkind: Never\n{{- end }}\n",
        "sub/z.yaml": "apiVersion: x/v1\nkind: Zeta\nmetadata:\n  name: z\n---\n"
                      "apiVersion: x/v1\nkind: Alpha\nmetadata:\n  name: a\n",
        "NOTES.txt": "Installed {{ .Release.Name }}.\n",
    })
    result = template(chart)
    assert result.returncode == 0, result.stderr
    # files in name order, their documents stably sorted by kind in Helm's install order, other
    # kinds last by kind name; partials, empty documents and NOTES.txt left out
    assert sources_and_documents(result.stdout) == [
        ("c/templates/b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 'x'\n"),
        ("c/templates/b.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"),
        ("c/templates/a.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n"),
        ("c/templates/sub/z.yaml", "apiVersion: x/v1\nkind: Alpha\nmetadata:\n  name: a\n"),
        ("c/templates/sub/z.yaml", "apiVersion: x/v1\nkind: Zeta\nmetadata:\n  name: z\n"),
    ]


VALUES_TEMPLATE = """apiVersion: v1
kind: ConfigMap
metadata:
  name: values
data:
  json: {{ toJson .Values | quote }}
  kinds: {{ printf "%s %s %s %s" (kindOf .Values.a.b) (kindOf .Values.num) (kindOf .Values.str) (kindOf .Values.t) | quote }}
  hasGone: {{ hasKey .Values "gone" | quote }}
"""


def test_values_files_and_set_layer_as_helm(template, tmp_path):
    chart = make_chart(tmp_path, {"v.yaml": VALUES_TEMPLATE},
                       "a: {b: 1, c: 2}\nlist: [1, 2]\nkeep: x\ngone: y\nnum: 0\nstr: s\nt: false\n")
    first = tmp_path / "first.yaml"
    first.write_text("a: {b: 10}\nlist: [3]\nkeep: from-file\n")
    second = tmp_path / "second.yaml"
    second.write_text("a: {d: 4}\nkeep: from-second-file\n")
    result = template(chart, "--set", "keep=from-set",  # before the files, still wins over them
                      "-f", str(first), "-f", str(second),
                      "--set", "gone=null", "--set", "num=5,s=05,t=TRUE,l={x,y,3},e={}",
                      "--set", r"dotted.key.deep=v,esc=a\,b\.c,idx[1]=z,obj[0].k=1",
                      "--set-string", "str=7")
    assert result.returncode == 0, result.stderr
    [cm] = [d for d in yaml.safe_load_all(result.stdout) if d]
    assert json.loads(cm["data"]["json"]) == {
        "a": {"b": 10, "c": 2, "d": 4}, "list": [3], "keep": "from-set", "num": 5, "s": "05", "t": True,
        "l": ["x", "y", 3], "e": [""], "str": "7", "dotted": {"key": {"deep": "v"}}, "esc": "a,b.c",
        "idx": [None, "z"], "obj": [{"k": 1}],
    }
    # values files read as JSON does (every number a float64); --set integers are int64
    assert cm["data"]["kinds"] == "float64 int64 string bool"
    assert cm["data"]["hasGone"] == "false"


def test_null_in_a_values_file_removes_a_default(template, tmp_path):
    chart = make_chart(tmp_path, {"v.yaml": "kind: ConfigMap\ndata: {{ toJson .Values | quote }}\n"},
                       "pdb: {min: 1}\ntopology: [a]\n")
    override = tmp_path / "o.yaml"
    override.write_text("pdb: {min: null, max: 0}\ntopology: null\n")
    result = template(chart, "-f", str(override))
    assert result.returncode == 0, result.stderr
    [doc] = [d for d in yaml.safe_load_all(result.stdout) if d]
    assert json.loads(doc["data"]) == {"pdb": {"max": 0}}


FUNCS_TEMPLATE = """{{- define "c.labels" -}}
app: {{ .Chart.Name }}
release: {{ .Release.Name }}
{{- end -}}
apiVersion: v1
kind: ConfigMap
metadata:
  labels:
    {{- include "c.labels" . | nindent 4 }}
  name: funcs
  namespace: {{ .Release.Namespace }}
data:
  chart: "{{ .Chart.Name }} {{ .Chart.Version }} {{ .Chart.AppVersion }}"
  release: "{{ .Release.Service }} {{ .Release.IsInstall }} {{ .Release.IsUpgrade }} {{ .Release.Revision }}"
  template: {{ .Template.Name | quote }}
  tpl: {{ tpl .Values.greeting . | quote }}
  toYaml: |
    {{- toYaml .Values.nested | nindent 4 }}
  fromYaml: {{ (fromYaml "a: [1, {b: c}]").a | toJson | quote }}
  fromYamlError: {{ hasKey (fromYaml "a: [") "Error" | quote }}
  missing: "[{{ .Values.nothing }}][{{ .Values.nested.nothing }}]"
  lookup: {{ lookup "v1" "Secret" "ns" "s" | toJson | quote }}
  kube: {{ semverCompare ">=1.20.0-0" .Capabilities.KubeVersion.Version | quote }}
  apps: {{ .Capabilities.APIVersions.Has "apps/v1" | quote }}
  sprig: {{ list 3 1 2 | sortAlpha | join "," | upper | quote }}
"""


def test_helms_functions_and_objects(template, tmp_path):
    chart = make_chart(tmp_path, {"f.yaml": FUNCS_TEMPLATE},
                       "greeting: 'hi {{ .Release.Name }} {{ include \"c.labels\" . | replace \"\\n\" \" \" }}'\n"
                       "nested: {z: 1, a: [x, {k: v}], m: {q: 'true'}}\n")
    result = template(chart, release="r1", namespace="n1")
    assert result.returncode == 0, result.stderr
    [cm] = [d for d in yaml.safe_load_all(result.stdout) if d]
    assert cm["metadata"]["labels"] == {"app": "c", "release": "r1"} and cm["metadata"]["namespace"] == "n1"
    data = cm["data"]
    assert data["chart"] == "c 1.2.3 v9.8"
    assert data["release"] == "Helm true false 1"
    assert data["template"] == "c/templates/f.yaml"
    assert data["tpl"] == "hi r1 app: c release: r1"
    assert data["toYaml"] == "a:\n- x\n- k: v\nm:\n  q: \"true\"\nz: 1\n"  # keys sorted
    assert json.loads(data["fromYaml"]) == [1, {"b": "c"}]
    assert data["fromYamlError"] == "true"
    assert data["missing"] == "[][]"
    assert data["lookup"] == "{}"
    assert data["kube"] == "true" and data["apps"] == "true"
    assert data["sprig"] == "1,2,3"


def test_required_and_fail_stop_the_render_with_helms_message(template, tmp_path):
    chart = make_chart(tmp_path, {
        "r.yaml": "kind: ConfigMap\ndata:\n  x: {{ required \"x is required!\" .Values.x }}\n",
        "s.yaml": "{{- if .Values.bad }}{{ fail \"bad is bad\" }}{{ end }}\n",
    }, "x:\nbad: false\n")
    missing = template(chart)
    assert missing.returncode == 1 and missing.stdout == ""
    assert re.search(r"^Error: execution error at \(c/templates/r\.yaml:3:\d+\): x is required!$",
                     missing.stderr, re.M), missing.stderr
    assert template(chart, "--set", "x=").returncode == 1  # an empty string is missing too
    assert template(chart, "--set", "x=0").returncode == 0
    failed = template(chart, "--set", "x=1,bad=true")
    assert failed.returncode == 1
    assert re.search(r"^Error: execution error at \(c/templates/s\.yaml:1:\d+\): bad is bad$",
                     failed.stderr, re.M), failed.stderr


def test_invalid_yaml_output_is_an_error(template, tmp_path):
    chart = make_chart(tmp_path, {"bad.yaml": "kind: ConfigMap\ndata: [\n"})
    result = template(chart)
    assert result.returncode == 1
    assert "YAML parse error on c/templates/bad.yaml" in result.stderr


@pytest.mark.skipif(not HELM, reason="no helm on PATH to compare with")
@pytest.mark.parametrize("option", OPTIONS)
def test_ours_renders_the_chart_as_helm_does(helm_template, chart_dir, option):
    sets, values = OPTIONS[option]
    args = [a for f in values for a in ("-f", str(f))] + \
        [a for s in (f"azureTenantID={TENANT}", *sets) for a in ("--set", s)]
    ours = subprocess.run([str(helm_template), "-n", NAMESPACE, "--name", RELEASE, *args, str(chart_dir)],
                          capture_output=True, text=True, timeout=60, check=True).stdout
    helm = subprocess.run([HELM, "template", RELEASE, str(chart_dir), "-n", NAMESPACE, *args],
                          capture_output=True, text=True, timeout=60, check=True).stdout

    def documents(text):
        return [(source, yaml.safe_load(doc)) for source, doc in sources_and_documents(text)]
    assert documents(ours) == documents(helm)
