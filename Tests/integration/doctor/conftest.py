"""The doctor tests' fixtures. They live, with the scenario's constants and helpers, in doctor_scenario.py:
several test folders have a conftest module, so the tests import from a name of their own."""
from doctor_scenario import apiserver_pki, serving_pki, other_ca, cluster  # noqa: F401 (pytest fixtures)
