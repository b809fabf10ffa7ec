"""The input models (service spec, environment) and their JSON Schemas."""
