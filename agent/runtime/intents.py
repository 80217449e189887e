"""What an on-call question asks for: one table of intents, each with the cue words that reveal it, and a scorer.

``classify(question)`` normalises the question into words, scores every intent of ``INTENTS`` by the cues it
contains (a phrase of n words counts n, so "raw lines" beats "lines"), and returns the best; ties go to the
intent listed first (refusals before everything, then help and thanks, then drill-downs before broad topics).
No cue at all is ``unsure``: the planner then says what it can do instead of running a triage again.

The modifiers of a question (its time, a comparison with yesterday, a source or service filter, a reference
to the last answer) are read separately (``timephrases.py``, ``filters.py``), so "compare the errors with
yesterday" is the ``errors`` intent with a comparison, and "compare to yesterday" alone is ``compare``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Intent:
    """One thing a question can ask for. ``needs``: one of these must be in the question too (a request verb for
    a secret, so "password authentication failed since 03:00" is a symptom, not a request). ``imperative``: a cue
    must open the request ("restart the service", "please roll back the deploy"), not merely appear in it.
    ``source``: the registered data source (``tools.sources``) that answers it, with its broad call (its triage
    task's function) or, for a ``drill_down`` intent, its drill-down function; the planner takes the function
    names from the registry."""

    name: str
    cues: tuple[str, ...]
    description: str
    needs: tuple[str, ...] = ()
    imperative: bool = False
    source: str = ""
    drill_down: bool = False


INTENTS: tuple[Intent, ...] = (
    Intent("refuse_secret", ("password", "passwords", "secret key", "secret keys", "access key", "access keys",
                             "aws keys", "aws key", "credentials", "private key", "api key", "session token",
                             "ignore your instructions", "ignore previous instructions", "ignore all previous",
                             "system prompt", "your instructions", "print the keys", "dump the secrets",
                             "secret value", "connection string"),
           "secrets and credentials are never shown",
           needs=("show", "print", "give", "tell", "dump", "reveal", "list", "what is", "what are", "what's", "send",
                  "output", "display", "export", "paste", "ignore", "read out", "share", "leak")),
    Intent("refuse_action", ("restart", "reboot", "roll back the", "rollback the", "revert the", "redeploy",
                             "scale up", "scale out", "scale down", "terminate", "delete the", "fix it", "fix this",
                             "disable the", "enable the", "re-attach", "reattach", "attach the policy", "run the command",
                             "execute", "apply the", "page", "open a ticket", "create a ticket", "silence the alarm",
                             "mute", "acknowledge", "kill", "stop the", "start the", "increase", "raise the", "remove the",
                             "add a", "change the", "update the", "rotate"),
           "actions on the account (I only read telemetry)", imperative=True),
    Intent("help", ("help", "what can you do", "how do i use", "how does this work", "commands", "usage",
                    "what do you do", "who are you", "capabilities", "hello", "hi", "hey"),
           "what I can answer"),
    Intent("thanks", ("thanks", "thank you", "thx", "ty", "cheers", "great", "perfect", "awesome", "nice",
                      "got it", "ok", "okay", "cool", "appreciated", "bye"),
           "you're welcome"),
    Intent("raw_lines", ("raw", "raw lines", "log lines", "the lines", "full lines", "samples", "sample lines",
                         "examples", "example lines", "drill down", "drill into", "show me the log", "actual lines",
                         "stack trace", "stack traces", "full message"),
           "the raw log lines behind a pattern", source="logs", drill_down=True),
    Intent("changes", ("what changed", "anything changed", "any changes", "changed", "change", "changes", "deployed", "deploy", "deploys", "deployment", "deployments",
                       "modified", "who did", "who changed", "cloudtrail", "config change", "rolled out", "released",
                       "release", "touched", "api calls", "console"),
           "what changed (CloudTrail), ranked by relevance", source="cloudtrail"),
    Intent("errors", ("errors", "error", "exceptions", "exception", "log patterns", "logs", "log", "error patterns",
                      "warnings", "stack", "failures"),
           "error patterns in the logs", source="logs"),
    # The load balancer itself is a filter (filters.py), not a topic: "metrics for the load balancer" is metrics.
    Intent("traffic", ("5xx", "4xx", "status codes", "status code", "traffic", "http codes", "targets",
                       "response codes", "requests per", "request rate", "p95", "p99", "healthy hosts"),
           "load balancer traffic and status codes", source="alb"),
    Intent("metrics", ("metric", "metrics", "cpu", "memory", "dashboard", "cloudwatch", "throughput", "graph",
                       "graphs", "utilization", "saturation", "latency", "connections", "metrics changed",
                       "metric changed", "changed metrics", "metrics that changed", "metrics moved"),
           "metrics that changed", source="metrics"),
    Intent("traces", ("trace", "traces", "x-ray", "xray", "span", "spans", "downstream", "dependency",
                      "dependencies", "service map", "calls to"),
           "trace faults (X-Ray)", source="xray"),
    Intent("security", ("security", "guardduty", "guard duty", "findings", "finding", "security hub", "compromised",
                        "attack", "breach", "suspicious", "hacked", "intrusion", "malicious", "leaked"),
           "security findings", source="findings"),
    Intent("compare", ("compare", "comparison", "yesterday", "same time", "usual", "normal", "baseline",
                       "last week", "versus", "vs"),
           "the same window yesterday"),
    Intent("triage", ("why", "failing", "fails", "failed", "down", "broken", "outage", "investigate",
                      "root cause", "what's wrong", "what is wrong", "whats wrong", "what happened", "incident",
                      "alarm", "slow", "timing out", "timeouts", "timeout", "500", "500s", "502", "503", "504",
                      "spiking", "spike", "degraded", "unavailable", "problem", "issue", "wrong", "alert",
                      "triage", "paged", "cause", "going on", "everything ok", "all good", "healthy", "health",
                      "anything abnormal", "anything wrong", "errors since", "elevated"),
           "a full investigation (triage)"),
    Intent("off_topic", ("weather", "joke", "lunch", "dinner", "football", "soccer", "recipe", "movie", "poem",
                         "song", "bitcoin price", "stock price", "capital of", "translate"),
           "not about your AWS workload"),
)
# Words that may precede an imperative cue.
POLITE = ("please", "pls", "can you", "could you", "would you", "will you", "go ahead and", "just", "now", "ok",
          "then", "and")
# Intents that only qualify another: when a topic intent also matches, the topic wins.
MODIFIERS = frozenset({"compare"})
# Conversational intents lose to any topic in the same question ("thanks, and what changed?").
SMALL_TALK = frozenset({"thanks", "help"})
_WORD = re.compile(r"[a-z0-9][a-z0-9'./-]*|[?]")


def words(question: str) -> list[str]:
    return _WORD.findall(question.lower())


def _count(tokens: list[str], cue: str) -> int:
    cue_words = cue.split()
    n = len(cue_words)
    hits = sum(1 for i in range(len(tokens) - n + 1) if tokens[i:i + n] == cue_words)
    return hits * n


def _opens_with(tokens: list[str], cue: str) -> bool:
    """The cue starts the request, after polite openers ('please', 'can you', 'go ahead and')."""
    rest = tokens[:]
    changed = True
    while changed and rest:
        changed = False
        for opener in POLITE:
            n = len(opener.split())
            if rest[:n] == opener.split():
                rest, changed = rest[n:], True
    return rest[:len(cue.split())] == cue.split()


def scores(question: str) -> dict[str, int]:
    """Score of every intent with at least one cue in the question (and its ``needs`` / ``imperative`` met)."""
    tokens = [t.rstrip("?.!,") for t in words(question)]
    found: dict[str, int] = {}
    for intent in INTENTS:
        if intent.needs and not any(_count(tokens, need) for need in intent.needs):
            continue
        if intent.imperative:
            score = sum(len(cue.split()) for cue in intent.cues if _opens_with(tokens, cue))
        else:
            score = sum(_count(tokens, cue) for cue in intent.cues)
        if score:
            found[intent.name] = score
    return found


def classify(question: str) -> str:
    """The intent of a question (``unsure`` when no cue matches)."""
    found = scores(question)
    if not found:
        return "unsure"
    order = [intent.name for intent in INTENTS]
    for name in ("refuse_secret", "refuse_action"):
        if name in found:
            return name
    topics = {k: v for k, v in found.items() if k not in MODIFIERS and k not in SMALL_TALK}
    pool = topics or {k: v for k, v in found.items() if k not in MODIFIERS} or found
    return max(pool, key=lambda name: (pool[name], -order.index(name)))


def describe() -> list[tuple[str, str]]:
    return [(intent.name, intent.description) for intent in INTENTS]
