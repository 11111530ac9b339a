"""The demo evaluation team (issue 17): Northwind's procurement lead, two evaluators and an observer,
qualitative criteria on its QA-testing RFP, and the evaluators' independent scores, who disagree on
one proposal's transition plan (the lead and the observer see it flagged as an outlier).

Plain data like seeds/demo.py, in the shapes the use cases validate; api/cli/seed.py loads it.
"""

from __future__ import annotations

from dataclasses import dataclass

from seeds.demo import JsonDict


@dataclass(frozen=True)
class DemoMember:
    organization: str  # a DemoOrganization key
    name: str
    email: str
    role: str  # a MemberRole name


@dataclass(frozen=True)
class DemoScore:
    evaluator: str  # a DemoMember email
    vendor: str  # a DemoOrganization key
    criterion: int  # index into DemoEvaluation.criteria
    score: int
    justification: str


@dataclass(frozen=True)
class DemoEvaluation:
    rfp: str  # a DemoRfp key
    weights: JsonDict  # the computed weights, leaving the qualitative criteria their share
    criteria: list[JsonDict]  # QualitativeCriterionInput dicts
    evaluators: list[str]  # DemoMember emails
    scores: list[DemoScore]


def demo_members() -> tuple[DemoMember, ...]:
    return (
        DemoMember("northwind", "Lena Park", "lena.park@northwind.example", "PROCUREMENT_LEAD"),
        DemoMember("northwind", "Eva Ruiz", "eva.ruiz@northwind.example", "EVALUATOR"),
        DemoMember("northwind", "Omar Haddad", "omar.haddad@northwind.example", "EVALUATOR"),
        DemoMember("northwind", "Olga Berg", "olga.berg@northwind.example", "OBSERVER"),
    )


_TRANSITION = {
    "name": "Transition plan",
    "description": "How the vendor takes over the TestRail library and the release calendar in 30 days.",
    "scaleMax": 5,
    "weight": 0.2,
    "guidance": [
        "no plan",
        "a generic plan",
        "a plan missing the release calendar",
        "a credible plan with named people",
        "a detailed plan with shadowing of two releases",
        "a detailed plan proven on a comparable takeover",
    ],
}
_AUTOMATION = {
    "name": "Automation approach",
    "description": "How the Playwright suite grows and stays green between releases.",
    "scaleMax": 10,
    "weight": 0.1,
}


def demo_evaluation() -> DemoEvaluation:
    eva, omar = "eva.ruiz@northwind.example", "omar.haddad@northwind.example"
    return DemoEvaluation(
        rfp="northwind-qa",
        # 0.35 / 0.25 / 0.4 of the remaining 70%: the computed scores are unchanged (normalized).
        weights={"slaQuality": 0.245, "lockIn": 0.175, "cost": 0.28},
        criteria=[_TRANSITION, _AUTOMATION],
        evaluators=[eva, omar],
        scores=[
            # The disagreement: Eva believes PixelProof's takeover plan, Omar does not.
            DemoScore(
                eva,
                "pixelproof",
                0,
                5,
                "Named QA lead, two releases shadowed, proven at a Shopify Plus retailer.",
            ),
            DemoScore(
                omar, "pixelproof", 0, 1, "Generic slides; nothing about our release calendar or TestRail."
            ),
            DemoScore(eva, "pixelproof", 1, 7, "Page objects and nightly runs; flaky tests quarantined."),
            DemoScore(omar, "pixelproof", 1, 6, "Sound, if unambitious."),
            DemoScore(eva, "apexshore", 0, 3, ""),
            DemoScore(omar, "apexshore", 0, 3, ""),
        ],
    )
