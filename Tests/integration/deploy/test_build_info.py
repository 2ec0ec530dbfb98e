"""What scripts/build-release stamps into the shipped binary: `git describe --tags` (the release
tag when HEAD has one), the commit and the build date, or the values the image build passes in
(AZWI_VERSION, AZWI_COMMIT, AZWI_BUILD_DATE), in upstream's `--version` shape."""
import datetime
import json
import os
import subprocess

import pytest

KEYS = ["buildVersion", "gitCommit", "buildDate", "swiftVersion", "platform"]
PLATFORM = {"x86_64": "linux/amd64", "aarch64": "linux/arm64"}[os.uname().machine]


def version_of(binary) -> dict:
    out = subprocess.run([binary, "--version"], check=True, capture_output=True, text=True, timeout=30).stdout
    info = json.loads(out)
    assert list(info) == KEYS, out
    return info


def git(repo_root, *args) -> str:
    return subprocess.run(["git", *args], cwd=repo_root, check=True, capture_output=True, text=True,
                          timeout=30).stdout.strip()


def build_release(repo_root, out, **stamp):
    return subprocess.run([repo_root / "scripts" / "build-release", out], env=os.environ | stamp,
                          capture_output=True, text=True, timeout=1800)


def test_shipped_binary_names_its_tag_commit_and_build_date(shipped_bin, repo_root):
    info = version_of(shipped_bin)
    assert info["buildVersion"] == git(repo_root, "describe", "--tags", "--always", "--dirty")
    assert info["gitCommit"] == git(repo_root, "rev-parse", "HEAD")
    built = datetime.datetime.strptime(info["buildDate"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    now = datetime.datetime.now(datetime.timezone.utc)
    assert now - datetime.timedelta(hours=3) < built <= now + datetime.timedelta(minutes=1)  # this session's build
    swift = subprocess.run(["swift", "--version"], check=True, capture_output=True, text=True, timeout=60).stdout
    assert f"Swift version {info['swiftVersion']} " in swift
    assert info["platform"] == PLATFORM


def test_image_build_args_replace_what_git_says(shipped_bin, repo_root, tmp_path):
    # After shipped_bin, whose build this reuses: only the link runs again, with the new stamp.
    stamp = {"AZWI_VERSION": "v1.2.3-rc.1", "AZWI_COMMIT": "0123456789abcdef0123456789abcdef01234567",
             "AZWI_BUILD_DATE": "2030-01-02T03:04:05Z"}
    result = build_release(repo_root, tmp_path / "azwi-webhook", **stamp)
    assert result.returncode == 0, result.stderr
    info = version_of(tmp_path / "azwi-webhook")
    assert [info["buildVersion"], info["gitCommit"], info["buildDate"]] == list(stamp.values())
    assert info["platform"] == PLATFORM


@pytest.mark.parametrize("value", ['v1"; exit 1 //', "v1 2", "v1\nv2"])
def test_a_stamp_that_would_break_c_json_or_a_header_is_refused(repo_root, tmp_path, value):
    result = build_release(repo_root, tmp_path / "azwi-webhook", AZWI_VERSION=value)
    assert result.returncode == 1 and "is not a valid stamp value" in result.stderr
    assert not (tmp_path / "azwi-webhook").exists()
