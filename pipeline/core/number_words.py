"""English numbers written in words, defined once: the figures reader (pipeline/figures/numbers.py) and the
relative-date reader (pipeline/events/relative.py, "two years later") both read them from here.

>>> CARDINALS["twelve"], CARDINALS["dozen"], SMALL_CARDINALS["ten"]
(12, 12, 10)
"""

from __future__ import annotations

_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_TEENS = ("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")

#: one … nineteen, the tens, "hundred" and "dozen"
CARDINALS: dict[str, int] = {
    **{w: n for n, w in enumerate(_UNITS, 1)},
    **{w: n for n, w in enumerate(_TEENS, 11)},
    **dict(zip(_TENS, range(20, 100, 10), strict=True)),
    "hundred": 100,
    "dozen": 12,
}
#: one … ten: the counts that relative dates use ("three weeks later")
SMALL_CARDINALS: dict[str, int] = {w: CARDINALS[w] for w in _UNITS}

__all__ = ["CARDINALS", "SMALL_CARDINALS"]
