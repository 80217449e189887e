"""X-Ray action group: fault root causes and sample traces (``find_trace_faults``)."""
