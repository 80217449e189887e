"""Triage: one investigation across every configured source (fan-out, onset, ranking, Slack-sized report)."""
