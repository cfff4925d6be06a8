{{/* Names, labels, images and the security settings every pod of the chart shares. */}}

{{- define "mail2ticket.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "mail2ticket.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "mail2ticket.labels" -}}
{{ include "mail2ticket.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: mail2ticket
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- with .Values.global.labels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Labels of one component: (dict "ctx" $ "component" "mlflow") */}}
{{- define "mail2ticket.componentLabels" -}}
{{ include "mail2ticket.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "mail2ticket.componentSelector" -}}
{{ include "mail2ticket.selectorLabels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* An image from the private registry: (dict "ctx" $ "image" .Values.images.runtime "key" "runtime").
     A `latest` tag is refused: platform teams review and mirror exact images. */}}
{{- define "mail2ticket.image" -}}
{{- $image := .image -}}
{{- if eq (toString $image.tag) "latest" -}}
{{- fail (printf "images.%s.tag: \"latest\" is not allowed; pin a version (or a digest) that your registry mirrors" .key) -}}
{{- end -}}
{{- $registry := .ctx.Values.global.imageRegistry | trimSuffix "/" -}}
{{- if has (splitList "/" $registry | first) (splitList " " (include "mail2ticket.publicRegistries" .ctx)) -}}
{{- fail (printf "global.imageRegistry: %q is a public registry; mirror the images into your private registry and name it here" $registry) -}}
{{- end -}}
{{- if $image.digest -}}
{{- printf "%s/%s:%s@%s" $registry $image.repository (toString $image.tag) $image.digest -}}
{{- else -}}
{{- printf "%s/%s:%s" $registry $image.repository (toString $image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "mail2ticket.imagePullSecrets" -}}
imagePullSecrets:
{{- range .Values.global.imagePullSecrets }}
  - name: {{ . }}
{{- end }}
{{- end -}}

{{/* Registries on the internet: the chart refuses them (the cluster has no internet access). */}}
{{- define "mail2ticket.publicRegistries" -}}
docker.io registry-1.docker.io index.docker.io quay.io ghcr.io gcr.io registry.k8s.io k8s.gcr.io nvcr.io public.ecr.aws mcr.microsoft.com
{{- end -}}

{{/* Pod-level security context of the restricted Pod Security Standard. */}}
{{- define "mail2ticket.podSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ .Values.securityContext.runAsUser }}
  runAsGroup: {{ .Values.securityContext.runAsGroup }}
  fsGroup: {{ .Values.securityContext.fsGroup }}
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{/* Container-level security context: non-root, read-only root filesystem, nothing added. */}}
{{- define "mail2ticket.containerSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ .Values.securityContext.runAsUser }}
  runAsGroup: {{ .Values.securityContext.runAsGroup }}
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  privileged: false
  capabilities:
    drop: ["ALL"]
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{/* Environment every process of the stack gets: offline, no telemetry, nothing phones home. */}}
{{- define "mail2ticket.offlineEnv" -}}
- name: HF_HUB_OFFLINE
  value: "1"
- name: TRANSFORMERS_OFFLINE
  value: "1"
- name: MLFLOW_DISABLE_TELEMETRY
  value: "true"
- name: DO_NOT_TRACK
  value: "1"
- name: RAY_USAGE_STATS_ENABLED
  value: "0"
- name: VLLM_NO_USAGE_STATS
  value: "1"
- name: HOME
  value: /tmp/home
- name: XDG_CACHE_HOME
  value: /tmp/cache
{{- end -}}

{{- define "mail2ticket.mlflowServiceName" -}}
{{ include "mail2ticket.fullname" . }}-mlflow
{{- end -}}

{{- define "mail2ticket.mlflowUrl" -}}
http://{{ include "mail2ticket.mlflowServiceName" . }}.{{ .Release.Namespace }}.svc:{{ .Values.mlflow.port }}
{{- end -}}

{{- define "mail2ticket.rayServiceName" -}}
{{ include "mail2ticket.fullname" . }}-agents
{{- end -}}

{{/* The Service that reaches the agents' API: KubeRay's head Service of the RayService,
     <rayservice>-head-svc (port "serve"), which follows the active cluster's head through a
     NewCluster upgrade. Not <rayservice>-serve-svc: KubeRay 1.5.1 labels every RayService worker
     ray.io/serve=true, so that Service also lists the GPU workers, where (proxy_location HeadOnly)
     nothing listens on the Serve port. */}}
{{- define "mail2ticket.serveServiceName" -}}
{{ include "mail2ticket.rayServiceName" . }}-head-svc
{{- end -}}

{{- define "mail2ticket.reviewServiceName" -}}
{{ include "mail2ticket.fullname" . }}-review
{{- end -}}

{{/* The review app's port: `mail2ticket review serve --port 8080`. */}}
{{- define "mail2ticket.reviewPort" -}}
8080
{{- end -}}

{{/* Ray's Prometheus endpoint on every Ray pod (head and workers): KubeRay 1.5.1's default
     metrics-export-port and container port "metrics" (utils.DefaultMetricsPort, common/pod.go),
     declared by the chart so that the metrics Service, the ServiceMonitor and the NetworkPolicy
     name the port the pods really use. */}}
{{- define "mail2ticket.metricsPort" -}}
8080
{{- end -}}

{{/* The API of the prometheus-operator's ServiceMonitor: the chart renders its monitoring objects
     only where the cluster serves it (`helm template` needs --api-versions for them). */}}
{{- define "mail2ticket.serviceMonitorApi" -}}
monitoring.coreos.com/v1/ServiceMonitor
{{- end -}}

{{/* "true" when the ServiceMonitor is on in the values and the cluster has its CRD, else empty. */}}
{{- define "mail2ticket.serviceMonitorOn" -}}
{{- if and .Values.monitoring.serviceMonitor.enabled (.Capabilities.APIVersions.Has (include "mail2ticket.serviceMonitorApi" .)) -}}
true
{{- end -}}
{{- end -}}

{{/* "true" when the Grafana dashboard is on and the cluster runs the prometheus-operator stack whose
     Grafana loads it (the ServiceMonitor's CRD: a dashboard without the Prometheus behind it shows nothing). */}}
{{- define "mail2ticket.grafanaDashboardOn" -}}
{{- if and .Values.monitoring.grafanaDashboard.enabled (.Capabilities.APIVersions.Has (include "mail2ticket.serviceMonitorApi" .)) -}}
true
{{- end -}}
{{- end -}}

{{/* Where the Ray pods mount the Gateway's review outbox (serve config args: review.outbox). */}}
{{- define "mail2ticket.reviewOutboxPath" -}}
/var/lib/mail2ticket/review-outbox
{{- end -}}

{{/* The review database's SQLAlchemy URL, from its Secret (the app, its migration, the Gateway). */}}
{{- define "mail2ticket.reviewDatabaseEnv" -}}
- name: MAIL2TICKET_REVIEW_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.review.database.existingSecret }}
      key: {{ .Values.review.database.urlKey }}
{{- end -}}

{{/* The outbox volume of the Ray pods: the shared claim, or an emptyDir per pod. */}}
{{- define "mail2ticket.reviewOutboxVolume" -}}
- name: review-outbox
  {{- if .Values.review.outbox.persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ include "mail2ticket.fullname" . }}-review-outbox
  {{- else }}
  emptyDir:
    sizeLimit: {{ .Values.review.outbox.sizeLimit }}
  {{- end }}
{{- end -}}

{{- define "mail2ticket.artifactsDestination" -}}
{{- .Values.mlflow.artifactsDestination | default (printf "s3://%s/mlflow" .Values.s3.bucket) -}}
{{- end -}}

{{/* serveConfigV2: files/serve-config.yaml with the cluster's overrides merged in. */}}
{{- define "mail2ticket.serveConfig" -}}
{{- $cfg := .Files.Get "files/serve-config.yaml" | fromYaml -}}
{{- if hasKey $cfg "Error" -}}
{{- fail (printf "files/serve-config.yaml is not valid YAML: %s (run make chart-sync)" $cfg.Error) -}}
{{- end -}}
{{- $_ := set $cfg "http_options" (mergeOverwrite (deepCopy ($cfg.http_options | default dict)) .Values.serving.httpOptions) -}}
{{- $known := list -}}
{{- $apps := list -}}
{{- range $app := $cfg.applications -}}
{{- $args := mergeOverwrite (deepCopy ($app.args | default dict)) $.Values.serving.args -}}
{{- /* The review queue follows review.enabled; the outbox is the volume the Ray pods mount. */ -}}
{{- $review := dict "enabled" false -}}
{{- if $.Values.review.enabled -}}
{{- $review = dict "enabled" true "outbox" (include "mail2ticket.reviewOutboxPath" $) -}}
{{- end -}}
{{- $_ := set $args "review" $review -}}
{{- $deployments := list -}}
{{- range $d := $app.deployments -}}
{{- $known = append $known $d.name -}}
{{- $override := index $.Values.serving.deployments $d.name | default dict -}}
{{- if and $.Values.serving.autoscaling.enabled (eq $d.name $.Values.serving.engineDeployment) -}}
{{- $w := $.Values.serving.worker -}}
{{- $bounds := dict "min_replicas" (mul $w.minReplicas $w.gpus) "max_replicas" (mul $w.maxReplicas $w.gpus) -}}
{{- $auto := dict "num_replicas" "auto" "autoscaling_config" (mergeOverwrite $bounds (deepCopy ($override.autoscaling_config | default dict))) -}}
{{- $override = mergeOverwrite (deepCopy $override) $auto -}}
{{- end -}}
{{- $deployments = append $deployments (mergeOverwrite (deepCopy $d) (deepCopy $override)) -}}
{{- end -}}
{{- $_ := set $app "args" $args -}}
{{- $_ := set $app "deployments" $deployments -}}
{{- $apps = append $apps $app -}}
{{- end -}}
{{- range $name, $_ := .Values.serving.deployments -}}
{{- if not (has $name $known) -}}
{{- fail (printf "serving.deployments.%s: no deployment of that name in files/serve-config.yaml (known: %s)" $name (join ", " $known)) -}}
{{- end -}}
{{- end -}}
{{- $_ := set $cfg "applications" $apps -}}
{{- toYaml $cfg -}}
{{- end -}}

{{/* Environment of the Ray containers (head and workers): where MLflow is, the API and admin tokens, the
     review database (the Gateway, which Ray may place on the head or a worker, writes there). */}}
{{- define "mail2ticket.agentEnv" -}}
{{ include "mail2ticket.offlineEnv" . }}
{{- if .Values.mlflow.enabled }}
- name: MLFLOW_TRACKING_URI
  value: {{ include "mail2ticket.mlflowUrl" . }}
{{- end }}
{{- if .Values.mlflow.auth.enabled }}
- name: MLFLOW_TRACKING_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ .Values.mlflow.auth.clientSecret }}
      key: MLFLOW_TRACKING_USERNAME
- name: MLFLOW_TRACKING_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.mlflow.auth.clientSecret }}
      key: MLFLOW_TRACKING_PASSWORD
{{- end }}
{{- if .Values.serving.args.auth.required }}
{{- if eq .Values.serving.apiTokens.key "MAIL2TICKET_ADMIN_TOKENS" }}
{{- fail "serving.apiTokens.key: MAIL2TICKET_ADMIN_TOKENS is the administrators' key of the same Secret; name the clients' key (MAIL2TICKET_API_TOKENS)" }}
{{- end }}
- name: MAIL2TICKET_API_TOKENS
  valueFrom:
    secretKeyRef:
      name: {{ .Values.serving.apiTokens.existingSecret }}
      key: {{ .Values.serving.apiTokens.key }}
{{- /* Administrators' tokens (POST /admin/reload; /v1 too), same Secret. Optional: a release
     whose Secret has no such key serves /v1 and nobody can reload the models. */}}
- name: MAIL2TICKET_ADMIN_TOKENS
  valueFrom:
    secretKeyRef:
      name: {{ .Values.serving.apiTokens.existingSecret }}
      key: MAIL2TICKET_ADMIN_TOKENS
      optional: true
{{- end }}
{{- if .Values.review.enabled }}
{{ include "mail2ticket.reviewDatabaseEnv" . }}
{{- end }}
{{- end -}}
