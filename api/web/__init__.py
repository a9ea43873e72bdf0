"""Leitai's web pages: the big screen (大屏), judging (评委打分), audit (审计), the
organizer console (管理), published results and stars (公示与星级), and each
organization's own page.

The modules say who each page is for: ``hall`` (the big screen), ``judging`` (the judges'
phones), ``public`` (published results, audit, judges' statistics, stars), ``organizations``
(an organization's own page) and ``organizers`` (the console and replay); ``pages`` holds what
every page shares.

Pages are rendered on the server (Jinja2) from the same read models and the same access
policy as the HTTP API; the little JavaScript they carry (served from this package,
nothing from the internet) keeps the big screen live over Server-Sent Events, keeps a
judge's unsent sheets safe on a flaky network, and sends the console's commands to the
API with the signed-in account's token.  Chinese by default; ``?lang=en`` switches to
English (remembered in a cookie).
"""

# the frame of every page (signing in, the home page, languages, headers), then each
# audience's pages on the same blueprint (importing a module adds its routes)
from api.web.pages import blp  # isort: skip
from api.web import hall, judging, organizations, organizers, public  # noqa: F401  isort: skip
from api.web import ballots, evidence, work  # noqa: F401  isort: skip  (结果运用)
from api.web import tracks  # noqa: F401  isort: skip  (赛道: the standings page)

__all__ = ["blp"]
