"""An application's use of the Azure SDK, run by test_azure_sdk.py inside the pod-like environment.

Configured as an application would be: `WorkloadIdentityCredential()` and
`DefaultAzureCredential()` with no arguments, and `WorkloadIdentityCredential(enable_azure_proxy=True)`
(the option an application sets for AKS identity bindings), reading only the environment. Reads
one command a line on stdin and answers one JSON line on stdout:
  `workload SCOPE` / `default SCOPE` / `proxy SCOPE`: a fresh credential of that kind, then `get_token(SCOPE)`;
  `probe [VARIABLE]`: what the process sees at the file $VARIABLE names (resolved path, read-only
  or not); VARIABLE defaults to AZURE_FEDERATED_TOKEN_FILE.
"""
import errno
import json
import os
import sys

from azure.identity import DefaultAzureCredential, WorkloadIdentityCredential


def credential_of(kind):
    if kind == "workload":
        return WorkloadIdentityCredential()
    if kind == "proxy":
        return WorkloadIdentityCredential(enable_azure_proxy=True)
    return DefaultAzureCredential()


def get_token(kind, scope):
    try:
        credential = credential_of(kind)
    except Exception as error:  # e.g. the SDK refusing the proxy env
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}
    try:
        token = credential.get_token(scope)
        return {"ok": True, "token": token.token, "expires_on": token.expires_on}
    except Exception as error:  # the test shows what went wrong
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}
    finally:
        credential.close()


def probe(variable="AZURE_FEDERATED_TOKEN_FILE"):
    path = os.environ[variable]
    try:
        with open(path, "a"):
            writable = True
    except OSError as error:
        writable = error.errno != errno.EROFS and f"{error}"
    return {"ok": True, "realpath": os.path.realpath(path), "writable": writable}


def main():
    for line in sys.stdin:
        command = line.split()
        if not command:
            continue
        answer = probe(*command[1:]) if command[0] == "probe" else get_token(command[0], command[1])
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
