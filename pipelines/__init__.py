"""KFP pipeline definitions, the local runner and the demo."""

# One module each: the pipeline, its command group, the local runner, the demo.
__all__ = ["cli", "demo", "local", "ticket_classifier"]
