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

{{/*
The device id of the lichen container in the NATS pod (the router, the component manager): componentManager.deviceId,
or the release's full name. Not the node's name: that is one pod whose state (in the release's Redis, under its device
id) must follow it if it moves.
*/}}
{{- define "lichen.natsPod.deviceId" -}}
{{- .Values.componentManager.deviceId | default (include "lichen.fullname" .) }}
{{- end }}

{{/*
The Secret of the service users: Lichen processes in other pods (the health exporters) that log in to the release's
NATS. One key per user, holding its password; the lichen container in the NATS pod writes every key into NATS's users.
*/}}
{{- define "lichen.serviceUsers.secretName" -}}
{{- .Values.nats.serviceUsers.existingSecret | default (printf "%s-nats-service-users" (include "lichen.fullname" .)) }}
{{- end }}

{{/*
How a Lichen workload outside the NATS pod logs in: as a service user, its password from the service users' Secret.
Call with (dict "ctx" $ "user" "health-exporter").
*/}}
{{- define "lichen.natsLoginEnv" -}}
- name: LICHEN_NATS_USER
  value: {{ .user | quote }}
- name: LICHEN_NATS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "lichen.serviceUsers.secretName" .ctx }}
      key: {{ .user | quote }}
{{- end }}

{{- define "lichen.exporter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "lichen.exporter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The one Lichen image, [registry/]repository:tag with the tag defaulting to the chart's appVersion. Every Lichen
service runs from it: a workload picks its service with args ["run", "<service>"].
*/}}
{{- define "lichen.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion }}
{{- if .Values.image.registry }}
{{- printf "%s/%s:%s" (trimSuffix "/" .Values.image.registry) .Values.image.repository $tag }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/*
Where the Lichen image keeps its data (LICHEN_DATA_DIR, set by the image too). `lichen run` writes endpoints.json
there at start, so under a read-only root filesystem it is an emptyDir: see "lichen.dataVolume".
*/}}
{{- define "lichen.dataDir" -}}
/var/lib/lichen
{{- end }}

{{/*
The runtime host's variables for a Lichen workload outside the NATS pod: the device, the release's NATS (through its
Service) and Redis (so the process starts no servers of its own), the one /metrics + /healthz endpoint, the log level
and the data folder. LICHEN_DEVICE_ID is the node's name: a device id is a NATS subject token (letters, digits, _ and
-), and the downward API cannot rewrite a value, so a node name with a dot is refused at start (see the README). Its
login is "lichen.natsLoginEnv".
*/}}
{{- define "lichen.hostEnv" -}}
- name: LICHEN_DEVICE_ID
  valueFrom:
    fieldRef:
      fieldPath: spec.nodeName
- name: LICHEN_NATS_URL
  value: {{ include "lichen.natsUrl" . | quote }}
- name: LICHEN_NATS_MONITOR_URL
  value: {{ include "lichen.natsMonitorUrl" . | quote }}
{{ include "lichen.hostEnvCommon" . }}
{{- end }}

{{/*
The runtime host's variables every Lichen workload shares, wherever its NATS is: Redis, /metrics, the log level and
the data folder.
*/}}
{{- define "lichen.hostEnvCommon" -}}
- name: LICHEN_REDIS_URL
  value: {{ include "lichen.redisUrl" . | quote }}
- name: LICHEN_METRICS_HOST
  value: "0.0.0.0"
- name: LICHEN_METRICS_PORT
  value: {{ .Values.metrics.port | quote }}
- name: LICHEN_LOG_LEVEL
  value: {{ .Values.config.logLevel | quote }}
- name: LICHEN_DATA_DIR
  value: {{ include "lichen.dataDir" . | quote }}
{{- end }}

{{/*
The data folder's mount and volume outside the NATS pod: an emptyDir, as it only holds endpoints.json (NATS and Redis
run in their own pods, so no server data lands here).
*/}}
{{- define "lichen.dataVolumeMount" -}}
- name: lichen-data
  mountPath: {{ include "lichen.dataDir" . }}
{{- end }}

{{- define "lichen.dataVolume" -}}
- name: lichen-data
  emptyDir:
    sizeLimit: 16Mi
{{- end }}

{{/*
In-cluster addresses of NATS and Redis, short names: the exporter runs in the release's namespace. The lichen
container in the NATS pod reaches NATS on 127.0.0.1 instead.
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

{{/*
nats.conf, byte for byte what natsServerConfig() in libs/host/src/servers/nats-config.ts writes for the chart's
settings (test/deploy/helm.e2e.spec.ts compares them), so NATS runs the same config under `npm start`, compose and
the chart: JetStream, monitoring, the MQTT listener when nats.mqtt.enabled, and the users file Lichen writes.
nats.serverName is restricted by the schema to letters, digits, _ and -, where Go's and JavaScript's string quoting
agree.
*/}}
{{- define "lichen.nats.conf" -}}
{{- $nats := .Values.nats -}}
# Written by Lichen from its NATS settings (libs/host/src/servers/nats-config.ts): edit those, not this file.
server_name: {{ $nats.serverName | quote }}
listen: "0.0.0.0:{{ $nats.clientPort | int }}"
http: "0.0.0.0:{{ $nats.monitorPort | int }}"
jetstream {
  store_dir: "/data"
{{- with $nats.jetstream.maxFileStore }}
  max_file_store: {{ . | int64 }}
{{- end }}
}
{{- if $nats.mqtt.enabled }}
mqtt {
  listen: "0.0.0.0:{{ $nats.mqtt.port | int }}"
}
{{- end }}
include "users/users.conf"
{{ end }}

{{/*
The folder of NATS's users file, in both containers of the NATS pod: nats.conf includes users/users.conf beside it,
the lichen container writes it (LICHEN_NATS_USERS_FILE), run-nats.sh reloads NATS when it changes. The same paths as
in the compose file.
*/}}
{{- define "lichen.nats.usersDir" -}}
/etc/nats/users
{{- end }}

{{- define "lichen.nats.logDir" -}}
/var/log/nats
{{- end }}

{{/*
A Kubernetes quantity without a milli suffix ("2Gi", "1.5G", "512") as a number of bytes, for comparisons.
*/}}
{{- define "lichen.quantityBytes" -}}
{{- $quantity := toString . }}
{{- $units := dict "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 "Pi" 1125899906842624.0 "Ei" 1152921504606846976.0 "k" 1e3 "M" 1e6 "G" 1e9 "T" 1e12 "P" 1e15 "E" 1e18 }}
{{- $suffix := regexFind "[A-Za-z]+$" $quantity }}
{{- $number := trimSuffix $suffix $quantity | float64 }}
{{- if $suffix }}
{{- mulf $number (get $units $suffix) | int64 }}
{{- else }}
{{- $number | int64 }}
{{- end }}
{{- end }}

{{/*
A size as Lichen's LICHEN_SPOOL_MAX_BYTES reads it ("1GiB", "512MiB", "500MB", "1073741824") as a number of bytes,
floored as Lichen floors it, for comparisons.
*/}}
{{- define "lichen.sizeBytes" -}}
{{- $size := toString . }}
{{- $units := dict "B" 1.0 "KB" 1e3 "MB" 1e6 "GB" 1e9 "TB" 1e12 "KiB" 1024.0 "MiB" 1048576.0 "GiB" 1073741824.0 "TiB" 1099511627776.0 }}
{{- $suffix := regexFind "[A-Za-z]+$" $size }}
{{- $number := trimSuffix $suffix $size | float64 }}
{{- mulf $number (get $units ($suffix | default "B")) | floor | int64 }}
{{- end }}

{{/*
spool.maxBytes as LICHEN_SPOOL_MAX_BYTES takes it: a size as given ("1GiB"), or a number of bytes written out in full
(a values file's 10737418240 reaches the template as a float, which would print as 1.073741824e+10).
*/}}
{{- define "lichen.spool.maxBytes" -}}
{{- $size := .Values.spool.maxBytes }}
{{- if kindIs "string" $size }}{{ $size }}{{ else }}{{ $size | int64 }}{{ end }}
{{- end }}

{{/*
Where the cloud link's certificates are mounted in the lichen container, as /etc/lichen/cloud in the compose file.
*/}}
{{- define "lichen.syncAgent.tlsDir" -}}
/etc/lichen/cloud
{{- end }}

{{/*
The sync agent's LICHEN_CLOUD_* variables (services/sync-agent/src/config.ts) from syncAgent.*: the optional ones only
when given (an unset variable keeps the agent's default: no LICHEN_CLOUD_URL, no cloud), the password from its
Secret, and the *_FILE variables pointing at the files of the certificates' Secret.
*/}}
{{- define "lichen.syncAgentEnv" -}}
{{- $sa := .Values.syncAgent -}}
{{- $dir := include "lichen.syncAgent.tlsDir" . -}}
{{- with $sa.url }}
- name: LICHEN_CLOUD_URL
  value: {{ . | quote }}
{{- end }}
{{- with $sa.thingName }}
- name: LICHEN_CLOUD_THING_NAME
  value: {{ . | quote }}
{{- end }}
- name: LICHEN_CLOUD_PROTOCOL
  value: {{ $sa.protocol | quote }}
- name: LICHEN_CLOUD_KEEPALIVE
  value: {{ $sa.keepalive | quote }}
- name: LICHEN_CLOUD_RECONNECT_MIN
  value: {{ $sa.reconnectMin | quote }}
- name: LICHEN_CLOUD_RECONNECT_MAX
  value: {{ $sa.reconnectMax | quote }}
- name: LICHEN_CLOUD_SESSION_EXPIRY
  value: {{ $sa.sessionExpiry | quote }}
- name: LICHEN_CLOUD_MAX_INFLIGHT
  value: {{ $sa.maxInflight | quote }}
{{- with $sa.subscriptions }}
- name: LICHEN_CLOUD_SUBSCRIPTIONS
  value: {{ join "," . | quote }}
{{- end }}
{{- with $sa.shadows }}
- name: LICHEN_CLOUD_SHADOWS
  value: {{ join "," . | quote }}
{{- end }}
- name: LICHEN_CLOUD_HEARTBEAT_TOPIC
  value: {{ $sa.heartbeatTopic | quote }}
{{- with $sa.username }}
- name: LICHEN_CLOUD_USERNAME
  value: {{ . | quote }}
{{- end }}
{{- with $sa.password.existingSecret }}
- name: LICHEN_CLOUD_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ . | quote }}
      key: {{ $sa.password.key | quote }}
{{- end }}
{{- if $sa.tls.existingSecret }}
{{- if $sa.tls.keys.ca }}
- name: LICHEN_CLOUD_CA_FILE
  value: "{{ $dir }}/ca.crt"
{{- end }}
{{- if $sa.tls.keys.cert }}
- name: LICHEN_CLOUD_CERT_FILE
  value: "{{ $dir }}/tls.crt"
- name: LICHEN_CLOUD_KEY_FILE
  value: "{{ $dir }}/tls.key"
{{- end }}
{{- end }}
{{- end }}
