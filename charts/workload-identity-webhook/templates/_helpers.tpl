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

{{/* Ours: pod repair's mode (repair.mode), checked: off, report or evict. */}}
{{- define "workload-identity-webhook.repairMode" -}}
{{- $mode := toString ((.Values.repair | default dict).mode | default "report") }}
{{- if not (has $mode (list "off" "report" "evict")) }}
{{- fail (printf "repair.mode %q is not valid: use off, report or evict" $mode) }}
{{- end }}
{{- $mode }}
{{- end }}
