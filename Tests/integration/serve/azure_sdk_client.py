"""An application's use of the Azure SDK, run by test_azure_sdk.py inside the pod-like environment.

Configured as an application would be: `WorkloadIdentityCredential()` and
`DefaultAzureCredential()` with no arguments, reading only the environment. Reads one command a
line on stdin and answers one JSON line on stdout:
  `workload SCOPE` / `default SCOPE`: a fresh credential of that kind, then `get_token(SCOPE)`;
  `probe`: what the process sees at $AZURE_FEDERATED_TOKEN_FILE (resolved path, read-only or not).
"""
import errno
import json
import os
import sys

from azure.identity import DefaultAzureCredential, WorkloadIdentityCredential


def get_token(kind, scope):
    credential = WorkloadIdentityCredential() if kind == "workload" else DefaultAzureCredential()
    try:
        token = credential.get_token(scope)
        return {"ok": True, "token": token.token, "expires_on": token.expires_on}
    except Exception as error:  # the test shows what went wrong
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}
    finally:
        credential.close()


def probe():
    path = os.environ["AZURE_FEDERATED_TOKEN_FILE"]
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
        answer = probe() if command[0] == "probe" else get_token(command[0], command[1])
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
