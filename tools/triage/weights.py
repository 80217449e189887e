"""Every weight and threshold that shapes triage's ranking, in one place, each with the reason it has its value.

The ranking passes (``rank.py`` and the modules it calls) read these names and nothing else; a change here is a
change of behaviour, measured by ``bench/triage_accuracy.py`` (per kind, with one kind left out) before it lands.
Values are round numbers chosen for a reason stated beside them, not fitted to any one incident; the confidence
bands at the end are the only fitted values, and ``confidence.fit_bands`` refits them from benchmark results.
"""

from __future__ import annotations

from datetime import timedelta

# --- symptoms ----------------------------------------------------------------------------------------------------

SYMPTOM_MIN = 0.15
"""A link weaker than this (symptom strength x how well it is explained) is noise: counting it lets many weak
coincidences add up to one strong one."""

STRONG_SYMPTOM = 0.3
"""A symptom at least this abnormal can anchor a hypothesis and make a window 'not quiet' (below it the window
reads as 'nothing clearly abnormal'): it is the strength of a pattern that doubled against its baseline."""

NEW_GAUGE_STRENGTH = 0.1
"""A gauge (an average, a percentile, a utilisation) that began reporting inside the window has no level before it:
its appearance says calls or a resource began, not that anything got worse (an hourly STS call's latency 'rising
from 0'). Context only, below ``SYMPTOM_MIN``-level links and never an anchor. Counts are filled with 0 where
missing, so an error count that appears is a measured rise and keeps its strength."""

AT_LIMIT_STRENGTH = 0.75
"""A utilisation that climbed to its ceiling in the window (``detect_ceiling``: a disk filling up gradually), or
free storage, freeable memory or a balance that fell to its floor (``detect_floor``), is as diagnostic as a
saturation metric's measured jump: writes and allocations fail at the limit."""

EDGE_BACKGROUND = 0.2
"""An error pattern present where the data begins, with no data before it (no baseline, not NEW in the data that
exists), and no step up in its own trend: as far as we know it was there all along. Background context, never an
anchor (below ``STRONG_SYMPTOM`` at any volume)."""

EDGE_STEP = 0.7
"""Such a pattern whose own trend steps up inside the window (``signals._step_up``): the rise is measured against
the data that exists, a shorter baseline than the window before, so it keeps most but not all of a NEW pattern's
strength."""

HOST_WEIGHT = 3.0
"""A fully qualified host name shared by a change and a symptom (the record a DNS change deleted, the endpoint the
errors call) is as specific as a shared resource id (``signals.token_weight`` gives ids 3)."""

SUPPORT_DECAY = 0.5
"""The best link counts fully, each further one half as much as the one before: corroboration helps, repetition
of the same fact does not."""

# --- changes ----------------------------------------------------------------------------------------------------

CHANGE_BASE = 0.15
"""What a change is worth with no linked symptom at all (it happened near the onset): context, never a cause."""

CHANGE_SOURCE_BONUS = 0.07
"""Per additional source whose symptoms the change explains: independent sources agreeing is the strongest
evidence we have (a log pattern and an X-Ray fault and ALB 5xx all on the changed resource)."""

LINK_OVERLAP = 0.6
"""Weight of shared resource names/ids in a change-to-symptom link (0..1 overlap, three id-weight tokens = 1)."""

LINK_CATEGORY = 0.55
"""Weight of 'this kind of change explains this kind of symptom' (a security-group change and connect timeouts)."""

UBIQUITOUS_SHARE = 0.8
UBIQUITOUS_MIN_SIGNALS = 8
"""A token found in at least this share of an investigation's signals (when there are at least this many) is the
account's vocabulary, not a link: the naming prefix every resource shares. The affected service's own name is
rarely this common, because unrelated changes, standing errors and other services' symptoms are signals too."""

ONE_HOP = 0.4
"""A cause one call edge away from the failing component (it changed a service the failing one calls) is linked,
less than one on the failing component itself."""

LINK_GRAPH = 0.45
"""Weight of a path in the service graph from the changed resource to the failing component (the change was to
the service that fails, or to a resource it calls) when no token is shared."""

CLOSE_OVERLAP = 0.5
"""Shared names worth half a full match make a change 'close' to a symptom (a local kind of change then explains
it fully)."""

OVERLAP_SATURATION = 3.0
"""Token overlap that counts as a full match: one resource id (weight 3) or two names (1.5 each)."""

EXPLAINS_COMPONENT = 0.5
"""A change whose link to a symptom is at least this explains that symptom's component; the component's other
symptoms that began within ``SAME_START_MINUTES`` get ``COMPONENT_SHARE`` of that link (one failure, seen by
several sources)."""
SAME_START_MINUTES = 5.0
COMPONENT_SHARE = 0.7

DEPLOY_FRESH_LINK = 0.7
"""A deploy explains *new* errors in the component it deployed (its own log group, its X-Ray service) ..."""

DEPLOY_WEAK_LINK = 0.15
"""... and next to nothing elsewhere: deploys are frequent, most are benign."""

UNLINKED_CATEGORY = 0.2
"""A change of a local kind (capacity, database, load balancer, configuration, storage) that matches the kind of
a symptom but shares no resource with it and has no path to it in the graph: a coincidence, mostly."""

BEFORE_CHANGE_FACTOR = 0.2
"""A symptom that began more than ``BEFORE_CHANGE_SLACK`` before a change cannot be its effect."""

BEFORE_CHANGE_SLACK = timedelta(minutes=2)
"""Bucket resolution of the symptom onsets (1-minute metric periods, 1-to-5-minute log buckets)."""

INERT_FACTOR = 0.3
"""Monitoring, tagging, log plumbing and sign-ins do not change how the workload runs: context only."""

REACTION_FACTOR = 0.25
"""A change an AWS service made on its own (ECS registering targets during a deploy, Application Auto Scaling
resizing a service, a scheduler's RunTask) is a consequence: it keeps a small score so it can be shown as
context, and it never inherits a fault's weight."""

PREPARATORY_FACTOR = 0.9
"""A change that only prepares a deploy (RegisterTaskDefinition, PublishVersion) ranks just below the change that
applies it (UpdateService, UpdateAlias) when both explain the same symptoms: the applying event is the one to
check and roll back."""

UNLINKED_CHANGES_KEPT = 2
"""Changes that explain no symptom are shown at most this many times (context, 'what else changed')."""

# Proximity of a change to the onset: (minutes before the onset up to which it applies, factor), first match wins.
PROXIMITY_STEPS: tuple[tuple[float, float], ...] = (
    (10.0, 1.0),   # within ten minutes before: the usual gap between a change and its first errors
    (30.0, 0.8),   # a slow burn (caches expiring, connection pools recycling)
    (90.0, 0.5),   # a change still plausible (DNS TTLs, a daily job)
    (float("inf"), 0.25),  # hours before: possible, but many other things happened since
)
PROXIMITY_AT_ONSET = 0.95
"""Up to ``ONSET_RESOLUTION`` after the estimated onset: the onset is only known to a bucket."""
ONSET_RESOLUTION_MINUTES = 2.0
PROXIMITY_JUST_AFTER = 0.5
"""Up to ``JUST_AFTER_MINUTES`` after the onset: more likely a reaction than a cause, not impossible."""
JUST_AFTER_MINUTES = 4.0
PROXIMITY_AFTER = 0.08
"""Well after the onset: a reaction (a rollback, a scale-out), not the cause."""
PROXIMITY_UNKNOWN_TIME = 0.3
PROXIMITY_NO_ONSET = 0.35

OPERATION_MINUTES = 5.0
"""Changes by one principal on one resource within this many minutes are one operation (RotateSecret and its
steps, RegisterTaskDefinition + UpdateService)."""

INHERIT_MIN_EXPLAINED = 0.5
"""A change inherits a fault's weight when it explains at least half of that fault's strength."""
INHERIT_FULL_EXPLAINED = 0.6
INHERIT_MIN_PROXIMITY = 0.5
FAULT_BELOW_CAUSE = 0.9
"""A fault explained by a change is shown just below it: the same story seen from the symptom side."""

# --- non-change causes (conditions: a resource running out, a failing dependency, a poison input, a surge) ------

EGRESS_LINK = 0.8
"""A NAT gateway's condition (ports it cannot allocate, packets it drops) explains errors calling hosts outside AWS
that began with it: private subnets reach the internet only through it, although no name ties the two."""

CONDITION_WEIGHT = {
    "storage": 0.9,      # a full disk or volume fails every write: as decisive as a change
    "memory": 0.85,      # OOM kills and restarts explain errors and latency in the killed component
    "connections": 0.85,  # an exhausted pool or max_connections refuses every new request
    "backlog": 0.75,     # a growing queue is often itself a consequence (slow consumer): slightly lower
    "throttling": 0.85,  # a provisioned limit hit (throttles) fails the calls over the limit
    "cpu": 0.7,          # CPU at its limit slows everything; often a consequence of a surge
    "dependency": 0.85,  # an external or downstream dependency failing/slow, seen at the caller
    "poison": 0.85,      # one input failing over and over (same message, retried, dead-lettered)
    "surge": 0.75,       # traffic well above its baseline, a batch job or a client: explains saturation
}
"""Weight of each kind of condition as a cause, before corroboration."""

CONDITION_MIN_EVIDENCE = 0.35
"""A condition needs at least one piece of evidence this strong that names it (a metric at its limit, an
exception that says so); a keyword in a weak pattern is not enough."""

CONDITION_LEAD_MINUTES = 90.0
"""A resource may run out gradually: its metric can start moving up to this long before the errors begin."""

FLEET_SPREAD_MINUTES = 10.0
"""Instances or pods behind one service run out together (they share the load and the leak): the same metric on
several resources, each beginning within this span of the first, is one fleet's condition when the errors name
the condition but no resource (``conditions._fleet``). Ten minutes covers the spread of a leak across replicas
started at different times without joining unrelated resources hours apart."""

CONDITION_CORROBORATION = 0.5
"""Share of the linked symptoms' support that a condition adds to its own evidence."""

DEEPEST_BONUS = 0.15
"""A failing component whose own dependencies look healthy is where the fault is (anomaly traversal along the
call graph): its callers' faults are symptoms of it."""

CALLER_PENALTY = 0.55
"""A fault in a component that calls another failing component is more likely a consequence than a cause."""

OFF_PATH_FACTOR = 0.5
"""When the question names a component with calls in the graph, a failing component it does not reach through
failing calls (another application's noisy function, an asynchronous workflow nobody waits on) cannot explain
what was asked: it stays listed, weighed down."""

EDGE_SYMPTOM_WEIGHT = 0.5
"""Error and latency metrics of an edge (5xx count, latency, TargetResponseTime) are symptoms, rarely causes."""

# --- fault anchors (symptoms as a last resort) ------------------------------------------------------------------

ANCHOR_WEIGHT = {
    "trace_fault": 0.8,
    "metric_shift": 0.75,
    "error_pattern": 0.7,
    "failed_call": 0.6,
    "alb_errors": 0.5,
    "alb_latency": 0.5,
}
"""A symptom anchors a hypothesis when nothing else explains it; the closer to a component's own code (an X-Ray
root cause, a new exception) the more it says about the cause, the closer to the edge (ALB 5xx) the less."""

ANCHOR_SOURCE_BONUS = 0.06
ANCHOR_FAR_MINUTES = 15.0
ANCHOR_FAR_FACTOR = 0.6
"""An anchor that began long before or after the onset is a standing condition or a later consequence."""
ANCHOR_NEAR_MINUTES = 20.0
ANCHOR_NEAR_FACTOR = 0.5

FOCUS_LIFT = 1.1
"""Hypotheses about the service the user named get a small lift (a tie-breaker, never a verdict)."""

MIN_SCORE = 0.1
"""Hypotheses below this are not shown."""

# --- security ---------------------------------------------------------------------------------------------------

SEVERITY_WEIGHT = {"CRITICAL": 0.75, "HIGH": 0.6, "MEDIUM": 0.35, "LOW": 0.12, "INFORMATIONAL": 0.02}
SEVERITY_UNKNOWN = 0.3
SECURITY_TRAIL_WEIGHT = 0.5
"""CloudTrail activity of the finding's principal or on its resource: the finding is happening now."""
SECURITY_SYMPTOM_WEIGHT = 0.25
SECURITY_MEMBER_BONUS = 0.1
SECURITY_UNLINKED_FACTOR = 0.6
STANDING_SEVERITY_WEIGHT = 0.15
STANDING_SYMPTOM_WEIGHT = 0.2
STANDING_MIN_SYMPTOM = 0.3

LEAK_STEP_WEIGHT = {
    "persistence": 0.3,   # new access keys, users, login profiles, roles: the attacker keeps access
    "defense": 0.35,      # CloudTrail stopped or deleted, GuardDuty/Security Hub disabled, flow logs deleted
    "escalation": 0.25,   # admin policies attached to a user or role
    "exfiltration": 0.2,  # secrets read, snapshots shared, buckets made public
    "recon": 0.15,        # a burst of denied calls from the same principal (enumerating what it can do)
    "unusual_source": 0.15,  # calls from an address no other principal uses
}
"""Steps of a leaked-credential sequence seen in CloudTrail alone; two or more steps of one principal raise a
security hypothesis without any finding (a finding, when present, adds its own weight)."""
LEAK_MIN_STEPS = 2
LEAK_RECON_MIN_CALLS = 3
"""Denied calls count as reconnaissance from this many on (one denied call is a CI job missing a permission)."""
LEAK_KEY_TYPES = ("IAMUser", "Root")
"""An 'unusual source address' counts for long-term credentials only (a leaked access key); roles are assumed from
wherever their workloads run."""

# --- confidence -------------------------------------------------------------------------------------------------

MARGIN_WEIGHT = 0.5
"""Confidence reads the top score minus this share of the runner-up's: a clear winner is surer than a tie."""

HIGH_BAND = 1.04
"""Lowest confidence value of `high`: fitted by ``confidence.fit_bands`` on the incident corpus (39 kinds x 5
variants and 7 control kinds x 2, ``bench/triage_accuracy.py``, 2026-12-06): 47 of 47 top hypotheses above it
were right, and the next wrong answer sits just below it. ``bench/triage_accuracy.py`` refits it with each kind
left out."""

MEDIUM_BAND = 0.3
"""Lowest confidence value of `medium`: the same fit reaches 60 % precision at every value, so the band is the
floor ``MEDIUM_FLOOR`` (124 of 132 right between the two bands)."""

HIGH_PRECISION_TARGET = 0.95
MEDIUM_PRECISION_TARGET = 0.6
BAND_Z = 1.0
"""Bands are fitted on the Wilson lower bound of precision at one standard error: 56 right of 57 passes 95 %, 19 of
20 does not (a band must promise its precision beyond the cases it was fitted on)."""
MEDIUM_FLOOR = 0.3
"""Below this confidence value the evidence is thin (one weak link, a small margin) however often such answers
were right on the corpus: never more than `low`."""
BAND_MIN_SAMPLES = 10
"""A band needs at least this many benchmark results above its threshold to be fitted at all."""

HIGH_MIN_SOURCES = 2
"""`high` also needs evidence from two sources: one source alone can be misread (a log line, an event)."""
HIGH_MIN_LINKED = 0.5
"""... and symptoms the hypothesis explains (a change with no linked symptom is never `high`)."""
