"""AWS console links, one module per URL format, each with the decoder that reads back what it encoded.

``console`` (host per partition, ``/service/home?region=`` and the fragment), ``jsurl`` (the tilde notation the
CloudWatch console keeps its state in), ``logs`` (Logs Insights queries, log groups and streams), ``metrics``
(metric graphs) and ``resources`` (one resource by id: an Athena query execution, a CloudTrail event, an X-Ray
trace or trace query, a Security Hub or GuardDuty finding). ``tools.common.evidence`` re-exports the builders.
"""
