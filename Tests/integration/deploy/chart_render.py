"""What the deployment tests share: the release they render, the chart options they try, and
accessors for the objects they look at."""
import pathlib

NAMESPACE = "azure-workload-identity-system"
RELEASE = "workload-identity-webhook"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
HERE = pathlib.Path(__file__).parent

OPTIONS = {  # name -> (sets, values files)
    "default": ((), ()),
    "upstream-example": ((), (HERE / "values" / "upstream-example.yaml",)),
    "cert-manager": (("certManager.enabled=true",), ()),
    "ignore-failures": (("mutatingWebhookFailurePolicy=Ignore", "mutatingWebhookTimeoutSeconds=5"), ()),
    "proxy-images": (("proxyImage=example.io/proxy:v9", "proxyInitImage=example.io/proxy-init:v9"), ()),
    "extras": ((), (HERE / "values" / "extras.yaml",)),
    "pdb-max-unavailable": (("podDisruptionBudget.minAvailable=null", "podDisruptionBudget.maxUnavailable=0"), ()),
    "no-topology-spread": (("topologySpreadConstraints=null",), ()),
    # pod repair (ours): off, and evicting with a namespace selector of one's own (namespace reads)
    "repair-off": (("repair.mode=off",), ()),
    "repair-evict": (("repair.mode=evict", "repair.evictionsPerMinute=3", "mutatingWebhookFailurePolicy=Ignore",
                      "mutatingWebhookNamespaceSelector.matchLabels.azure-workload-identity=enabled"), ()),
    # identity bindings (upstream 1.6's custom token endpoint), with each of the three CA sources
    "identity-binding": ((), (HERE / "values" / "upstream-1.6-identity-binding.yaml",)),
    "identity-binding-ca-data": ((), (HERE / "values" / "upstream-1.6-identity-binding.yaml",
                                      HERE / "values" / "identity-binding-ca-data.yaml")),
    "identity-binding-ctb": ((), (HERE / "values" / "upstream-1.6-identity-binding.yaml",
                                  HERE / "values" / "identity-binding-ctb.yaml")),
}


def deployment(objs):
    return objs[("Deployment", "azure-wi-webhook-controller-manager")]


def container(objs):
    [c] = deployment(objs)["spec"]["template"]["spec"]["containers"]
    return c


def webhook(objs):
    [w] = objs[("MutatingWebhookConfiguration", "azure-wi-webhook-mutating-webhook-configuration")]["webhooks"]
    return w
