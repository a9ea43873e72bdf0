"""``leitai export assessment``: results into the cadres' assessments (rulebook
section 21, the format in docs/assessment.md)."""

from __future__ import annotations

from pathlib import Path

from api.cli.context import Context
from domain.errors import InvalidValue


def cmd_export_assessment(ctx: Context) -> None:
    from api.assessment import as_bytes, kind_of
    from api.cli.readside import current
    from projections.assessment import assessment

    a = ctx.args
    path = Path(a.file)
    kind = kind_of(path.name)
    read = current(ctx)
    try:
        document = assessment(read, a.contest, a.period, a.unit, ctx.app.clock.today().isoformat())
    finally:
        read.close()
    data = as_bytes(document, kind, ctx.lang)
    try:
        path.write_bytes(data)
    except OSError as error:
        raise InvalidValue("file", a.file, f"cannot be written ({error.strerror})",
                           f"无法写入（{error.strerror}）") from None
    n = len(document["records"])
    ctx.say(f"已导出 {document['contest']} {document['period']} 的考核数据（{n} 条记录，每位书记和组织一条）到 {path}。",
            f"Exported the assessment data of {document['contest']} {document['period']} ({n} records, one per "
            f"secretary and organization) to {path}.")
    if n == 0:
        ctx.say("该期间没有已定案的轮次：定案后才计入考核。",
                "No round of this period is finalized yet: only finalized results are assessed.")
