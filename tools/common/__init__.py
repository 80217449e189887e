"""The tool contract, written once: events, parameters, windows, budget, safety, evidence, data access."""
