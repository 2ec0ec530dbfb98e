"""The fault run (scripts/faults) in its short form: 15 s instead of 60 s, with a quarter of the
idle and garbage clients, every fault kind kept. It fails on any failed criterion and prints the
summary table, which pytest shows on failure."""
import os
import subprocess
import sys


def test_fault_run_short_form(repo_root, webhook_bin):
    run = subprocess.run(
        [sys.executable, str(repo_root / "Tests/integration/faults/run.py"), "--seconds", "15", "--idle", "125", "--garbage", "12"],
        cwd=repo_root, env={**os.environ, "AZWI_WEBHOOK_BIN": str(webhook_bin)},
        capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "FAIL" not in run.stdout
