"""The Federation aggregate: a city (or a province's department) above its counties (市级联动).

A city deployment holds rounds whose entrants come from other deployments' finalized
rounds.  Each source deployment is registered once, with its log's verifier key and the
signed tree head it showed then; every admission from it carries the source's signed
head, the inclusion proofs of the events that decided it (the round's ``Finalized`` event,
the admitted entrants' ``EntrantAdmitted`` events) and, when the head differs from the
ones seen before, the consistency proof between them.

The proofs are checked before the command runs (``projections.federation``: the domain
imports no cryptography, as with witnesses' cosignatures); they are recorded here as
they were checked, so ``leitai federation verify`` checks them again with no network.

* ``SourceRegistered``: code, name (X 县), the log's origin and verifier key, where to fetch
  from (a URL, or empty for a file), and the head seen at registration.
* ``RankingAdmitted``: one admission of a source round's finalists into a round here,
  with the proof material.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID, uuid5

from domain.errors import InvalidValue, LeitaiError, NotFound
from domain.ids import NAMESPACE
from domain.model.base import Actor, LeitaiAggregate, require_reason


def federation_id() -> UUID:
    return uuid5(NAMESPACE, "federation")


WHAT_ZH = {"signature": "签名", "witness": "见证方联署", "inclusion": "包含证明", "consistency": "一致性证明", "missing": "缺少证明",
           "not_final": "轮次尚未定案", "format": "文件格式", "source": "来源"}


class AdmissionRefused(LeitaiError):
    """An export whose proofs do not hold: nothing is admitted."""

    zh = "拒绝接收（{what_zh}不成立）：{why_zh}。未登记任何晋级。"
    en = "Admission refused ({what} failed): {why}. Nothing was admitted."
    exit_code: ClassVar[int] = 6

    def __init__(self, what: str, why: str, why_zh: str) -> None:
        super().__init__(what=what, what_zh=WHAT_ZH.get(what, what), why=why, why_zh=why_zh)


class SourceNotFound(NotFound):
    zh = "没有登记来源部署 {source}：请先运行 leitai federation add 网址或导出文件 --key 公钥 --name 名称"
    en = "No source deployment {source} is registered: run leitai federation add URL|EXPORT --key PUBKEY --name NAME"


class Federation(LeitaiAggregate):
    class Started(LeitaiAggregate.Created):
        def evolve(self, f: Federation) -> None:
            if "_id" not in vars(f):  # the read side folds with evolve alone: there is one federation
                f._id = federation_id()

    class SourceRegistered(LeitaiAggregate.Event):
        code: str  # short code used in entrant codes here: <CODE>-<entrant>
        name: str  # 海阳县
        origin: str  # the source log's origin (leitai/<name>/<token>)
        vkey: str  # the source log's verifier key (NAME+KEYID+KEY)
        url: str  # where its exports and proofs are fetched ("" for a file)
        size: int  # the head seen at registration
        root: str
        checkpoint: str  # that head's signed note, verbatim
        witnesses: list[str]  # witnesses' verifier keys (type 04) whose cosignatures every admission needs
        quorum: int  # how many of them (0: none needed)
        reason: str

        def evolve(self, f: Federation) -> None:
            f.sources[self.code] = {"code": self.code, "name": self.name, "origin": self.origin, "vkey": self.vkey,
                                    "url": self.url, "seq": self.originator_version,
                                    "witnesses": list(self.witnesses), "quorum": self.quorum,
                                    "heads": [{"size": self.size, "root": self.root, "checkpoint": self.checkpoint,
                                               "seq": self.originator_version}]}

    class RankingAdmitted(LeitaiAggregate.Event):
        source: str  # the source's code
        round: str  # the source round
        into: str  # the round here
        size: int  # the source head the proofs are to
        root: str
        checkpoint: str  # its signed note, with any witness cosignatures
        seal: str  # the source round's seal, as its Finalized event records it
        finalized: str  # tlog-proof of the source round's Finalized event
        entrants: list[dict[str, Any]]  # {entrant, code (here), name, unit, rank, final, proof}
        consistency: str  # the proof between this head and the largest seen before ("" when equal)
        previous: int  # the size of that head (0: none)

        def evolve(self, f: Federation) -> None:
            f.sources[self.source]["heads"].append({"size": self.size, "root": self.root,
                                                    "checkpoint": self.checkpoint, "seq": self.originator_version})
            f.admissions.append({"seq": self.originator_version, "source": self.source, "round": self.round,
                                 "into": self.into, "size": self.size, "root": self.root,
                                 "checkpoint": self.checkpoint, "seal": self.seal, "finalized": self.finalized,
                                 "entrants": [dict(e) for e in self.entrants], "consistency": self.consistency,
                                 "previous": self.previous, "actor": self.actor})

    def __init__(self) -> None:
        super().__init__()
        self.sources: dict[str, dict[str, Any]] = {}
        self.admissions: list[dict[str, Any]] = []

    @classmethod
    def start(cls, by: Actor) -> Federation:
        return cls._start(cls.Started, federation_id(), by, None)

    def source(self, code: str) -> dict[str, Any]:
        found = self.sources.get(code)
        if found is None:
            raise SourceNotFound(source=code)
        return found

    def latest_head(self, code: str) -> dict[str, Any]:
        """The largest head seen from a source (all the others are its prefixes: each was
        checked consistent with the largest before it when it was recorded)."""
        return max(self.source(code)["heads"], key=lambda h: h["size"])

    def register(self, code: str, name: str, origin: str, vkey: str, url: str, head: dict[str, Any],
                 reason: str, by: Actor, key: str | None = None, witnesses: tuple[str, ...] = (),
                 quorum: int = 0) -> bool:
        """Register a source deployment with its (checked) verifier key and head, and the
        witnesses (checked keys) a quorum of whom must have cosigned every head admitted."""
        reason = require_reason(reason, "register a source deployment", "登记来源部署")
        if not 0 <= quorum <= len(witnesses):
            raise InvalidValue("--quorum", quorum, f"give between 1 and {len(witnesses)} (the witnesses given)",
                               f"应在 1 到 {len(witnesses)} 之间（给出的见证方个数）")
        known = self.sources.get(code)
        if known is not None:
            if (known["origin"], known["vkey"]) == (origin, vkey):
                return False
            raise InvalidValue("--code", code, f"the source {code} is already registered for the log {known['origin']}",
                               f"来源 {code} 已登记为日志 {known['origin']}")
        for other in self.sources.values():
            if other["origin"] == origin:
                raise InvalidValue("source", origin, f"this log is already registered as {other['code']}",
                                   f"该日志已登记为来源 {other['code']}")
        self._record(self.SourceRegistered, by, key, code=code, name=name, origin=origin, vkey=vkey, url=url,
                     size=head["size"], root=head["root"], checkpoint=head["checkpoint"],
                     witnesses=list(witnesses), quorum=quorum, reason=reason)
        return True

    def admit(self, admission: dict[str, Any], by: Actor, key: str | None = None) -> int:
        """Record a (checked) admission; returns its number here.  The same admission again
        (the same source round, head, round here and finalists) records nothing."""
        source = self.source(admission["source"])
        for done in self.admissions:
            if (done["source"], done["round"], done["into"], done["size"], done["root"],
                    [e["code"] for e in done["entrants"]]) == (admission["source"], admission["round"],
                                                               admission["into"], admission["size"],
                                                               admission["root"],
                                                               [e["code"] for e in admission["entrants"]]):
                return int(done["seq"])
        seen = max(source["heads"], key=lambda h: h["size"])
        if admission["previous"] != seen["size"]:
            raise InvalidValue("consistency", admission["previous"], "the admission was checked against another head "
                               f"than the latest seen ({seen['size']} events): try again",
                               f"该次接收核对所依据的树头不是最近见到的（{seen['size']} 条事件）：请重试")
        return self._record(self.RankingAdmitted, by, key, **admission)
