"""The toy source's declaration: one function, one feed (prefix ``T``, folder ``toy/``), a config section."""

from __future__ import annotations

from tools.common import config_schema as cs
from tools.common.function import WINDOW, Function
from tools.common.source import Feed, Grants, Section, SourceSpec, Statement, TriageTask


def _iam(section: Section, grants: Grants) -> list[Statement]:
    return [grants.statement("ToyRead", ["toy:ListToys"], "*")]


TOY = SourceSpec(
    name="toy",
    label="Toy events",
    description="Toy events: counts per kind.",
    functions=(Function("toy", "count_toys", "Counts toy events per kind in the window.", (WINDOW,), example={}),),
    feeds=(Feed("toy", "Toy events", "T", (".jsonl",)),),
    config=cs.section({"enabled": cs.prop(cs.BOOLEAN, True), "kinds": cs.prop(cs.STRINGS, ["broken"])}),
    iam=_iam,
    triage=TriageTask("count_toys", lambda focus: {}),
    module="tests.toy_source",
)
