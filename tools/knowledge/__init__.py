"""The team's knowledge: runbooks (markdown with front matter) and past investigations, searched lexically
(SQLite FTS5 bm25) by triage__search_runbooks, attached to triage hypotheses and to proactive alerts."""
