"""Writes the admission case table's pods (Tests/Fixtures/admission/cases) as AdmissionReview
requests into a corpus directory, so the admission fuzz target starts from realistic pods.

    case_reviews.py CORPUS_DIR CASE.yaml...
"""
import json
import pathlib
import sys

import yaml

target = pathlib.Path(sys.argv[1])
for path in map(pathlib.Path, sys.argv[2:]):
    case = yaml.safe_load(path.read_text()) or {}
    review = case.get("review")
    if not isinstance(review, dict) and isinstance(case.get("pod"), dict):
        review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
            "uid": "u", "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": case.get("namespace", "default"), "operation": "CREATE", "object": case["pod"]}}
    if isinstance(review, dict):
        (target / f"{path.stem}.json").write_text(json.dumps(review))
