"""Cluster prerequisites of mail2ticket: preflight checks and the KFP pipeline upload job.

Kept apart from the ``mail2ticket`` library, which never imports Kubernetes or Kubeflow code.
"""
