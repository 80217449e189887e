"""Regular expressions for AWS identifiers, defined once: ARNs, prefixed resource ids, UUIDs and region names.

Patterns are plain strings (unanchored) so that each caller anchors or combines them as it needs: the log
masker joins them into one alternation, SQL builders pass them to Athena/DuckDB (Java regex / RE2 syntax, which
these patterns keep to), and the rest compile them with ``re``.

An ARN is always ``arn:<partition>:<service>:<region>:<account>:<resource>``; what differs between callers is
how much each part may hold, and the difference is on purpose, so each variant is named after its use:

- ``ARN_IN_TEXT`` finds ARNs inside free text (log lines): any word characters, and the resource ends at
  whitespace, a quote or closing punctuation. The log masker's accuracy is benchmarked with exactly this one.
- ``ARN_VALUE`` tells whether a whole value (a CloudTrail request parameter) is an ARN: lower-case
  partition, service and region, any non-space resource up to 1,000 characters.
- ``ARN_STRICT`` is the conservative form allowed into a hypothesis title: bounded parts and a resource
  made only of characters that cannot carry markup or instructions.
"""

from __future__ import annotations

import re

# Twelve digits, or none for global resources (``arn:aws:s3:::bucket``). AWS-managed policies
# (``arn:aws:iam::aws:policy/...``) carry ``aws`` there and match none of these: they are not a workload's own.
_ACCOUNT = r"\d{0,12}"


def arn(partition: str, service: str, region: str, resource: str) -> str:
    """The ARN shape with the given pattern for each free part (the partition's part after ``aws``)."""
    return f"arn:aws{partition}:{service}:{region}:{_ACCOUNT}:{resource}"


ARN_IN_TEXT = r"\b" + arn(r"[\w-]*", r"[\w-]*", r"[\w-]*", r"[^\s\"',;)\]]+")
ARN_VALUE = arn(r"[a-z-]*", r"[a-z0-9-]+", r"[a-z0-9-]*", r"\S{1,1000}")
ARN_STRICT = arn(r"[a-z-]{0,10}", r"[a-z0-9-]{1,40}", r"[a-z0-9-]{0,30}", r"[A-Za-z0-9_/.:+=@-]{1,160}")

# A prefixed hexadecimal resource id as EC2, VPC, ELB and friends print it: ``i-0abc1234``, ``vpce-0a1b2c``.
HEX_ID = r"[a-z]{1,12}-[0-9a-f]{6,40}"


def _uuid(hex_digit: str) -> str:
    return "-".join(f"[{hex_digit}]{{{count}}}" for count in (8, 4, 4, 4, 12))


UUID = _uuid("0-9a-f")  # as AWS prints them (request and event ids): lower case
UUID_ANY_CASE = _uuid("0-9a-fA-F")  # as applications print them

# A region name: two letters (or ``eusc-`` and two, the European Sovereign Cloud), an optional partition qualifier
# (``-gov``, ``-iso``, ``-isob``, ``-isoe``, ``-isof``), a compass direction and a number: ``us-east-1``,
# ``ap-southeast-4``, ``us-gov-west-1``, ``cn-northwest-1``, ``mx-central-1``, ``eusc-de-east-1``. A rule, not a
# list, so regions launched later match too; the closed set of directions keeps ``db-primary-1`` out.
REGION = (r"(?:[a-z]{2}(?:-gov|-iso[a-z]?)?|eusc-[a-z]{2})"
          r"-(?:central|(?:north|south)(?:east|west)?|east|west)-\d{1,2}")
REGION_RE = re.compile(f"^{REGION}$")


def is_region(text: str) -> bool:
    """Whether ``text`` is an AWS region name (see ``REGION``)."""
    return REGION_RE.match(text) is not None
