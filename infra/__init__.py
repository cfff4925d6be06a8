"""Cluster prerequisites of mail2ticket: preflight checks and the KFP pipeline upload job.

Kept apart from the ``mail2ticket`` library, which never imports Kubernetes or Kubeflow code.
"""

# One module each: the checks, their command group, the upload job.
__all__ = ["kfp_upload", "preflight", "preflight_cli"]
