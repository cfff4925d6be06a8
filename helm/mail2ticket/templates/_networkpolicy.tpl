{{/* Egress rules shared by the NetworkPolicies. Every rule names its destinations: none is open. */}}

{{- define "mail2ticket.egressDns" -}}
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{ .Values.networkPolicy.dns.namespace }}
      podSelector:
        matchLabels:
          {{- toYaml .Values.networkPolicy.dns.podLabels | nindent 10 }}
  ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
{{- with .Values.networkPolicy.dns.nodeLocalCidrs }}
# NodeLocal DNSCache answers on a link-local address of the node, outside any pod selector.
- to:
    {{- range . }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
{{- end }}
{{- end -}}

{{/* A destination outside the namespace: (dict "ctx" $ "target" .Values.networkPolicy.s3).
     Private CIDRs of the customer's network and/or an in-cluster namespace; nothing else. */}}
{{- define "mail2ticket.egressExternal" -}}
{{- $t := .target -}}
{{- if or $t.cidrs $t.namespace }}
- to:
    {{- range $t.cidrs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
    {{- if $t.namespace }}
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: {{ $t.namespace }}
      {{- with $t.podLabels }}
      podSelector:
        matchLabels:
          {{- toYaml . | nindent 10 }}
      {{- end }}
    {{- end }}
  ports:
    {{- range $t.ports }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
{{- end }}
{{- end -}}

{{/* Peers: the Ray pods (head and workers) of this release. */}}
{{- define "mail2ticket.rayPeer" -}}
- podSelector:
    matchLabels:
      {{- include "mail2ticket.selectorLabels" . | nindent 6 }}
    matchExpressions:
      - key: app.kubernetes.io/component
        operator: In
        values: [ray-head, ray-worker]
{{- end -}}

{{- define "mail2ticket.namespacePeer" -}}
- namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ . }}
{{- end -}}
