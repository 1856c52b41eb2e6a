"""Name normalisation shared by every alias lookup (regimens, agents, trials).

Clinicians write "LEAP002", "leap-002", "len pembro", "Len/Pembro", "atezo-bev": all of these
must meet the canonical spelling, so names are compared after folding case and dropping
everything that is not a letter or a digit.
"""

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(name: str) -> str:
    """Fold a name to its comparison key: lower case, ASCII, letters and digits only."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return _NON_ALNUM.sub("", ascii_name.lower().replace("+", "plus"))
