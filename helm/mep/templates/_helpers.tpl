{{- define "mep.labels" -}}
app.kubernetes.io/name: mep
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}
{{- define "mep.selector" -}}
app.kubernetes.io/name: mep
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
