"""Kubernetes NetworkPolicy semantics, to decide whether a connection between two endpoints passes.

The rules evaluated are those of the ``networking.k8s.io/v1`` API reference ("NetworkPolicy"):

- a pod is isolated for a direction when at least one policy of its namespace selects it and lists
  that direction in ``policyTypes``; a pod no policy isolates accepts or sends everything;
- an isolated pod allows a connection when any rule of any policy selecting it does (rules add up);
- a connection passes when the source's egress *and* the destination's ingress allow it;
- a peer with ``podSelector`` alone means pods of the policy's namespace; ``namespaceSelector``
  alone, every pod of the matching namespaces; both in one peer, pods matching both (AND);
  ``ipBlock`` matches addresses (here: endpoints outside the pod network), minus ``except``;
- a rule without ``to``/``from`` matches every peer, one without ``ports`` every port; a port
  entry without ``protocol`` is TCP, one without ``port`` every port of its protocol.

Only the release's namespace has policies here: pods elsewhere (the KubeRay operator, CoreDNS, the
KFP API server) are treated as not isolated, which is what the chart can rely on.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from tests.helm.chart import selector_matches

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


@dataclass(frozen=True)
class Endpoint:
    """One end of a connection: a pod (namespace and labels) or an address outside the pod network."""

    name: str
    namespace: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    ip: str | None = None

    @property
    def is_pod(self) -> bool:
        return self.namespace is not None

    def namespace_labels(self) -> dict[str, str]:
        """The label every namespace carries since Kubernetes 1.22 (what the chart selects on)."""
        return {NAMESPACE_NAME_LABEL: self.namespace or ""}


def peer_matches(peer: dict[str, Any], policy_namespace: str, endpoint: Endpoint) -> bool:
    """Whether one ``from``/``to`` entry of a rule designates ``endpoint``."""
    if "ipBlock" in peer:
        if endpoint.ip is None:
            return False
        address = ipaddress.ip_address(endpoint.ip)
        block = peer["ipBlock"]
        if address not in ipaddress.ip_network(block["cidr"]):
            return False
        return not any(address in ipaddress.ip_network(cidr) for cidr in block.get("except") or [])
    if not endpoint.is_pod:
        return False
    namespace_selector = peer.get("namespaceSelector")
    if namespace_selector is None:
        if endpoint.namespace != policy_namespace:
            return False
    elif not selector_matches(namespace_selector, endpoint.namespace_labels()):
        return False
    pod_selector = peer.get("podSelector")
    return pod_selector is None or selector_matches(pod_selector, endpoint.labels)


def port_matches(rule: dict[str, Any], port: int, protocol: str) -> bool:
    """Whether a rule's ``ports`` let ``port``/``protocol`` through (no list: every port)."""
    entries = rule.get("ports")
    if not entries:
        return True
    for entry in entries:
        if entry.get("protocol", "TCP") != protocol:
            continue
        if "port" not in entry:
            return True
        first = entry["port"]
        if not isinstance(first, int):
            raise ValueError(f"named port {first!r}: the chart's policies use numbers only")
        if first <= port <= entry.get("endPort", first):
            return True
    return False


def policy_types(spec: dict[str, Any]) -> list[str]:
    """``policyTypes``, or its default: Ingress always, Egress when the policy has egress rules."""
    return spec.get("policyTypes") or ["Ingress", *(["Egress"] if spec.get("egress") else [])]


@dataclass(frozen=True)
class Policies:
    """The NetworkPolicies of one namespace, as rendered."""

    namespace: str
    items: list[dict[str, Any]]

    def _selecting(self, endpoint: Endpoint, direction: str) -> list[dict[str, Any]]:
        if endpoint.namespace != self.namespace:
            return []
        return [
            p
            for p in self.items
            if direction in policy_types(p["spec"]) and selector_matches(p["spec"]["podSelector"], endpoint.labels)
        ]

    def _allows(self, endpoint: Endpoint, direction: str, peer: Endpoint, port: int, protocol: str) -> bool:
        selecting = self._selecting(endpoint, direction)
        if not selecting:
            return True  # not isolated in this direction
        key, peers_key = ("egress", "to") if direction == "Egress" else ("ingress", "from")
        for policy in selecting:
            for rule in policy["spec"].get(key) or []:
                peers = rule.get(peers_key)
                if peers is not None and not any(peer_matches(p, self.namespace, peer) for p in peers):
                    continue
                if port_matches(rule, port, protocol):
                    return True
        return False

    def connection_allowed(self, source: Endpoint, destination: Endpoint, port: int, protocol: str = "TCP") -> bool:
        """A connection passes when the source may send it and the destination may accept it."""
        return self._allows(source, "Egress", destination, port, protocol) and self._allows(
            destination, "Ingress", source, port, protocol
        )
