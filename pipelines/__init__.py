"""KFP pipeline definitions, the local runner and the demo."""
