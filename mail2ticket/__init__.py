"""mail2ticket: turn customer e-mails into tickets (shared library; no Kubeflow, Ray or Kubernetes imports)."""

__version__ = "0.1.0"
