"""The permissions `azwi-webhook doctor` uses, as (verb, resource as RBAC names it, or a URL).

One list for both sides: doctor/test_doctor_rbac.py checks that a doctor run asks for exactly
these, deploy/test_chart_doctor.py that the chart's doctor ClusterRoles grant exactly these.
"""

# A team's own objects (ClusterRole azure-wi-webhook-doctor, bound per namespace).
TEAM = {
    ("get", "pods"), ("list", "pods"), ("get", "serviceaccounts"), ("create", "serviceaccounts/token"),
    ("get", "deployments.apps"), ("get", "statefulsets.apps"), ("get", "daemonsets.apps"),
    ("get", "replicasets.apps"), ("list", "replicasets.apps"),
    ("get", "cronjobs.batch"), ("get", "jobs.batch"), ("list", "jobs.batch"),
}
# The webhook's side (ClusterRole azure-wi-webhook-doctor-webhook, bound cluster-wide).
WEBHOOK = {
    ("get", "mutatingwebhookconfigurations.admissionregistration.k8s.io"), ("get", "namespaces"),
    ("get", "services"), ("get", "configmaps"), ("list", "endpointslices.discovery.k8s.io"),
    ("get", "/.well-known/openid-configuration"),
}
# Read when allowed, granted by neither role: the Secret holds the webhook's private keys.
NOT_GRANTED = {("get", "secrets")}
