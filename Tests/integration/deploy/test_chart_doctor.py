"""The chart's optional doctor ClusterRoles (doctor.rbac.create): off by default, exactly the
permissions `azwi-webhook doctor` uses (doctor_rbac.py, which a doctor run is checked against),
no bindings, and valid for every Kubernetes version the chart supports."""
import kubernetes_validate
import pytest

from chart_render import RELEASE
from doctor_rbac import TEAM, WEBHOOK
from test_chart import KUBE_VERSIONS

ROLES = {"azure-wi-webhook-doctor": TEAM, "azure-wi-webhook-doctor-webhook": WEBHOOK}


def granted(role):
    """(verb, resource.group or URL) for every rule of a ClusterRole."""
    pairs = set()
    for rule in role["rules"]:
        for verb in rule["verbs"]:
            pairs |= {(verb, url) for url in rule.get("nonResourceURLs", [])}
            for group in rule.get("apiGroups", []):
                pairs |= {(verb, resource + ("." + group if group else "")) for resource in rule["resources"]}
    return pairs


def test_off_by_default(objects):
    assert not [key for key in objects() if key[1].startswith("azure-wi-webhook-doctor")]


def test_on_it_adds_two_cluster_roles_with_exactly_what_doctor_uses_and_no_binding(objects):
    added = {key: obj for key, obj in objects("doctor.rbac.create=true").items() if key not in objects()}
    assert set(added) == {("ClusterRole", name) for name in ROLES}
    for name, expected in ROLES.items():
        role = added[("ClusterRole", name)]
        assert granted(role) == expected, name
        assert role["metadata"]["labels"]["release"] == RELEASE
        assert all(rule["verbs"] != ["*"] and rule.get("resources") != ["*"] for rule in role["rules"])


def test_the_webhook_role_names_the_webhooks_objects_and_never_grants_secrets(objects):
    objs = objects("doctor.rbac.create=true")
    rules = objs[("ClusterRole", "azure-wi-webhook-doctor-webhook")]["rules"]
    names = {rule["resources"][0]: rule.get("resourceNames") for rule in rules if "resources" in rule}
    assert names["mutatingwebhookconfigurations"] == ["azure-wi-webhook-mutating-webhook-configuration"]
    assert names["services"] == ["azure-wi-webhook-webhook-service"]
    assert names["configmaps"] == ["azure-wi-webhook-config"]
    for name in ROLES:
        assert not any("secrets" in rule.get("resources", []) for rule in objs[("ClusterRole", name)]["rules"])


@pytest.mark.parametrize("name", sorted(ROLES))
def test_the_roles_are_valid_for_each_kubernetes_version(objects, name):
    role = objects("doctor.rbac.create=true")[("ClusterRole", name)]
    for version in KUBE_VERSIONS:
        kubernetes_validate.validate(role, version, strict=True)
