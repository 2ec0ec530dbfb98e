"""The GitHub workflows (.github/workflows), which cannot run here: actionlint (with shellcheck on
every `run:` script) and zizmor must find nothing, and every action is pinned by commit."""
import os
import pathlib
import re
import subprocess
import sys

import yaml

BIN = pathlib.Path(sys.executable).parent  # the virtualenv's bin/, where requirements-test.txt installs tools


def test_actionlint_with_shellcheck_finds_nothing(repo_root):
    # actionlint runs shellcheck on `run:` scripts when it finds it on PATH: the virtualenv's.
    env = os.environ | {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run([BIN / "actionlint", "-verbose"], cwd=repo_root, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'Rule "shellcheck" was disabled' not in result.stderr
    assert "Linting .github/workflows/release.yml" in result.stderr


def test_zizmor_finds_nothing(repo_root):
    # Offline: the audits that ask GitHub (impostor commits, known-vulnerable actions) need a token.
    result = subprocess.run([BIN / "zizmor", "--offline", "--no-progress", ".github/workflows"], cwd=repo_root,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_every_action_is_pinned_by_commit_with_its_version_named(repo_root):
    uses = []
    for workflow in (repo_root / ".github" / "workflows").glob("*.yml"):
        uses += re.findall(r"^\s*-?\s*uses: (\S+)(.*)$", workflow.read_text(), re.M)
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", comment), f"{action}: no version comment"


def test_changelog_has_a_section_for_the_charts_version(repo_root, chart_dir):
    # The release workflow takes its notes from it (scripts/changelog-section) and wants its date.
    chart = yaml.safe_load((chart_dir / "Chart.yaml").read_text())
    changelog = (repo_root / "CHANGELOG.md").read_text()
    assert re.search(rf"^## \[{re.escape(chart['version'])}\] - (\d{{4}}-\d{{2}}-\d{{2}}|unreleased)$", changelog, re.M)
    notes = subprocess.run([repo_root / "scripts" / "changelog-section", chart["version"]], check=True,
                           capture_output=True, text=True, timeout=30).stdout
    assert "### Added" in notes and "## [" not in notes
    missing = subprocess.run([repo_root / "scripts" / "changelog-section", "0.0.0-none"],
                             capture_output=True, text=True, timeout=30)
    assert missing.returncode == 1 and "no section ## [0.0.0-none]" in missing.stderr
