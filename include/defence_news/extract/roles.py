"""Who initiates and who receives: visits, hosts, suppliers and buyers."""

from __future__ import annotations

import re

from defence_news.extract.context import Candidate, DocContext, Party

RELATION_WINDOW = 14  # characters before a mention searched for "to", "from", "with"
TO_BEFORE = re.compile(
    r"\b(?:to|visit(?:ed|ing|s)?|toured|arrived in|in|hosted by|trip to)\s+(?:the\s+)?$"
)
_RECEIVER_BEFORE = re.compile(r"\b(?:to|for)\s+(?:the\s+)?$")
_FROM_BEFORE = re.compile(r"\bfrom\s+(?:the\s+)?$")
_BUY_WORDS = re.compile(
    r"\b(?:buy|bought|purchas\w*|acqui\w*|order\w*|import\w*|receiv\w*)\b", re.I
)
_HOSTED = re.compile(r"\bhost(?:ed|s|ing)?\b", re.I)


def _relation(ctx: DocContext, party: Party, pattern: re.Pattern[str]) -> bool:
    for mention in party.mentions:
        window = ctx.text[max(0, mention.start - RELATION_WINDOW) : mention.start]
        if pattern.search(window) or (pattern is TO_BEFORE and mention.is_location):
            return True
    return False


def candidate_roles(ctx: DocContext, candidate: Candidate) -> dict[str, str]:
    """Initiator and recipient where the grammar shows them ("visited Moscow": Moscow
    receives; "delivered ... to Kenya": Kenya receives), participant otherwise."""
    codes = list(candidate.parties)
    roles = dict.fromkeys(codes, "participant")
    sentence_text = candidate.sentence.text
    if candidate.category == "visit":
        if _HOSTED.search(sentence_text):
            hosts = [codes[0]]
        else:
            hosts = [c for c in codes if _relation(ctx, candidate.parties[c], TO_BEFORE)]
        if hosts and len(hosts) < len(codes):
            roles = {c: "recipient" if c in hosts else "initiator" for c in codes}
    elif candidate.category == "arms_transfer":
        suppliers = [c for c in codes if _relation(ctx, candidate.parties[c], _FROM_BEFORE)]
        receivers = [c for c in codes if _relation(ctx, candidate.parties[c], _RECEIVER_BEFORE)]
        if not suppliers and not receivers:
            first_receives = bool(_BUY_WORDS.search(sentence_text))
            receivers = [codes[0]] if first_receives else codes[1:]
        for code in codes:
            if code in receivers:
                roles[code] = "recipient"
            elif code in suppliers or receivers:
                roles[code] = "initiator"
    return roles
