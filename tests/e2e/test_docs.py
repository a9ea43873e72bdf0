"""The user documentation cannot drift from the program.

* Every ``leitai …`` command line in a fenced code block of README.md and of the two
  guides (docs/guide.zh-CN.md, docs/guide.en.md) names a real command, and the whole
  line parses with the real parser; every ``--option`` on it is spelled out exactly
  (argparse would otherwise accept a prefix such as ``--reas``).  Usage synopses such as
  ``leitai verify [ROUND]`` or ``leitai judges --round R | --contest C`` are expanded
  into each concrete form they describe, and each form is parsed.  ``leitai PATH --help``
  is run in-process for every command path found.
* The small complete example of docs/import.md (every code block preceded by a line
  ``文件：NAME`` or ``File: NAME``) is byte for byte examples/quickstart, and imports.
* No document links outside the repository (no ``../shared``, no web addresses), and
  every relative link points at a file or directory that exists.

Everything runs in this process (``api.cli.main.main``, ``api.cli.parser``): no
subprocesses, a few seconds in all.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import shlex
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest

from api.cli.main import main
from api.cli.parser import COMMANDS, build_parser
from tests.conftest import ROOT

GUIDES = ("docs/guide.zh-CN.md", "docs/guide.en.md")
COMMAND_DOCS = ("README.md", *GUIDES, "docs/federation.md",  # 市级联动's walk-through too
                "docs/operations.md",  # 运维: db copy step by step
                "docs/servers.md")  # 多台服务器
QUICKSTART = ROOT / "examples" / "quickstart"
IMPORT_DOC = ROOT / "docs" / "import.md"

PATHS = {c.path: c for c in COMMANDS}
GLOBAL_OPTIONS = {"--db", "--lang", "--as"}  # each takes a value


# -- reading Markdown ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    doc: str
    line: int  # the line of the opening fence (1-based)
    lines: tuple[str, ...]


FENCE = re.compile(r"^\s*(```+|~~~+)")


def fenced_blocks(doc: str) -> list[Block]:
    """Every fenced code block of a Markdown file, with the line it starts on."""
    path = ROOT / doc
    assert path.exists(), f"{doc} is missing"
    blocks: list[Block] = []
    fence: str | None = None
    start, body = 0, []  # type: ignore[var-annotated]
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = FENCE.match(line)
        if fence is None:
            if match:
                fence, start, body = match.group(1), number, []
        elif match and match.group(1).startswith(fence[0]) and len(match.group(1)) >= len(fence) \
                and not line.strip()[len(match.group(1)):].strip():
            blocks.append(Block(doc, start, tuple(body)))
            fence = None
        else:
            body.append(line)
    assert fence is None, f"{doc}: the code block opened on line {start} is never closed"
    return blocks


def prose(text: str, code_spans: bool = False) -> str:
    """The text outside fenced code blocks, and outside inline code spans too unless
    ``code_spans`` (links live in the prose; headings keep the text of their code spans)."""
    out, inside = [], None
    for line in text.splitlines():
        match = FENCE.match(line)
        if inside is None and match:
            inside = match.group(1)[0]
            continue
        if inside is not None:
            if match and match.group(1)[0] == inside:
                inside = None
            continue
        out.append(line.replace("`", "") if code_spans else re.sub(r"(`+).*?\1", "", line))
    return "\n".join(out)


# -- command lines -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommandLine:
    where: str  # "docs/guide.zh-CN.md:123"
    text: str  # the line as written (prompt and environment assignments removed)


ENV = re.compile(r"""^(?:[A-Za-z_][A-Za-z0-9_]*=(?:"[^"]*"|'[^']*'|\S*)\s+)+""")
PROMPT = re.compile(r"^(?:\$|PS>)\s+")


def command_lines(doc: str) -> list[CommandLine]:
    """Each ``leitai`` command of the document's code blocks: after an optional prompt
    (``$ ``) and environment assignments (``LEITAI_CLOCK=… leitai …``); lines ending in a
    backslash are joined with the next."""
    found = []
    for block in fenced_blocks(doc):
        joined: list[tuple[int, str]] = []
        pending = ""
        for offset, raw in enumerate(block.lines, 1):
            if pending:
                pending += " " + raw.strip()
            else:
                first, pending = block.line + offset, raw.strip()
            if pending.endswith("\\"):
                pending = pending[:-1].rstrip()
                continue
            joined.append((first, pending))
            pending = ""
        if pending:
            joined.append((first, pending))
        for number, line in joined:
            line = ENV.sub("", PROMPT.sub("", line))
            if line == "leitai" or line.startswith("leitai "):
                found.append(CommandLine(f"{doc}:{number}", line))
    return found


def variants(words: list[str]) -> list[list[str]]:
    """The concrete command lines a usage synopsis stands for.

    ``[X | Y]`` is optional with alternatives; a top-level ``A | B`` after the command
    offers alternatives.  The forms are: the line without any optional part, then the
    line with each optional alternative added in turn, for each top-level alternative.
    A line without ``[`` ``]`` or ``|`` is its own only form.
    """
    if not any(w == "|" or w.startswith("[") or w.endswith("]") for w in words):
        return [words]
    plain: list[str] = []
    optional: list[list[list[str]]] = []  # each group: its alternatives
    group: list[list[str]] | None = None
    for word in words:
        if group is None and word.startswith("["):
            group, word = [[]], word[1:]
        if group is not None:
            closing = word.endswith("]")
            word = word[:-1] if closing else word
            if word == "|":
                group.append([])
            elif word:
                group[-1].append(word)
            if closing:
                optional.append(group)
                group = None
            continue
        plain.append(word)
    assert group is None, f"unbalanced [ ] in {' '.join(words)}"
    head, alternatives = split_command(plain)
    choices = [list(a) for a in _split(alternatives, "|")] or [[]]
    forms = []
    for choice in choices:
        base = head + choice
        forms.append(base)
        for g in optional:
            for alternative in g:
                forms.append(base + alternative)
    return forms


def _split(words: list[str], sep: str) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for w in words:
        if w == sep:
            out.append([])
        else:
            out[-1].append(w)
    return out if words else []


def split_command(words: list[str]) -> tuple[list[str], list[str]]:
    """(``leitai``, the global options before the command and the command's words; the rest)."""
    assert words and words[0] == "leitai"
    head, i = ["leitai"], 1
    path: tuple[str, ...] = ()
    while i < len(words):
        word = words[i]
        name = word.split("=", 1)[0]
        if not path and name in GLOBAL_OPTIONS:
            take = 1 if "=" in word else 2
            head.extend(words[i:i + take])
            i += take
            continue
        if path + (word,) in PATHS:
            path += (word,)
            head.append(word)
            i += 1
            continue
        break
    return head, words[i:]


def command_path(words: list[str]) -> tuple[str, ...]:
    head, _ = split_command(words)
    path: list[str] = []
    skip = False
    for word in head[1:]:
        if skip:
            skip = False
            continue
        if word.split("=", 1)[0] in GLOBAL_OPTIONS:
            skip = "=" not in word
            continue
        path.append(word)
    return tuple(path)


@lru_cache(maxsize=None)
def parser() -> argparse.ArgumentParser:
    return build_parser("zh")


def subparser(path: tuple[str, ...]) -> argparse.ArgumentParser:
    current = parser()
    for word in path:
        action = next(a for a in current._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001
        current = action.choices[word]
    return current


def parse(argv: list[str]) -> tuple[argparse.Namespace | None, str, int | None]:
    """The parsed arguments, or None, what argparse said and the code it exited with."""
    said = io.StringIO()
    with contextlib.redirect_stderr(said), contextlib.redirect_stdout(said):
        try:
            return parser().parse_args(argv), "", None
        except SystemExit as done:
            return None, said.getvalue(), int(done.code or 0)


ALL_COMMANDS = [c for doc in COMMAND_DOCS if (ROOT / doc).exists() for c in command_lines(doc)]


def test_each_document_with_commands_exists_and_has_some():
    for doc in COMMAND_DOCS:
        assert (ROOT / doc).exists(), f"{doc} is missing"
    for guide in GUIDES:
        assert len(command_lines(guide)) >= 30, f"{guide}: the walk-through should show the commands it describes"


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=lambda c: c.where)
def test_every_documented_command_line_parses(command: CommandLine):
    try:
        words = shlex.split(command.text, comments=True)
    except ValueError as error:
        pytest.fail(f"{command.where}: cannot be read as a shell command ({error}): {command.text}")
    for form in variants(words):
        path = command_path(form)
        rest = split_command(form)[1]
        if "--help" in form or "-h" in form:  # `leitai --help`, `leitai publish --help`
            assert path in PATHS or path == (), f"{command.where}: `leitai {' '.join(path)}` is not a command"
            _, said, code = parse(form[1:])
            assert code == 0, f"{command.where}: `{' '.join(form)}` fails:\n{said}"
            continue
        assert path, f"{command.where}: `{rest[0] if rest else ''}` is not a leitai command: {command.text}"
        assert path in PATHS, f"{command.where}: `leitai {' '.join(path)}` is not a command"
        assert PATHS[path].run, (f"{command.where}: `leitai {' '.join(path)}` is a group of commands; "
                                 f"name one of them: {command.text}")
        known = {o for a in subparser(path)._actions for o in a.option_strings}  # noqa: SLF001
        for word in form[1:]:
            if word.startswith("--"):
                option = word.split("=", 1)[0]
                assert option in known, (f"{command.where}: `leitai {' '.join(path)}` has no option {option} "
                                         f"(options: {', '.join(sorted(known))}): {command.text}")
        args, said, _ = parse(form[1:])
        assert args is not None, f"{command.where}: `{' '.join(form)}` does not parse:\n{said}"
        assert tuple(args.path) == path, f"{command.where}: parsed as `leitai {' '.join(args.path)}`"


def _forms(command: CommandLine) -> list[list[str]]:
    try:  # an unreadable line is reported by the test above, not here at collection
        return variants(shlex.split(command.text, comments=True))
    except (ValueError, AssertionError):
        return []


DOCUMENTED_PATHS = sorted({command_path(form) for c in ALL_COMMANDS for form in _forms(c)} - {()})


@pytest.mark.parametrize("path", DOCUMENTED_PATHS, ids=" ".join)
def test_help_of_every_documented_command(path, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEITAI_LANG", raising=False)
    for lang in ("zh", "en"):
        assert main(["--lang", lang, *path, "--help"]) == 0
        out = capsys.readouterr().out
        assert "usage:" in out and " ".join(path) in out


def test_the_two_guides_walk_through_the_same_commands():
    def paths(doc: str) -> set[tuple[str, ...]]:
        return {command_path(form) for c in command_lines(doc) for form in _forms(c)}

    zh, en = paths(GUIDES[0]), paths(GUIDES[1])
    assert zh == en, f"only in the Chinese guide: {sorted(zh - en)}; only in the English one: {sorted(en - zh)}"


def test_the_guides_cover_the_organizers_workflow():
    wanted = {("import",), ("close",), ("publish",), ("appeal", "file"), ("appeal", "rule"), ("appeals",),
              ("finalize",), ("promote",), ("open",), ("sheet",), ("correct",), ("ranking",), ("explain",),
              ("audit",), ("board",), ("rounds",), ("contests",), ("export", "results"), ("export", "events"),
              ("verify",), ("keys", "show"), ("replay",), ("rules", "adopt"), ("rules", "check"), ("rerank",),
              ("standings",), ("stars",), ("cert", "self-assess"), ("cert", "veto"), ("cert", "evaluate"),
              ("cert", "decide"), ("cert", "certify"), ("cert", "downgrade"), ("cert", "revoke"),
              ("calendar", "load"), ("republish",), ("adjustment", "revoke")}
    for guide in GUIDES:
        found = {command_path(form) for c in command_lines(guide) for form in _forms(c)}
        assert not wanted - found, f"{guide} does not show: {sorted(wanted - found)}"


# -- the example of docs/import.md -----------------------------------------------------------------

LABEL = re.compile(r"^\s*(?:\*\*)?(?:文件|File)\s*[：:]\s*`?(?P<name>[^`\s*]+)`?(?:\*\*)?\s*$")


def named_blocks(path: Path) -> dict[str, str]:
    """{file name: content} for every code block right after a ``文件：NAME`` line."""
    files: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        match = LABEL.match(lines[i])
        i += 1
        if not match:
            continue
        name = match.group("name")
        while i < len(lines) and not lines[i].strip():
            i += 1
        opening = FENCE.match(lines[i]) if i < len(lines) else None
        assert opening, f"{path.name}:{i}: the line naming {name} must be followed by its code block"
        fence, body = opening.group(1), []
        i += 1
        while i < len(lines) and not (lines[i].strip().startswith(fence) and not lines[i].strip()[len(fence):].strip()):
            body.append(lines[i])
            i += 1
        assert i < len(lines), f"{path.name}: the block of {name} is never closed"
        i += 1
        assert name not in files, f"{path.name}: {name} is given twice"
        files[name] = "\n".join(body) + "\n"
    return files


def test_the_import_example_is_the_quickstart_scenario_and_imports(tmp_path, monkeypatch, capsys):
    files = named_blocks(IMPORT_DOC)
    expected = {p.relative_to(QUICKSTART).as_posix(): p for p in sorted(QUICKSTART.rglob("*")) if p.is_file()}
    assert sorted(files) == sorted(expected), "docs/import.md must show every file of examples/quickstart"
    for name, content in files.items():
        assert content == expected[name].read_text(encoding="utf-8"), (
            f"docs/import.md: the block of {name} differs from examples/quickstart/{name}")
    scenario = tmp_path / "quickstart"
    for name, content in files.items():
        target = scenario / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEITAI_CLOCK", "2025-06-18T09:00")
    code = main(["--db", f"sqlite:///{tmp_path}/x.db", "import", str(scenario)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "scores.csv" in out and "adjustments.csv" in out
    assert main(["--db", f"sqlite:///{tmp_path}/x.db", "import", str(scenario)]) == 0  # again: nothing new
    assert "没有新内容" in capsys.readouterr().out


# -- links ---------------------------------------------------------------------------------------

LINKED_DOCS = ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.M)


def anchors(path: Path) -> set[str]:
    """The anchors a Markdown renderer such as GitHub's gives the headings of a file:
    the heading's text in lower case, markup and punctuation removed, spaces as hyphens,
    repeated anchors numbered (``-1``, ``-2``)."""
    found: set[str] = set()
    for line in prose(path.read_text(encoding="utf-8"), code_spans=True).splitlines():
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not heading:
            continue
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.group(1))  # a link: its text
        slug = re.sub(r"[^\w\- ]", "", text.lower().replace("*", "")).replace(" ", "-")
        anchor, n = slug, 0
        while anchor in found:
            n += 1
            anchor = f"{slug}-{n}"
        found.add(anchor)
    return found


@pytest.mark.parametrize("doc", LINKED_DOCS)
def test_no_document_links_outside_the_repository(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    assert "../shared" not in text, f"{doc} refers to ../shared, which a clone of the repository does not have"
    web = re.findall(r"(?:https?|ftp)://\S+|www\.\S+", text)
    assert not web, f"{doc} links to other sites: {web}"
    targets = LINK.findall(prose(text)) + REFERENCE.findall(prose(text))
    for target in targets:
        assert not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", target), f"{doc}: {target} is not a file of the repository"
        relative, _, anchor = target.partition("#")
        resolved = ((ROOT / doc).parent / relative).resolve() if relative else ROOT / doc
        assert resolved == ROOT or ROOT in resolved.parents, f"{doc}: {target} lies outside the repository"
        assert resolved.exists(), f"{doc}: {target} does not exist"
        if anchor and resolved.suffix == ".md":
            assert anchor in anchors(resolved), f"{doc}: {target}: {resolved.name} has no heading #{anchor}"


def test_the_documents_link_each_other():
    for doc in ("docs/guide.zh-CN.md", "docs/guide.en.md"):
        text = prose((ROOT / doc).read_text(encoding="utf-8"))
        linked = {Path(t.split("#")[0]).name for t in LINK.findall(text)}
        assert {"rules.md", "import.md"} <= linked, f"{doc} should link docs/rules.md and docs/import.md"


# -- the keys and columns the documents describe ---------------------------------------------------


def test_the_rule_set_shown_in_the_rulebook_is_valid_and_uses_every_key():
    from domain.rules import ruleset

    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", text, re.S)
    assert example, "docs/rules.md should open section 2 with a complete rule-set file"
    rules = ruleset.parse_ruleset(example.group(1), "docs/rules.md")
    assert rules.promotion is not None and rules.stars is not None
    doc = ruleset.load_toml(example.group(1), "docs/rules.md")
    assert set(doc) == ruleset._TOP, f"keys missing from the example: {sorted(ruleset._TOP - set(doc))}"  # noqa: SLF001
    for section, keys in ruleset._KEYS.items():  # noqa: SLF001
        if section == "bands":
            used = {k for band in doc["stars"]["bands"] for k in band}
        else:
            value = doc[section]
            used = {k for item in value for k in item} if isinstance(value, list) else set(value)
        assert used == keys, f"[{section}]: keys missing from the example: {sorted(keys - used)}"
        for key in keys:
            assert f"`{section}.{key}`" in text or f"`{section}[].{key}`" in text or section == "bands", (
                f"docs/rules.md: the table of section 2.1 does not describe {section}.{key}")


def test_the_import_format_names_every_key_and_column():
    from api.importing import scenario

    text = IMPORT_DOC.read_text(encoding="utf-8")
    for key in scenario.CONTEST_KEYS | scenario.UNIT_KEYS | scenario.ROUND_KEYS:
        assert re.search(rf"(?m)^#?\s*{key}\b|`{key}`|\[\[?{key}\]", text), f"docs/import.md does not describe {key}"
    for table, columns in scenario.TABLE_COLUMNS.items():
        assert f"{table}.csv" in text, f"docs/import.md does not describe {table}.csv"
        for column in columns:
            assert f"`{column}`" in text, f"docs/import.md does not describe the column {column} of {table}.csv"
