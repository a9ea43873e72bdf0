"""Results into the cadres' assessments: a period's assessment data as JSON, CSV or .xlsx."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response, request
from flask.views import MethodView

from api.rest.base import Blueprint, hub, leitai
from api.rest.errors import lang
from api.rest.security import principal, require
from domain import access

blp = Blueprint("assessment", __name__, url_prefix="/api/contests",
                description="Results into the cadres' assessments (年终考核)")


@blp.route("/<contest>/assessment/<period>")
class AssessmentResource(MethodView):
    @blp.response(200, description="`?format=json` (default), `csv` or `xlsx`; `?unit=` for one unit and below")
    def get(self, contest: str, period: str) -> Any:
        """A period's assessment data: one record per secretary and organization"""
        from api.assessment import KINDS, as_bytes, kind_of
        from projections.assessment import assessment

        p = principal()
        read = hub().read()
        code = read.contest(contest)["contest"]
        unit = request.args.get("unit") or None
        units = {u["code"]: u for u in orjson.loads(read.contest(code)["units"])}
        if unit is not None:
            unit = read.unit(code, unit)["code"]
            path, current = [], unit
            while current is not None and current not in path:
                path.append(current)
                current = units[current]["parent"] if current in units else None
            allowed = access.manages_unit(p, code, path)
        else:
            allowed = access.manages_contest(p, code, [u for u, v in units.items() if v["parent"] is None])
        require(allowed or access.reads_everything(p, code), p, f"read the assessment data of {code}",
                f"查看 {code} 的考核数据")
        kind = kind_of(request.args.get("format", "json"))
        document = assessment(read, code, period, unit, leitai().clock.today().isoformat())
        body = as_bytes(document, kind, lang())
        headers = {}
        if kind != "json":
            name = f"assessment-{code}-{document['period']}.{kind}"
            headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return Response(body, 200, headers=headers, mimetype=KINDS[kind].split(";")[0],
                        content_type=KINDS[kind])
