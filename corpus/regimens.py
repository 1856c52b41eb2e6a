"""The regimen catalogue (`data/regimens.yaml`): agents, their drug classes, and aliases."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from corpus.names import fold
from corpus.paths import REGIMENS_PATH
from corpus.yamlio import load_yaml


class Agent(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    classes: tuple[str, ...]
    aliases: tuple[str, ...] = ()


class Regimen(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    agents: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    classes: frozenset[str] = Field(default_factory=frozenset)

    def has_class(self, drug_class: str) -> bool:
        return drug_class in self.classes

    @property
    def contains_bevacizumab(self) -> bool:
        return self.has_class("bevacizumab")

    @property
    def is_immune_based(self) -> bool:
        return self.has_class("ici")

    @property
    def is_targeted(self) -> bool:
        """TKI or anti-VEGF(R) antibody: what low platelets or refractory hypertension rule out."""
        return self.has_class("tki") or self.has_class("anti_vegf")

    @property
    def is_locoregional(self) -> bool:
        return self.classes == frozenset({"locoregional"})


class Catalogue:
    """Agents and regimens by id, with alias resolution over folded names."""

    def __init__(self, agents: dict[str, Agent], regimens: list[Regimen]) -> None:
        self.agents = agents
        self.regimens = {r.id: r for r in regimens}
        self._by_name: dict[str, str] = {}
        for regimen in regimens:
            for name in (regimen.id, regimen.name, *regimen.aliases):
                self._by_name.setdefault(fold(name), regimen.id)

    def regimen(self, regimen_id: str) -> Regimen:
        try:
            return self.regimens[regimen_id]
        except KeyError:
            raise KeyError(f"unknown regimen id {regimen_id!r}") from None

    def resolve(self, text: str) -> Regimen | None:
        """The regimen a name or alias denotes ("atezo/bev", "STRIDE"), or None."""
        regimen_id = self._by_name.get(fold(text))
        return self.regimens[regimen_id] if regimen_id else None

    def names(self) -> dict[str, str]:
        """Folded name -> regimen id, for scanning free text."""
        return dict(self._by_name)

    def _covers(self, general: str, agent: str) -> bool:
        """`general` is `agent` or the class it belongs to (`anti_pd_1` covers pembrolizumab)."""
        return general == agent or general in self.agents[agent].classes

    def covers(self, general: Sequence[str], drugs: Iterable[str]) -> bool:
        """Each drug is one of `general`'s agents, itself or by class, one for one."""
        pending = list(general)
        for drug in drugs:
            match = next((g for g in pending if self._covers(g, drug)), None)
            if match is None:
                return False
            pending.remove(match)
        return not pending

    def generalisations(self, regimen_id: str) -> list[str]:
        """Regimens that name `regimen_id`'s drugs by class: lenvatinib + pembrolizumab is an
        instance of "lenvatinib + an anti-PD-1 antibody", so what the review says of the class
        applies to it."""
        named = self.regimen(regimen_id).agents
        return [
            other.id
            for other in self.regimens.values()
            if other.id != regimen_id and self.covers(other.agents, named)
        ]

    def alone(self, agent: str) -> list[str]:
        """The regimens of `agent` given alone ("durva monotherapy" is Durvalumab)."""
        return [r.id for r in self.regimens.values() if r.agents == (agent,)]


def _read(path: Path) -> Catalogue:
    raw = load_yaml(path)
    agents = {key: Agent(id=key, **value) for key, value in raw["agents"].items()}
    regimens = []
    for entry in raw["regimens"]:
        missing = [a for a in entry["agents"] if a not in agents]
        if missing:
            raise ValueError(f"regimen {entry['id']} names unknown agents {missing}")
        classes = frozenset(c for a in entry["agents"] for c in agents[a].classes)
        regimens.append(Regimen(classes=classes, **entry))
    return Catalogue(agents, regimens)


@cache
def load_catalogue(path: Path = REGIMENS_PATH) -> Catalogue:
    return _read(path)
