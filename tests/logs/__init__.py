"""Tests of the logs action group (find_error_patterns, search_logs) and of digest-logs."""
