"""Third-party package bodies that cost a cold answer without serving it, run on first use.

langchain-core imports langsmith for tracing (off here), and langsmith imports one class from
`langsmith.types`, a package whose `__init__` re-exports ~150 generated API models: about a third
of a second of CPU in every new process, a fifth of a cold trial-fact answer. LangGraph's runtime
imports one protocol class from `langgraph_sdk.auth.types`, and `langgraph_sdk`'s `__init__`
imports its HTTP client (httpx and the remote-graph API, about a fifth of a second) for servers we
never call. Both are top-level packages or packages whose parent is cheap: deferring a package
whose parent's `__init__` imports it would load the parent early and gain nothing.
`defer_package_init` registers such a package without running its `__init__`: its submodules
import on their own as usual, and the first access to any other name runs the `__init__` then (a
module `__getattr__`, PEP 562), so code that needs the package gets all of it.
"""

from __future__ import annotations

import importlib.util
import sys
import threading

DEFERRED = ("langsmith.types", "langgraph_sdk")
_LOCK = threading.RLock()  # re-entrant: the __init__ itself may look a name up


def defer_package_init(name: str) -> bool:
    """Register package `name` with its `__init__` deferred; False if it cannot be (or is)."""
    if name in sys.modules:
        return False
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return False
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return False
    module = importlib.util.module_from_spec(spec)
    loader = spec.loader
    state = {"loaded": False, "loading": False}

    def __getattr__(attribute: str) -> object:
        if attribute.startswith("__") and attribute != "__all__":
            raise AttributeError(attribute)
        with _LOCK:  # other threads wait here until the __init__ has run
            if not state["loaded"] and not state["loading"]:
                state["loading"] = True
                try:
                    loader.exec_module(module)
                finally:
                    state["loading"] = False
                state["loaded"] = True
                if module.__dict__.get("__getattr__") is __getattr__:
                    del module.__dict__["__getattr__"]
        try:
            return module.__dict__[attribute]
        except KeyError:
            raise AttributeError(f"module {name!r} has no attribute {attribute!r}") from None

    module.__dict__["__getattr__"] = __getattr__
    sys.modules[name] = module
    return True


def defer_unused_package_inits() -> None:
    for name in DEFERRED:
        defer_package_init(name)
