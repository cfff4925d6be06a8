"""mail2ticket: turn customer e-mails into tickets.

The library every layer shares (the KFP components, the pipelines, the Ray Serve agents and the
review app import it; it imports none of them, nor Kubeflow, Ray or Kubernetes). Packages:

- :mod:`mail2ticket.taxonomy` (and ``taxonomy.yaml``): the categories, their review thresholds
  and extraction fields, the only source of labels;
- :mod:`mail2ticket.prompts`: classification and extraction prompts for training and serving;
- :mod:`mail2ticket.storage`: local paths and ``s3://`` URIs;
- :mod:`mail2ticket.data`: the synthetic corpus, thread splitting and the paper's preparation;
- :mod:`mail2ticket.training`: LoRA / QLoRA fine-tuning and its one home of defaults;
- :mod:`mail2ticket.engines`: one inference interface, one factory, two implementations;
- :mod:`mail2ticket.extraction`: the per-category extractor agents;
- :mod:`mail2ticket.evaluation`: classification and extraction metrics, the paper's matching;
- :mod:`mail2ticket.registry`: adapters, base models, MLflow tracking and promotion;
- :mod:`mail2ticket.testing`: the local servers the demo and the tests share.

Importing the package applies the offline and no-telemetry defaults
(:mod:`mail2ticket.environment`).
"""

from mail2ticket.environment import apply_offline_defaults

apply_offline_defaults()

__version__ = "0.1.0"

__all__ = ["__version__"]
