"""The Trials tab's figures: drawn once per process, after "ready" or at a page's first load,
never while the page is built (they cost about a second of the server's start)."""

from __future__ import annotations

import threading

import app
from assistant.agent import Assistant
from assistant.conversations import MemoryConversations
from assistant.tools import ToolDeps


def test_building_the_page_draws_no_figure_and_a_load_draws_each_once(
    monkeypatch, fake_retriever_factory
) -> None:
    drawn: list[str] = []
    forest, bars = app.forest_figure, app.bar_figure
    monkeypatch.setattr(app, "forest_figure", lambda *a: drawn.append("forest") or forest(*a))
    monkeypatch.setattr(app, "bar_figure", lambda *a: drawn.append("bars") or bars(*a))
    monkeypatch.setattr(app, "PLOTS", app.RenderedPlots())
    assistant = Assistant(
        deps=ToolDeps(retriever_factory=fake_retriever_factory), conversations=MemoryConversations()
    )
    demo = app.build_app(lambda: assistant)
    assert drawn == []
    loads = [d for d in demo.fns.values() if d.targets and d.targets[0][1] == "load" and d.outputs]
    plots = [d for d in loads if d.outputs[0].get_block_name() == "plot"]
    assert len(plots) == 5  # two forest plots, three bar charts
    payloads = [d.fn() for d in plots]
    assert all(p.type == "matplotlib" and p.plot.startswith("data:image/webp") for p in payloads)
    assert sorted(drawn) == ["bars"] * 3 + ["forest"] * 2
    again = [d.fn() for d in plots]  # a second page, or another tab: from the cache
    assert again == payloads and len(drawn) == 5


def test_the_server_draws_them_once_ready(monkeypatch) -> None:
    plots = app.RenderedPlots()
    drawn = threading.Event()
    plots.add("x", lambda: drawn.set() or app.forest_figure())
    monkeypatch.setattr(app, "PLOTS", plots)

    class Ready:
        def wait(self) -> None:
            return None

    app._draw_plots_when_ready(Ready())  # type: ignore[arg-type]
    assert drawn.is_set() and plots.get("x").type == "matplotlib"
