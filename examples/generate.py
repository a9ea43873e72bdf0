"""Generate the illustrative Wushen scenario (examples/wushen-2025).

ILLUSTRATIVE DATA.  The banner and its six townships are real place names taken from
the seed report (人民网, 2022-05-30); every village, secretary, judge and mark here is
invented.  The generator is deterministic (fixed seed): run it again and the files are
byte-for-byte the same.

    python examples/generate.py

It computes the township rankings with Leitai's own rules engine to know which twelve
villages reach the banner final, then writes the final's scores for them.
"""

from __future__ import annotations

import csv
import random
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from domain.numbers import fraction  # noqa: E402
from domain.rules.engine import compute_round  # noqa: E402
from domain.rules.facts import EntrantFact, RoundFacts, SheetFact  # noqa: E402
from domain.rules.ruleset import parse_ruleset  # noqa: E402

OUT = ROOT / "wushen-2025"
CONTEST = "wushen-2025"
FINAL = "R-WS-FINAL-2025"
TOWNSHIPS = [  # code, name, villages
    ("WS-GL", "嘎鲁图镇", 11), ("WS-WSZ", "乌审召镇", 10), ("WS-TK", "图克镇", 10),
    ("WS-WL", "乌兰陶勒盖镇", 10), ("WS-WD", "无定河镇", 10), ("WS-SLD", "苏力德苏木", 10),
]
FIRST = ["巴音", "查干", "乌兰", "呼和", "阿日", "塔拉", "敖包", "宝日", "陶利", "伊克", "沙尔", "哈达",
         "额尔", "毛乌", "布拉", "萨拉", "图门", "纳林", "苏布", "达布"]
SECOND = ["淖尔", "陶勒盖", "乌素", "柴达木", "希里", "高勒", "布拉格", "其日嘎", "浩特", "塔拉"]
SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "高", "马", "郭", "白", "韩"]
GIVEN = ["宝音", "巴特尔", "额尔敦", "斯琴", "乌云", "建军", "海军", "晓东", "玉兰", "志强", "春梅",
         "国华", "那仁", "格日勒", "朝鲁", "金花", "永平", "丽娟", "文斌", "俊峰"]
COMMUNITIES = {"WS-WD-08": "纳林希里社区"}  # the community track (赛道): code -> its name
COUNTY_JUDGES = [  # code, name, affiliation (all from the banner: home unit WS)
    ("J01", "评委甲", "旗委组织部"), ("J02", "评委乙", "旗农牧局"), ("J03", "评委丙", "旗财政局"),
    ("J04", "评委丁", "旗民政局"), ("J05", "评委戊", "旗乡村振兴局"), ("J06", "评委己", "旗委宣传部"),
    ("J07", "评委庚", "人大代表"), ("J08", "评委辛", "政协委员"), ("J09", "评委壬", "群众代表"),
]
CRITERIA = [("party", 30), ("industry", 25), ("ecology", 15), ("culture", 15), ("governance", 15)]
FINAL_CRITERIA = [("content", 40), ("expression", 30), ("impression", 20), ("time", 10)]


def one_decimal(value: float, places: str = "0.1") -> str:
    return str(Decimal(repr(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP))


def marks_for(rng: random.Random, quality: float, bias: float, criteria: list[tuple[str, int]],
              places: str) -> dict[str, str]:
    out = {}
    for code, maximum in criteria:
        share = min(0.995, max(0.3, (quality + bias + rng.gauss(0, 2.0)) / 100))
        out[code] = one_decimal(maximum * share, places)
    return out


def main() -> None:
    rng = random.Random(20250527)
    (OUT / "final").mkdir(parents=True, exist_ok=True)

    organizations, quality = [], {}
    used_names: set[str] = set()
    for unit, _, count in TOWNSHIPS:
        for i in range(1, count + 1):
            while True:
                name = rng.choice(FIRST) + rng.choice(SECOND) + rng.choice(["嘎查", "嘎查", "村"])
                if name not in used_names:
                    used_names.add(name)
                    break
            code = f"{unit}-{i:02d}"
            secretary = rng.choice(SURNAMES) + rng.choice(GIVEN)
            organizations.append((code, name, unit, "村", "嘎查村", secretary))
            quality[code] = rng.uniform(72, 93)

    # two tracks (赛道, rulebook section 20): one township's seat is a community (社区), the rest are villages
    organizations = [(code, COMMUNITIES.get(code, name), unit, "社区" if code in COMMUNITIES else sector,
                      "社区" if code in COMMUNITIES else category, secretary,
                      "community" if code in COMMUNITIES else "village")
                     for code, name, unit, sector, category, secretary in organizations]
    township_officials = [(f"T-{unit[3:]}", f"{name}党委副书记", unit, f"{name}党委") for unit, name, _ in TOWNSHIPS]
    judges = [(c, n, "WS", a) for c, n, a in COUNTY_JUDGES] + township_officials
    bias = {j[0]: rng.gauss(0, 1.2) for j in judges}

    township_rules = parse_ruleset((OUT / "rules" / "township-2025.toml").read_text(encoding="utf-8"))
    scores, rounds, finalists = [], [], []
    for index, (unit, name, _) in enumerate(TOWNSHIPS):
        code = f"R-{unit[3:]}-2025-05"
        # 5 banner judges and 2 officials from the two next townships (cross-township panel)
        panel = [j[0] for j in COUNTY_JUDGES[index % 3: index % 3 + 5]]
        panel += [township_officials[(index + k) % len(TOWNSHIPS)][0] for k in (1, 2)]
        rounds.append((code, unit, name, panel))
        entrants = [o for o in organizations if o[2] == unit]
        sheets: dict[tuple[str, str], dict[str, str]] = {}
        for org in entrants:
            for judge in panel:
                sheets[(judge, org[0])] = marks_for(rng, quality[org[0]], bias[judge], CRITERIA, "0.1")
        if unit == "WS-TK":  # two villages with identical sheets: a shared rank (并列)
            a, b = entrants[3][0], entrants[4][0]
            for judge in panel:
                sheets[(judge, b)] = dict(sheets[(judge, a)])
        for (judge, org), marks in sheets.items():
            scores.append([code, judge, org] + [marks[c] for c, _ in CRITERIA])
        facts = RoundFacts(code, tuple(EntrantFact(o[0], o[1]) for o in entrants), tuple(
            SheetFact(j, o, {c: fraction(v) for c, v in m.items()}) for (j, o), m in sheets.items()))
        result = compute_round(township_rules, facts)
        finalists += [(e.entrant, unit) for e in result.entries if e.promotion == "promoted"]

    final_panel = [j[0] for j in COUNTY_JUDGES[:6]] + [t[0] for t in township_officials[:3]]
    home = {j[0]: j[2] for j in judges}
    final_scores, inputs = [], []
    for org, unit in finalists:
        for judge in final_panel:
            if home[judge] == unit:
                continue  # recused: a township official does not score the township's own village
            marks = marks_for(rng, quality[org] + 2, bias[judge], FINAL_CRITERIA, "0.01")
            final_scores.append([FINAL, judge, org] + [marks[c] for c, _ in FINAL_CRITERIA])
        inputs.append([FINAL, org, "daily", one_decimal(min(99.0, quality[org] + rng.uniform(-3, 6)))])
    overtime = finalists[5][0]

    write(OUT / "organizations.csv", ["org_code", "name", "unit_code", "sector", "category", "secretary", "track"],
          organizations, bom=True)
    write(OUT / "judges.csv", ["judge_code", "name", "home_unit_code", "affiliation"], judges)
    write(OUT / "scores.csv", ["round_code", "judge_code", "entrant_code"] + [c for c, _ in CRITERIA], scores)
    write(OUT / "final" / "scores.csv", ["round_code", "judge_code", "entrant_code"] + [c for c, _ in FINAL_CRITERIA],
          final_scores)
    write(OUT / "final" / "inputs.csv", ["round_code", "entrant_code", "component_code", "value"], inputs)
    write(OUT / "final" / "adjustments.csv", ["round_code", "entrant_code", "points", "reason"],
          [[FINAL, overtime, "-0.1", "述职超时 20 秒"]])
    (OUT / "contest.toml").write_text(contest_toml(rounds, final_panel), encoding="utf-8")
    print(f"{len(organizations)} organizations, {len(scores)} township sheets, {len(finalists)} finalists, "
          f"{len(final_scores)} final sheets -> {OUT}")


def write(path: Path, header: list[str], rows: list, bom: bool = False) -> None:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def contest_toml(rounds: list, final_panel: list[str]) -> str:
    lines = [
        "# ILLUSTRATIVE DATA (示例数据): the banner and townships are real names from the seed report;",
        "# every village, secretary, judge and mark is invented. Generated by examples/generate.py.",
        f'code = "{CONTEST}"',
        'title = "2025 乌审旗 嘎查村党组织书记 乡村振兴“比武争星”（示例数据）"',
        'levels = ["township", "county"]',
        'contact = "乌审旗委组织部（示例）：电话 0477-0000000，地址 嘎鲁图镇示例路 1 号；异议须实名并留联系方式"',
        "",
        "# 赛道 (rulebook section 20): villages and communities are ranked apart",
        "[[tracks]]", 'code = "village"', 'name = "嘎查村"',
        "",
        "[[tracks]]", 'code = "community"', 'name = "社区"',
        "",
        "[[units]]", 'code = "WS"', 'name = "乌审旗"', 'level = "county"',
    ]
    for unit, name, _ in TOWNSHIPS:
        lines += ["", "[[units]]", f'code = "{unit}"', f'name = "{name}"', 'level = "township"', 'parent = "WS"']
    for code, unit, name, panel in rounds:
        lines += ["", "[[rounds]]", f'code = "{code}"', 'level = "township"', f'unit = "{unit}"',
                  'period = "2025-05"', 'theme = "抓党建、促振兴、比先进、争一流"', 'form = "meeting"',
                  'rules = "township-2025"', "judges = [" + ", ".join(f'"{j}"' for j in panel) + "]",
                  'entrants = "unit"', f'promotes_to = "{FINAL}"']
    lines += ["", "[[rounds]]", f'code = "{FINAL}"', 'level = "county"', 'unit = "WS"', 'period = "2025-05"',
              'theme = "旗级“比武争星”擂台赛决赛"', 'form = "meeting"', 'rules = "county-final-2025"',
              "judges = [" + ", ".join(f'"{j}"' for j in final_panel) + "]", 'entrants = "promoted"', ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
