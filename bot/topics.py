"""What /troops and /russia-position cover: each topic's facets, described in plain words.

This is data, not answers: a facet is a short description that is searched like a question, plus the
question words that point at it. New articles are found through it without touching this file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Facet:
    """One aspect of a topic: the words that describe it and the question words that point at it."""

    name: str
    label: str
    description: str
    triggers: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Topic:
    """A command's subject: words that place a passage in it, and its facets in overview order.

    `side`, when set, names whose stated position the topic is about: a passage must mention that
    side (or be attributed to it) to answer, and statements by that side rank higher.
    """

    command: str
    title: str
    context: str
    facets: tuple[Facet, ...]
    side: str = ""
    question_words: str = ""  # how questions on the topic are phrased; not content a quote must contain


def _triggers(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


TROOPS = Topic(
    command="troops",
    title="The planned European force for Ukraine",
    context="European troops peacekeeping force peacekeepers deployment deploy send Ukraine coalition",
    question_words="plan plans planned planning willing want would will could send sent consider considering",
    facets=(
        Facet(
            "size",
            "Size",
            "size: tens of thousands, 10,000 to 30,000, a large force, a sufficient number",
            _triggers(r"how many|how big|how large|\bsize|\bnumber|thousand|strength|scale|\bbig\b"),
        ),
        Facet(
            "countries",
            "Countries",
            "countries: UK, France, Germany, Poland, Baltic and Nordic countries, Canada and Japan, "
            "nations willing to join, participate, contribute",
            _triggers(
                r"which countr|what countr|which nation|what nation|countries|nations|\bwho\b|contribut|"
                r"participat|\bjoin|\bsend"
            ),
        ),
        Facet(
            "roles",
            "Roles",
            "roles: deterrent, rapid response, tripwire, air and maritime security, "
            "protecting key infrastructure and airports, training",
            _triggers(r"\brole|\bdo\b|\btask|mission|\bjob|purpose|deter|tripwire|train|what for|mandate"),
        ),
        Facet(
            "conditions",
            "Conditions",
            "conditions: only if there is a lasting peace, contingent on a ceasefire agreement",
            _triggers(r"condition|\bwhen\b|ceasefire|under what|\bonly if|\bif\b|precondition|prerequisite"),
        ),
        Facet(
            "backstop",
            "US backstop",
            "US backstop: a U.S. commitment to intervene, American logistics, logistical support, "
            "intelligence, surveillance, reconnaissance, air-defense capabilities, political backing, insurance",
            _triggers(r"\bus\b|u\.s\.|america|washington|backstop|trump|insurance|guarantee|support"),
        ),
    ),
)

RUSSIA = Topic(
    command="russia-position",
    title="Moscow's stated position",
    context="Putin Kremlin Moscow Russia Russian officials insist ruled out refusal demands position",
    side="Russia Putin",
    question_words=(
        "position positions stance view views think thinks want wants accept accepts say says said stated "
        "demand demands willing ready open agree agrees feel consider require requires expect expects believe "
        "oppose opposes reject rejects refuse refuses tolerate allow react respond response"
    ),
    facets=(
        Facet(
            "western-troops",
            "Western troops",
            "Western troops, NATO forces, peacekeeping force stationed in Ukraine: categorically "
            "unacceptable, uncontrolled escalation, ruled out, refusal",
            _triggers(r"troop|force|peacekeep|soldier|deploy|boots|western|european|foreign"),
        ),
        Facet(
            "nato",
            "NATO",
            "NATO membership, abandon NATO aspirations, join the alliance",
            _triggers(r"nato|alliance|membership"),
        ),
        Facet(
            "neutrality",
            "Neutrality and demilitarisation",
            "neutral status, demilitarized and neutral Ukraine, disarm",
            _triggers(r"neutral|demilitar|disarm|\barmy|military"),
        ),
        Facet(
            "territory",
            "Territory",
            "territory: new territorial realities, cede territory, regions, occupied land",
            _triggers(r"territor|\bland|region|crimea|donbas|annex|border|cede"),
        ),
        Facet(
            "negotiations",
            "Negotiations",
            "negotiations: willingness to engage in peace talks, negotiate without preconditions",
            _triggers(r"negotiat|\btalks|peace deal|ceasefire|diplomac|precondition|\bdeal\b"),
        ),
    ),
)

TOPICS = {topic.command: topic for topic in (TROOPS, RUSSIA)}
