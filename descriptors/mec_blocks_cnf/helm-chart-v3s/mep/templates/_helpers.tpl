{{- define "mep.labels" -}}
app.kubernetes.io/name: mep
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: osm-mec
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}
{{- define "mep.selector" -}}
app.kubernetes.io/name: mep
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: platform
{{- end }}
{{- define "mep.redisSelector" -}}
app.kubernetes.io/name: mep
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: redis
{{- end }}
{{- define "mep.fullname" -}}
{{- printf "%s-mep" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end }}
{{- define "mep.secretName" -}}
{{- .Values.existingSecret | default (printf "%s-secret" (include "mep.fullname" .)) -}}
{{- end }}
{{- define "mep.redisHost" -}}
{{- printf "%s-redis" (include "mep.fullname" .) -}}
{{- end }}
