"""Fixtures for the deployment tests: the image's binary, the helm-template tool and chart renders."""
import pathlib
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


@pytest.fixture(scope="session")
def helm_template(repo_root: pathlib.Path) -> pathlib.Path:
    """shared/tools/helm-template, built once into the git-ignored .build-tools/."""
    build = repo_root.parent / "shared" / "tools" / "helm-template" / "build.sh"
    out = repo_root / ".build-tools" / "helm-template"
    subprocess.run([str(build), str(out)], check=True, capture_output=True, text=True, timeout=600)
    return out


@pytest.fixture(scope="session")
def chart_dir(repo_root: pathlib.Path) -> pathlib.Path:
    return repo_root / "charts" / "workload-identity-webhook"


@pytest.fixture(scope="session")
def render(helm_template, chart_dir):
    """render(*sets, values=[files], tenant=True) -> (returncode, stdout, stderr)."""

    def run(*sets: str, values=(), tenant: bool = True):
        args = [str(helm_template), "-n", NAMESPACE, "--name", RELEASE]
        for f in values:
            args += ["-f", str(f)]
        for s in ([f"azureTenantID={TENANT}"] if tenant else []) + list(sets):
            args += ["--set", s]
        return subprocess.run(args + [str(chart_dir)], capture_output=True, text=True, timeout=60)

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
