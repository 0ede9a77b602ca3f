{{- define "mec-app.labels" -}}
app.kubernetes.io/name: mec-app
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: osm-mec
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}
{{- define "mec-app.selector" -}}
app.kubernetes.io/name: mec-app
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
{{- define "mec-app.fullname" -}}
{{- printf "%s-mec-app" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end }}
{{- define "mec-app.secretName" -}}
{{- .Values.mep.existingSecret | default (printf "%s-token" (include "mec-app.fullname" .)) -}}
{{- end }}
