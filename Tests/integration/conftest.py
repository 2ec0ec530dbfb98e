"""Fixtures every integration test shares: where the repo and the built binary are."""
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def repo_root() -> pathlib.Path:
    return REPO


@pytest.fixture(scope="session")
def webhook_bin() -> pathlib.Path:
    """The debug build of azwi-webhook (scripts/test builds it before pytest runs)."""
    bin_dir = subprocess.run(
        ["swift", "build", "--show-bin-path"], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout.strip()
    path = pathlib.Path(bin_dir) / "azwi-webhook"
    assert path.exists(), f"{path} is missing: run `swift build` first"
    return path
