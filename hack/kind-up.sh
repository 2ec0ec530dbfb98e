#!/usr/bin/env bash
# Quickstart on kind (docs/kind.md): a cluster whose service-account tokens Entra ID can trust,
# the webhook built from this repository, and a labelled pod to show what the webhook injects.
# needs: docker, kind, kubectl, helm, openssl
# env:   AZURE_TENANT_ID (required), AZURE_CLIENT_ID, SERVICE_ACCOUNT_ISSUER, CLUSTER_NAME,
#        KEYVAULT_URL, KEYVAULT_SECRET_NAME, CERT_MANAGER_VERSION (e.g. v1.16.2: serving
#        certificate from cert-manager instead of the webhook's own rotation)
set -euo pipefail
cd "$(dirname "$0")/.."

: "${AZURE_TENANT_ID:?set AZURE_TENANT_ID to your Entra ID tenant}"
client_id=${AZURE_CLIENT_ID:-00000000-0000-0000-0000-000000000000}
# The URL where you will publish the discovery document and JWKS; it must end with a slash and
# match the federated credential's issuer exactly.
issuer=${SERVICE_ACCOUNT_ISSUER:-https://example.invalid/azwi-kind/}
cluster=${CLUSTER_NAME:-azwi}
image=azwi-webhook:dev
work=out/kind
mkdir -p "$work"

# 1. The service-account signing key, kept across runs so the published JWKS stays valid.
if [[ ! -f $work/sa.key ]]; then
  openssl genrsa -out "$work/sa.key" 2048
  openssl rsa -in "$work/sa.key" -pubout -out "$work/sa.pub"
fi

# 2. A cluster that signs tokens with that key and names the issuer.
cat > "$work/kind.yaml" <<YAML
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
  extraMounts:
  - hostPath: $PWD/$work/sa.pub
    containerPath: /etc/kubernetes/pki/sa.pub
  - hostPath: $PWD/$work/sa.key
    containerPath: /etc/kubernetes/pki/sa.key
  kubeadmConfigPatches:
  - |
    kind: ClusterConfiguration
    apiServer:
      extraArgs:
        service-account-issuer: $issuer
        service-account-jwks-uri: ${issuer%/}/openid/v1/jwks
        service-account-key-file: /etc/kubernetes/pki/sa.pub
        service-account-signing-key-file: /etc/kubernetes/pki/sa.key
    controllerManager:
      extraArgs:
        service-account-private-key-file: /etc/kubernetes/pki/sa.key
YAML
kind create cluster --name "$cluster" --config "$work/kind.yaml"

# 3. The documents Entra ID fetches: upload them under the issuer URL (docs/kind.md).
kubectl get --raw /.well-known/openid-configuration > "$work/openid-configuration.json"
kubectl get --raw /openid/v1/jwks > "$work/jwks.json"

# 4. The webhook image, loaded into the cluster's node, and the chart.
docker build -t "$image" .
kind load docker-image "$image" --name "$cluster"
chart_args=(--set azureTenantID="$AZURE_TENANT_ID" --set image.repository=azwi-webhook --set image.release=dev)
if [[ -n ${CERT_MANAGER_VERSION:-} ]]; then
  kubectl apply -f "https://github.com/cert-manager/cert-manager/releases/download/$CERT_MANAGER_VERSION/cert-manager.yaml"
  kubectl -n cert-manager wait --for=condition=Available deployment --all --timeout=3m
  chart_args+=(--set certManager.enabled=true)
fi
helm upgrade --install workload-identity-webhook charts/workload-identity-webhook \
  --namespace azure-workload-identity-system --create-namespace "${chart_args[@]}" --wait --timeout 3m

# 5. A ServiceAccount bound to the Azure identity, and a pod that uses it.
kubectl apply -f - <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: production
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: keyvault-reader
  namespace: production
  annotations:
    azure.workload.identity/client-id: "$client_id"
---
apiVersion: v1
kind: Pod
metadata:
  name: secret-consumer
  namespace: production
  labels:
    azure.workload.identity/use: "true"
spec:
  serviceAccountName: keyvault-reader
  containers:
  - name: secret-consumer
    image: ghcr.io/azure/azure-workload-identity/msal-go:latest
    env:
    - name: KEYVAULT_URL
      value: "${KEYVAULT_URL:-https://example.vault.azure.net/}"
    - name: SECRET_NAME
      value: "${KEYVAULT_SECRET_NAME:-my-secret}"
YAML

# 6. What the webhook injected: AZURE_* env, the token volume and its mount.
kubectl get pod secret-consumer --namespace production -o yaml
