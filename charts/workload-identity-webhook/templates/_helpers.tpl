{{/* The chart's name, as upstream: the value of the `app` and `chart` labels. */}}
{{- define "workload-identity-webhook.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Upstream's labels, on every object and as every selector. */}}
{{- define "workload-identity-webhook.labels" -}}
app: '{{ template "workload-identity-webhook.name" . }}'
azure-workload-identity.io/system: "true"
chart: '{{ template "workload-identity-webhook.name" . }}'
release: '{{ .Release.Name }}'
{{- end }}
