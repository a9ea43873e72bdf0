"""Signed heads and proofs on the command line, as an auditor runs them: real processes."""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_cli import run  # noqa: F401 - the fixture

FINAL, CHAMPION = "R-WS-FINAL-2025", "WS-SLD-09"


@pytest.fixture
def demo(run, tmp_path):  # noqa: F811
    run("--db", f"sqlite:///{tmp_path}/cli.db", "demo", "--fresh", "--no-serve")
    return run


def public_key(demo) -> str:
    out = demo("--lang", "en", "keys", "show").stdout
    return next(line.split()[-1] for line in out.splitlines() if line.startswith("Public key"))


def test_an_auditor_checks_a_result_from_the_paper_notice_alone(demo, tmp_path):
    key = public_key(demo)
    notice = tmp_path / "notice.txt"  # the checkpoint as typed from the notice: Windows line ends
    head = demo("checkpoint", "--show").stdout
    notice.write_bytes(head.replace("\n", "\r\n").encode("utf-8"))
    demo("prove", "inclusion", FINAL, CHAMPION, "--checkpoint", str(notice), "--out", str(tmp_path / "p.json"))
    done = demo("verify", "--proof", str(tmp_path / "p.json"), "--checkpoint", str(notice), "--key", key)
    assert "全部证明有效" in done.stdout and done.stdout.count("✓ 已包含") == 12
    assert "marks=(content=" in done.stdout  # each sheet as recorded, readable
    as_json = json.loads(demo("verify", "--proof", str(tmp_path / "p.json"), "--key", key, "--json").stdout)
    assert as_json["ok"] and len(as_json["entries"]) == 12
    wrong = demo("--lang", "en", "verify", "--proof", str(tmp_path / "p.json"), "--key", "ab" * 32, check=False)
    assert wrong.returncode == 6 and "not signed by the given key" in wrong.stderr


def test_a_later_head_is_proven_to_extend_the_notices(demo, tmp_path):
    key = public_key(demo)
    old = tmp_path / "old.txt"
    old.write_text(demo("checkpoint", "--show").stdout, encoding="utf-8")
    signed = demo("checkpoint")
    assert "树头" in signed.stderr
    demo("prove", "consistency", str(old), "--out", str(tmp_path / "c.txt"))
    done = demo("verify", "--proof", str(tmp_path / "c.txt"), "--checkpoint", str(old), "--key", key)
    assert "原样延续" in done.stdout
    since = demo("verify", "--since", str(old), "--key", key).stdout  # and the log extends it
    assert "2 个外部保存的树头均得到原样延续" in since  # the notice's, and the signer's own


@pytest.mark.parametrize(("argv", "words"), [
    (["verify", "--since", "nowhere.txt"], "--since"),
    (["verify", "--checkpoint", "x.txt"], "--checkpoint"),
    (["verify", "--witness", "not-a-key"], "--witness"),
    (["verify", "--proof", "nowhere.json", "--key", "ab" * 32], "--proof"),
    (["verify", "--proof", "nowhere.json"], "--key"),
    (["prove", "inclusion", FINAL, "NOPE"], "NOPE"),
    (["prove", "consistency", "nowhere.txt"], "old"),
])
def test_bad_input_is_refused_with_what_to_fix(demo, argv, words):
    done = demo(*argv, check=False)
    assert done.returncode in (2, 3) and words in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_a_witness_key_must_be_a_witness_key_and_the_quorum_within_reach(demo, tmp_path):
    demo("witness", "init", "jjjc.example/w1", "--dir", str(tmp_path / "w"))
    vkey = demo("witness", "list", "--dir", str(tmp_path / "w"), "--json").stdout
    witness = json.loads(vkey)["witness"]
    done = demo("verify", "--witness", witness, "--quorum", "2", check=False)
    assert done.returncode == 2 and "--quorum" in done.stderr
    done = demo("witness", "register", public_key(demo), "--reason", "x", check=False)
    assert done.returncode == 2 and "vkey" in done.stderr
    assert demo("witness", "register", witness, "--reason", "纪检监察").returncode == 0
    done = demo("verify", "--witness", witness, check=False)  # registered, but it has cosigned nothing yet
    assert done.returncode == 6 and "联署" in done.stderr
