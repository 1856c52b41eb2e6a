"""JSON typed by a person (profile files, batch lines): decoded, or a one-line reason why not.

`json.loads` raises more than `JSONDecodeError` on hostile input: `RecursionError` for deep
nesting ("[" * 5000) and `ValueError` for an integer of more than 4,300 digits. Callers get
every failure as one line they can show, never an exception.
"""

from __future__ import annotations

import json

BOM = "\ufeff"


class JsonInputError(ValueError):
    """Text that is not usable JSON; the message is one line."""


def _constant(name: str) -> float:
    # NaN and Infinity are not JSON; Python's decoder accepts them unless told otherwise.
    raise JsonInputError(f"{name} is not a JSON number")


def decode_json(text: str) -> object:
    """The decoded value of `text` (a leading BOM ignored), or `JsonInputError`."""
    try:
        return json.loads(text.removeprefix(BOM), parse_constant=_constant)
    except JsonInputError:
        raise
    except json.JSONDecodeError as error:
        where = f" at line {error.lineno} column {error.colno}" if error.lineno > 1 else ""
        raise JsonInputError(f"not valid JSON ({error.msg}{where})") from None
    except RecursionError:
        raise JsonInputError("not usable JSON (nested too deeply)") from None
    except ValueError as error:  # e.g. an integer longer than Python's 4,300-digit limit
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        if "digits" in reason:
            reason = "a number is too long"
        raise JsonInputError(f"not usable JSON ({reason})") from None
