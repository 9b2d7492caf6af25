{{/*
Chart name, overridable with nameOverride. Trimmed to 63 characters: Kubernetes names and label values stop there.
*/}}
{{- define "lichen.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Prefix of every resource name: the release name, plus the chart name unless the release already contains it
(release "lichen" gives "lichen-nats", release "edge" gives "edge-lichen-nats").
Trimmed to 36 characters: the longest name, "<prefix>-health-exporter", plus the "-<hash>" Kubernetes appends
for controller revisions must stay within a 63-character label value.
*/}}
{{- define "lichen.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 36 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 36 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 36 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "lichen.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels that never change for a resource, so they can sit in a selector. Call with (dict "ctx" $ "component" "nats").
*/}}
{{- define "lichen.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lichen.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Standard labels. Call with (dict "ctx" $ "component" "nats").
*/}}
{{- define "lichen.labels" -}}
helm.sh/chart: {{ include "lichen.chart" .ctx }}
{{ include "lichen.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: lichen
{{- end }}

{{- define "lichen.nats.fullname" -}}
{{- printf "%s-nats" (include "lichen.fullname" .) }}
{{- end }}

{{- define "lichen.redis.fullname" -}}
{{- printf "%s-redis" (include "lichen.fullname" .) }}
{{- end }}

{{- define "lichen.exporter.fullname" -}}
{{- printf "%s-health-exporter" (include "lichen.fullname" .) }}
{{- end }}

{{- define "lichen.exporter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "lichen.exporter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
health-exporter image: [registry/]repository:tag, the tag defaulting to the chart's appVersion.
*/}}
{{- define "lichen.exporter.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion }}
{{- if .Values.image.registry }}
{{- printf "%s/%s:%s" (trimSuffix "/" .Values.image.registry) .Values.image.repository $tag }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/*
In-cluster addresses of NATS and Redis, short names: the exporter runs in the release's namespace.
*/}}
{{- define "lichen.natsUrl" -}}
{{- printf "nats://%s:%v" (include "lichen.nats.fullname" .) .Values.nats.clientPort }}
{{- end }}

{{- define "lichen.natsMonitorUrl" -}}
{{- printf "http://%s:%v" (include "lichen.nats.fullname" .) .Values.nats.monitorPort }}
{{- end }}

{{- define "lichen.redisUrl" -}}
{{- printf "redis://%s:%v" (include "lichen.redis.fullname" .) .Values.redis.port }}
{{- end }}
