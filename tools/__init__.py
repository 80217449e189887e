"""Tool Lambdas of the ops agent: one package per data source plus triage, and the shared contract in ``common``."""
