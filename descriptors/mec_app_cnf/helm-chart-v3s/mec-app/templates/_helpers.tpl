{{- define "mec-app.labels" -}}
app.kubernetes.io/name: mec-app
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}
{{- define "mec-app.selector" -}}
app.kubernetes.io/name: mec-app
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
