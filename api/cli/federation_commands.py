"""The ``leitai federation`` commands' declarations (run by api/cli/federation.py)."""

from __future__ import annotations

from api.cli.parser import JSON, ROUND, Command, arg

F = "api.cli.federation"
OUT = arg("--out", "-o", help=("写入文件（默认输出到屏幕）", "write to this file (default: print)"))


def federation_commands() -> list[Command]:
    return [
        Command(("federation",), "", ("市级联动：上级部署接收下级部署已定案轮次的结果（附证明）",
                                     "a city above its counties: admit other deployments' final results, with proof")),
        Command(("federation", "export"), f"{F}:cmd_export",
                ("（下级部署）导出已定案轮次的结果，附签名树头及包含证明，供上级离线核对",
                 "(a source deployment) export a final round's results with its signed head and inclusion proofs"),
                (ROUND, OUT)),
        Command(("federation", "add"), f"{F}:cmd_add",
                ("（上级部署）登记一个来源部署：其网址或导出文件，及其公钥", "(the city) register a source deployment: its URL "
                 "or an export of it, and its public key"),
                (arg("source", help=("来源部署的网址（https://…）或其导出文件", "the source's URL (https://…) or an export file")),
                 arg("--key", required=True, metavar="PUBKEY", help=("来源部署的公钥（其 leitai keys show 打印的验证公钥、"
                                                                     "64 位十六进制或 PEM 文件）", "the source's public key "
                                                                     "(the verifier key its leitai keys show prints, hex or PEM)")),
                 arg("--name", help=("来源名称，如“海阳县”（默认取日志名）", "its name, e.g. 海阳县 (default: from its log)")),
                 arg("--code", help=("来源代码，接收的组织代码以它开头，如 HY-O1（默认取日志名）",
                                     "its code, which admitted entrants' codes start with, e.g. HY-O1 (default: from its log)")),
                 arg("--witness", action="append", metavar="WITNESS_KEY",
                     help=("要求该见证方（验证公钥，类型 04）联署每个接收的树头，可多次", "require this witness's "
                           "cosignature (its key, type 04) on every head admitted; repeatable")),
                 arg("--quorum", type=int, metavar="K", help=("至少 K 个见证方联署（默认：全部 --witness）",
                                                              "at least K of the witnesses (default: all given)")),
                 arg("--reason", help=("理由（记录在案）", "the reason (recorded)")))),
        Command(("federation", "admit"), f"{F}:cmd_admit",
                ("（上级部署）核对来源轮次的签名、包含证明和一致性后，把其晋级组织（或前 N 名）接收到本部署的轮次；证明不成立则一概不接收",
                 "(the city) check a source round's signature, inclusion and consistency proofs, then admit its "
                 "promoted entrants (or its top N) into a round here; a refused proof admits nothing"),
                (arg("into", help=("本部署接收的轮次代码", "the round here that admits them")),
                 arg("--source", required=True, help=("来源代码（federation add 登记的）", "the source's code (from federation add)")),
                 arg("--export", metavar="FILE", help=("来源轮次的导出文件（federation export 生成）",
                                                       "the source round's export (made by federation export)")),
                 arg("--round", help=("来源轮次代码（来源以网址登记时，从其网址取导出）",
                                      "the source round (fetched from the source's URL)")),
                 arg("--top", type=int, metavar="N", help=("接收前 N 名（默认：来源轮次晋级的组织）",
                                                          "admit the top N (default: those the source round promoted)")),
                 arg("--consistency", metavar="FILE", help=("来源树头与此前所见树头之间的一致性证明（leitai prove consistency 生成；"
                                                            "从网址接收时自动获取）", "the consistency proof between the "
                                                            "source's head and the one seen before (fetched when admitting from a URL)")))),
        Command(("federation", "verify"), f"{F}:cmd_verify",
                ("离线重新核对每次接收（签名、包含证明、一致性），不需联网", "check every admission again, offline (no network)"),
                (JSON,)),
        Command(("federation", "list"), f"{F}:cmd_list", ("列出来源部署和接收记录", "list the source deployments and admissions"),
                (JSON,)),
        Command(("federation", "status"), f"{F}:cmd_status",
                ("省级看板：读取每个来源部署的签名摘要（按县、按赛道的星级），指出过期或无法访问的",
                 "the province dashboard: each source's signed summary (stars per county and per track); says which "
                 "are stale or unreachable"),
                (arg("--stale-after", type=float, default=24.0, metavar="HOURS",
                     help=("超过多少小时视为过期（默认 24）", "hours after which a summary is stale (default 24)")), JSON)),
    ]
