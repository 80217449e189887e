"""A toy data source, registered only by tests: proves that adding a source is one folder plus one line."""
