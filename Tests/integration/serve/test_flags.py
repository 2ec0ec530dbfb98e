"""Bad flags and environment stop the start with a message that names them; good ones start."""
import http.client
import re
import subprocess

import pytest


def run_serve(webhook_bin, repo_root, cert_dir, env, *args):
    """Runs `serve` expecting it to refuse to start; returns (exit code, stderr)."""
    base = ["--port", "0", "--health-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0",
            "--webhook-cert-dir", str(cert_dir), "--service-accounts", str(repo_root / "examples" / "serviceaccount.yaml")]
    result = subprocess.run([str(webhook_bin), "serve", *base, *args], cwd=repo_root, env=env,
                            capture_output=True, text=True, timeout=20)
    return result.returncode, result.stderr


@pytest.mark.parametrize("args, named", [
    (["--tls-min-version", "1.1"], "--tls-min-version"),
    (["--tls-min-version", "1.0"], "--tls-min-version"),
    (["--tls-min-version", "2"], "--tls-min-version"),
    (["--metrics-backend", "opencensus"], "--metrics-backend"),
    (["--health-addr", "nonsense"], "--health-addr"),
    (["--metrics-addr", ":99999"], "--metrics-addr"),
    (["--port", "70000"], "--port"),
    (["--log-level", "verbose"], "--log-level"),
    (["--log-format", "xml"], "--log-format"),
    (["--shutdown-timeout", "soon"], "--shutdown-timeout"),
    (["--idle-timeout", "-3"], "--idle-timeout"),
    (["--max-connections", "0"], "--max-connections"),
    (["--authority-host", "http://plain.example"], "--authority-host"),
    (["--no-such-flag"], "--no-such-flag"),
])
def test_bad_flag_is_named(webhook_bin, repo_root, cert_dir, base_env, args, named):
    code, err = run_serve(webhook_bin, repo_root, cert_dir, base_env, *args)
    assert code != 0
    assert named in err, err


@pytest.mark.parametrize("variable, value", [
    ("AZURE_TENANT_ID", ""),
    ("AZURE_ENVIRONMENT", "MarsCloud"),
    ("POD_NAMESPACE", "Not_A_Namespace"),
])
def test_bad_environment_is_named(webhook_bin, repo_root, cert_dir, base_env, variable, value):
    env = dict(base_env, **{variable: value})
    code, err = run_serve(webhook_bin, repo_root, cert_dir, env)
    assert code != 0
    assert variable in err or value in err, err


def test_an_unreadable_kubeconfig_is_named(webhook_bin, repo_root, cert_dir, base_env):
    result = subprocess.run([str(webhook_bin), "serve", "--webhook-cert-dir", str(cert_dir), "--kubeconfig", "/nonexistent"],
                            cwd=repo_root, env=base_env, capture_output=True, text=True, timeout=20)
    assert result.returncode != 0
    assert "cannot read kubeconfig /nonexistent" in result.stderr


def test_local_service_accounts_and_a_kubeconfig_are_refused_together(webhook_bin, repo_root, cert_dir, base_env):
    result = subprocess.run([str(webhook_bin), "serve", "--webhook-cert-dir", str(cert_dir), "--kubeconfig", "/k",
                             "--service-accounts", "examples/serviceaccount.yaml"],
                            cwd=repo_root, env=base_env, capture_output=True, text=True, timeout=20)
    assert result.returncode != 0
    assert "not both" in result.stderr


def test_missing_certificates_are_named(webhook_bin, repo_root, tmp_path, base_env):
    code, err = run_serve(webhook_bin, repo_root, tmp_path / "empty", base_env)
    assert code != 0
    assert "--webhook-cert-dir" in err and "tls.crt" in err, err


def test_address_in_use_is_named(webhook, webhook_bin, repo_root, cert_dir, base_env):
    code, err = run_serve(webhook_bin, repo_root, cert_dir, base_env, "--health-addr", f"127.0.0.1:{webhook.health_port}")
    assert code != 0
    assert "--health-addr" in err, err


def test_upstream_chart_arguments_are_accepted(start_webhook):
    webhook = start_webhook("--log-level=info", "--metrics-backend=prometheus", "--disable-cert-rotation",
                            "--tls-min-version=1.2", "--audience=api://AzureADTokenExchange")
    assert webhook.get_plain(webhook.health_port, "/readyz")[0] == 200


def test_text_log_format(webhook_bin, repo_root, cert_dir, base_env):
    args = [str(webhook_bin), "serve", "--log-format", "text", "--port", "0", "--health-addr", "127.0.0.1:0",
            "--metrics-addr", "127.0.0.1:0", "--webhook-cert-dir", str(cert_dir),
            "--service-accounts", str(repo_root / "examples" / "serviceaccount.yaml")]
    process = subprocess.Popen(args, cwd=repo_root, env=base_env, stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        for _ in range(20):
            line = process.stderr.readline()
            if "serving" in line or not line:
                break
        match = re.search(r"healthPort=(\d+)", line)
        assert match and not line.startswith("{"), line
        connection = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=10)
        connection.request("GET", "/healthz")
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        process.terminate()
        process.communicate(timeout=15)
    assert process.returncode == 0


def test_help_explains_cert_rotation(webhook_bin):
    result = subprocess.run([str(webhook_bin), "serve", "--help"], capture_output=True, text=True, timeout=20)
    assert result.returncode == 0
    assert "--disable-cert-rotation" in result.stdout
    text = " ".join(result.stdout.split())
    assert "keeps a CA and a serving certificate in the Secret azure-wi-webhook-server-cert" in text
    assert "--mutating-webhook-configuration-name" in text and "--cert-rotation-check-interval" in text


def test_unreadable_service_accounts_are_named(webhook_bin, repo_root, cert_dir, base_env):
    code, err = run_serve(webhook_bin, repo_root, cert_dir, base_env, "--service-accounts", "/nonexistent/sa.yaml")
    assert code != 0
    assert "--service-accounts" in err and "/nonexistent/sa.yaml" in err, err


def test_dev_mode_outside_the_repository_says_what_to_do(webhook_bin, tmp_path, base_env):
    result = subprocess.run([str(webhook_bin), "--dev", "--port", "0", "--health-addr", "127.0.0.1:0",
                             "--metrics-addr", "127.0.0.1:0"], cwd=tmp_path, env=base_env,
                            capture_output=True, text=True, timeout=20)
    assert result.returncode != 0
    assert "examples/serviceaccount.yaml" in result.stderr and "--service-accounts" in result.stderr


def test_dev_mode_removes_its_certificates_when_it_cannot_start(webhook, webhook_bin, repo_root, base_env, tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = dict(base_env, TMPDIR=str(scratch))
    result = subprocess.run([str(webhook_bin), "--dev", "--port", str(webhook.port), "--health-addr", "127.0.0.1:0",
                             "--metrics-addr", "127.0.0.1:0"], cwd=repo_root, env=env,
                            capture_output=True, text=True, timeout=20)
    assert result.returncode != 0
    assert "--port" in result.stderr, result.stderr
    assert list(scratch.iterdir()) == []
