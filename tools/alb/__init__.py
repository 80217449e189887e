"""ALB access logs: summarize_alb_traffic over Athena (AWS) or DuckDB (snapshots)."""
