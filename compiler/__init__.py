"""Inferplane: compile model-service specs into validated, deterministic Kubernetes manifests."""

__version__ = "0.1.0"
