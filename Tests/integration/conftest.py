"""Fixtures every integration test shares: where the repo and the built binary are."""
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def repo_root() -> pathlib.Path:
    return REPO


@pytest.fixture(scope="session")
def webhook_bin() -> pathlib.Path:
    """$AZWI_WEBHOOK_BIN (e.g. a sanitizer build, see scripts/sanitizers), else the debug build of
    azwi-webhook (scripts/test builds it before pytest runs)."""
    if os.environ.get("AZWI_WEBHOOK_BIN"):
        path = pathlib.Path(os.environ["AZWI_WEBHOOK_BIN"])
        assert path.exists(), f"AZWI_WEBHOOK_BIN={path} does not exist"
        return path
    bin_dir = subprocess.run(
        ["swift", "build", "--show-bin-path"], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout.strip()
    path = pathlib.Path(bin_dir) / "azwi-webhook"
    assert path.exists(), f"{path} is missing: run `swift build` first"
    return path
