"""The versions of one rule set, each kept with its full text and digest.

Rule sets are registered by code; a version, once registered, never changes: a new
text for the same version is refused, an identical one (even with other comments)
records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import RuleSetConflict, RuleSetNotFound
from domain.ids import ruleset_id
from domain.model.base import Actor, LeitaiAggregate
from domain.rules.ruleset import RuleSet, parse_ruleset


@dataclass(frozen=True)
class RuleSetVersion:
    code: str
    version: int
    text: str
    digest: str
    source: str

    def parsed(self) -> RuleSet:
        return parse_ruleset(self.text, self.source)

    def ref(self) -> dict[str, object]:
        return {"code": self.code, "version": self.version, "digest": self.digest}


class RuleSetHistory(LeitaiAggregate):
    class Started(LeitaiAggregate.Created):
        code: str

        def evolve(self, h: RuleSetHistory) -> None:
            h.code = self.code

    class VersionRegistered(LeitaiAggregate.Event):
        version: int
        text: str
        digest: str
        source: str

        def evolve(self, h: RuleSetHistory) -> None:
            h.versions[self.version] = RuleSetVersion(h.code, self.version, self.text, self.digest, self.source)

    def __init__(self) -> None:
        super().__init__()
        self.code = ""
        self.versions: dict[int, RuleSetVersion] = {}

    @classmethod
    def start(cls, code: str, by: Actor) -> RuleSetHistory:
        return cls._start(cls.Started, ruleset_id(code), by, None, code=code)

    def register(self, rules: RuleSet, text: str, source: str, by: Actor, key: str | None = None) -> bool:
        """Record a version; False when this exact version is already recorded."""
        known = self.versions.get(rules.version)
        if known is not None:
            if known.digest != rules.digest:
                raise RuleSetConflict(code=rules.code, version=rules.version)
            return False
        self._record(self.VersionRegistered, by, key, version=rules.version, text=text,
                     digest=rules.digest, source=source)
        return True

    def get(self, version: int | None = None) -> RuleSetVersion:
        """A version, or the highest one when ``version`` is None."""
        if not self.versions:
            raise RuleSetNotFound(rules=self.code)
        if version is None:
            return self.versions[max(self.versions)]
        try:
            return self.versions[version]
        except KeyError:
            raise RuleSetNotFound(rules=f"{self.code}@{version}") from None
