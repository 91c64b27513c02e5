"""Who initiates and who receives: a category's ``roles`` strategy (its data file).

``visit``: the visited country (after "to", "visited", "in"; or the host) receives and
the others initiate. ``transfer``: the country after "to"/"for" receives, the one after
"from" supplies; with neither, buying words make the first party the buyer.
"""

from __future__ import annotations

import re

from defence_news.extract.categories import CategorySpec
from defence_news.extract.context import Candidate, DocContext, Party

RELATION_WINDOW = 14  # characters before a mention searched for "to", "from", "with"
TO_BEFORE = re.compile(
    r"\b(?:to|visit(?:ed|ing|s)?|toured|arrived in|in|hosted by|trip to)\s+(?:the\s+)?$"
)
_RECEIVER_BEFORE = re.compile(r"\b(?:to|for)\s+(?:the\s+)?$")
_FROM_BEFORE = re.compile(r"\bfrom\s+(?:the\s+)?$")


def _relation(ctx: DocContext, party: Party, pattern: re.Pattern[str]) -> bool:
    for mention in party.mentions:
        window = ctx.text[max(0, mention.start - RELATION_WINDOW) : mention.start]
        if pattern.search(window) or (pattern is TO_BEFORE and mention.is_location):
            return True
    return False


def _visit_roles(ctx: DocContext, spec: CategorySpec, candidate: Candidate) -> dict[str, str]:
    codes = list(candidate.parties)
    hosted = spec.host_words is not None and spec.host_words.search(candidate.sentence.text.lower())
    if hosted:
        hosts = [codes[0]]
    else:
        hosts = [c for c in codes if _relation(ctx, candidate.parties[c], TO_BEFORE)]
    if hosts and len(hosts) < len(codes):
        return {c: "recipient" if c in hosts else "initiator" for c in codes}
    return dict.fromkeys(codes, "participant")


def _transfer_roles(ctx: DocContext, spec: CategorySpec, candidate: Candidate) -> dict[str, str]:
    codes = list(candidate.parties)
    roles = dict.fromkeys(codes, "participant")
    suppliers = [c for c in codes if _relation(ctx, candidate.parties[c], _FROM_BEFORE)]
    receivers = [c for c in codes if _relation(ctx, candidate.parties[c], _RECEIVER_BEFORE)]
    if not suppliers and not receivers:
        buying = spec.buyer_words is not None and spec.buyer_words.search(
            candidate.sentence.text.lower()
        )
        receivers = [codes[0]] if buying else codes[1:]
    for code in codes:
        if code in receivers:
            roles[code] = "recipient"
        elif code in suppliers or receivers:
            roles[code] = "initiator"
    return roles


_STRATEGIES = {"visit": _visit_roles, "transfer": _transfer_roles}


def candidate_roles(ctx: DocContext, candidate: Candidate) -> dict[str, str]:
    """Initiator and recipient where the grammar shows them ("visited Moscow": Moscow
    receives; "delivered ... to Kenya": Kenya receives), participant otherwise."""
    spec = ctx.rules.categories[candidate.category]
    strategy = _STRATEGIES.get(spec.roles or "")
    if strategy is None:
        return dict.fromkeys(candidate.parties, "participant")
    return strategy(ctx, spec, candidate)
