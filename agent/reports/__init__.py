"""Shareable investigation reports: markdown for a postmortem, a self-contained HTML page with charts."""
