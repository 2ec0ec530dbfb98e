"""Fixtures for the deployment tests: the image's binary, the chart renderer and chart renders.

The chart is rendered by `helm template` when a helm binary is on PATH, else by our own renderer,
hack/helm-template (docs/helm-template.md)."""
import pathlib
import shutil
import subprocess

import pytest
import yaml

from chart_render import NAMESPACE, RELEASE, TENANT


@pytest.fixture(scope="session")
def shipped_bin(repo_root: pathlib.Path) -> pathlib.Path:
    """azwi-webhook as the Dockerfile builds it (scripts/build-release), into the git-ignored .build-release/."""
    out = repo_root / ".build-release" / "shipped" / "azwi-webhook"
    subprocess.run([str(repo_root / "scripts" / "build-release"), str(out)], check=True, timeout=1800)
    return out


def build_helm_template(repo_root: pathlib.Path) -> pathlib.Path:
    """hack/helm-template, built (when stale) into the git-ignored .build-tools/."""
    out = repo_root / ".build-tools" / "helm-template"
    built = subprocess.run([str(repo_root / "hack" / "helm-template" / "build.sh"), str(out)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, f"hack/helm-template/build.sh failed:\n{built.stderr}"
    return out


@pytest.fixture(scope="session")
def helm_template(repo_root: pathlib.Path) -> pathlib.Path:
    """Our renderer, hack/helm-template, built once."""
    return build_helm_template(repo_root)


@pytest.fixture(scope="session")
def chart_renderer(request):
    """The command that renders the chart, a function of (namespace, release, [-f/--set args], chart
    dir): `helm template` when helm is on PATH, else hack/helm-template (built only then)."""
    helm = shutil.which("helm")
    if helm:
        return lambda ns, release, args, chart: [helm, "template", release, str(chart), "-n", ns, *args]
    ours = str(request.getfixturevalue("helm_template"))
    return lambda ns, release, args, chart: [ours, "-n", ns, "--name", release, *args, str(chart)]


@pytest.fixture(scope="session")
def chart_dir(repo_root: pathlib.Path) -> pathlib.Path:
    return repo_root / "charts" / "workload-identity-webhook"


@pytest.fixture(scope="session")
def render(chart_renderer, chart_dir):
    """render(*sets, values=[files], tenant=True) -> (returncode, stdout, stderr)."""

    def run(*sets: str, values=(), tenant: bool = True):
        args = []
        for f in values:
            args += ["-f", str(f)]
        for s in ([f"azureTenantID={TENANT}"] if tenant else []) + list(sets):
            args += ["--set", s]
        return subprocess.run(chart_renderer(NAMESPACE, RELEASE, args, chart_dir),
                              capture_output=True, text=True, timeout=60)

    return run


@pytest.fixture(scope="session")
def objects(render):
    """objects(*sets, values=[files]) -> {(kind, name): object}, for a render that must succeed."""

    def run(*sets: str, values=()):
        result = render(*sets, values=values)
        assert result.returncode == 0, result.stderr
        docs = [d for d in yaml.safe_load_all(result.stdout) if d]
        by_key = {(d["kind"], d["metadata"]["name"]): d for d in docs}
        assert len(by_key) == len(docs), "two objects share a kind and name"
        return by_key

    return run
