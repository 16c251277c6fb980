"""How rules/eval/urgency_extra.csv was chosen (docs/labelling-protocol.md section 6); prints its id columns.

Run from the repository root: `python rules/eval/urgency_extra_select.py [DATA_DIR] > ids.csv`. Deterministic: every
choice is "lowest SHA-256 hash first". Prints ids only, never tweet text. The search words are a selection aid
for finding critical matters, biased on purpose; the labels were given by reading each tweet.
"""

from __future__ import annotations

import csv
import hashlib
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from rules.data import DEFAULT_DATA_DIR  # noqa: E402
from rules.text import alnum_key, norm_key  # noqa: E402

HERE = Path(__file__).resolve().parent
Candidate = tuple[str, str, int, str, str]  # source, source_file, row, id, text

STRONG = re.compile(
    r"\b("
    r"injur\w*|hurt|hospital|hospitali[sz]ed|ambulance|paramedic\w*|medic(al|ine|ation)s?"
    r"|insulin|allerg\w*|epi-?pen|asthma\w*|seizure\w*|diabet\w*|pregnan\w*|disab\w*"
    r"|wheel ?chairs?|blind|deaf|elderly|autis\w*|cancer|chemo\w*|vomit\w*|food poisoning"
    r"|poison\w*|bleed\w*|concussion|bruis\w*|stitches|unsafe|safety|dangerous|smoke|fumes"
    r"|police|stolen|steal\w*|stole|theft|thie(f|ves)|hack(ed|er|ers)?|fraud\w*|scam\w*|phishing"
    r"|unauthori[sz]ed|identity theft|lawyer\w*|attorney\w*|sue|suing|lawsuit|legal action"
    r"|dot complaint|faa|discriminat\w*|racis\w*|harass\w*|assault\w*|threat\w*|abus\w*"
    r"|unaccompanied|bereave\w*|funeral|died|passed away|service (dog|animal)|oxygen|breach\w*"
    r"|personal (info\w*|data|details)|privacy|mold|cockroach\w*|bed ?bugs?|sexual\w*|attacked"
    r"|violen\w*|stalk\w*|suicid\w*|heart attack|surgery|dehydrat\w*|faint\w*|passed out"
    r"|unconscious|emergency"
    r")\b",
    re.I,
)
WEAK = re.compile(
    r"\b("
    r"hurt|sick|ill|fever|baby|infant|toddler|newborn|minor|alone|crying|terrified|scared"
    r"|grand(ma|mother|pa|father)|\d\d[- ]?y(ea)?r[- ]?old|fire|glass|knife|blood|burn(ed|t|s)?"
    r"|fell|fall|drunk|dead|death|dying|legal|court|bbb|news|media|ceo|regulator|ombudsman"
    r"|consumer protection|small claims|compensation claim|stranded with|rat|mice|exposed"
    r")\b",
    re.I,
)
TIGHT = re.compile(
    r"\b("
    r"injur\w*|hurt (my|his|her)|hospital|hospitali[sz]ed|ambulance|paramedic\w*|insulin"
    r"|allergic|allergies|epi-?pen|asthma\w*|seizure\w*|diabetic|wheel ?chairs?|elderly"
    r"|food poisoning|poison\w*|bleed\w*|concussion|bruis\w*|unsafe|dangerous|fumes|police"
    r"|hack(ed|er|ers)?|fraud\w*|phishing|unauthori[sz]ed|identity theft|lawyer\w*|attorney\w*"
    r"|sue|suing|lawsuit|legal action|discriminat\w*|racis\w*|harass\w*|assault\w*|threaten\w*"
    r"|unaccompanied|bereave\w*|funeral|passed away|service (dog|animal)|oxygen|breach\w*"
    r"|personal (info\w*|data|details)|mold|cockroach\w*|bed ?bugs?|sexual\w*|attacked|stalk\w*"
    r"|suicid\w*|heart attack|surgery|dehydrat\w*|faint\w*|passed out|unconscious|disabled"
    r"|disability|blind|deaf|cancer|pregnant"
    r")\b",
    re.I,
)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def pool(data: Path) -> list[Candidate]:
    """Brand-directed customer tweets of the four hand3k pools, minus every hand3k row, every tweet of a hand3k
    thread (twacs, ibm2020 conversations, tweetsumm dialogs, twacs threads rooted at a hand3k TWCS tweet), the
    older labelled sets, and repeated normalised texts."""
    ids = _read(HERE / "hand3k_ids.csv")
    threads: dict[str, set[str]] = {"twacs": set(), "ibm2020": set(), "tweetsumm": set()}
    rows = {(r["source_file"], int(r["row"])) for r in ids}
    for r in ids:
        if r["source"] in threads:
            threads[r["source"]].add(r["id"].split(":")[0])
    twcs_ids = {r["id"] for r in ids if r["source"] in ("twcs_random", "twcs_head5000")}
    old = {r["tweet_id"] for r in _read(HERE / "twcs_dev_labels.csv")}
    old |= {r["tweet_id"] for r in _read(HERE / "twcs_labels_2.csv")}
    seen: set[str] = set()
    files: dict[str, list[dict[str, str]]] = {}
    for r in ids:
        text = files.setdefault(r["source_file"], _read(data / r["source_file"]))[int(r["row"]) - 1]["text"]
        seen.add(norm_key(text))
        if len(alnum_key(text)) >= 15:
            seen.add(alnum_key(text))
    for r in _read(data / "customer_support_twitter_sample/twcs_head5000.csv"):
        if r["tweet_id"] in old:
            seen.add(norm_key(r["text"]))
    out: list[Candidate] = []

    def add(source: str, file: str, row: int, id_: str, text: str) -> None:
        key = norm_key(text)
        if not key or key in seen or (len(alnum_key(text)) >= 15 and alnum_key(text) in seen):
            return
        seen.add(key)
        out.append((source, file, row, id_, text))

    file = "twcs_more_slices/twcs_random_sample_5000.csv"
    for i, r in enumerate(_read(data / file), 1):
        if r["inbound"] != "True" or (file, i) in rows or r["tweet_id"] in old:
            continue
        if re.search(r"@[A-Za-z]", r["text"]) or not r["in_response_to_tweet_id"]:
            add("twcs_random", file, i, r["tweet_id"], r["text"])
    file = "twcs_more_slices/tweetsumm_dialog_tweets.csv"
    for i, r in enumerate(_read(data / file), 1):
        if r["role"] == "customer" and (file, i) not in rows and r["dialog_key"] not in threads["tweetsumm"]:
            add("tweetsumm", file, i, f"{r['dialog_key']}:{r['turn_index']}", r["text"])
    file = "ibm_twitter_customer_care_2020/turns.csv"
    for i, r in enumerate(_read(data / file), 1):
        if r["role"] == "customer" and (file, i) not in rows and r["conversation_id"] not in threads["ibm2020"]:
            add("ibm2020", file, i, f"{r['conversation_id']}:{r['turn_index']}", r["text"])
    file = "twacs_airline_support_twcs/customer_turns.csv"
    for i, r in enumerate(_read(data / file), 1):
        if (file, i) not in rows and r["conversation_id"] not in threads["twacs"]:
            add("twacs", file, i, f"{r['conversation_id']}:{r['turn_index']}", r["text"])
    return [c for c in out if not (c[0] == "twacs" and c[3].split(":")[0] in twcs_ids)]


def _hash(step: str, c: Candidate) -> str:
    return hashlib.sha256(f"urgency400-2026|{step}|{c[0]}|{c[2]}".encode()).hexdigest()


def _lowest(rows: list[Candidate], step: str, n: int) -> list[Candidate]:
    return sorted(rows, key=lambda c: _hash(step, c))[:n]


def choose(candidates: list[Candidate]) -> list[tuple[Candidate, str]]:
    """(candidate, stratum) in labelling order: the first 430 in one seeded order, then 110 more."""
    strong = [c for c in candidates if STRONG.search(c[4])]
    weak = [c for c in candidates if not STRONG.search(c[4]) and WEAK.search(c[4])]
    rest = [c for c in candidates if not STRONG.search(c[4]) and not WEAK.search(c[4])]
    first = [(c, "search_strong") for c in _lowest([c for c in strong if c[0] != "twacs"], "strong_other", 60)]
    first += [(c, "search_strong") for c in _lowest([c for c in strong if c[0] == "twacs"], "strong_twacs", 190)]
    first += [(c, "search_weak") for c in _lowest(weak, "weak", 70)]
    for source, n in (("twacs", 70), ("twcs_random", 15), ("tweetsumm", 15), ("ibm2020", 10)):
        first += [(c, "random") for c in _lowest([c for c in rest if c[0] == source], "random_" + source, n)]
    first.sort(key=lambda pair: _hash("order", pair[0]))
    taken = {(c[0], c[2]) for c, _ in first}
    tight = [c for c in candidates if (c[0], c[2]) not in taken and TIGHT.search(c[4])]
    more = sorted(_lowest(tight, "tight", 110), key=lambda c: _hash("order", c))
    return first + [(c, "search_tight") for c in more]


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA_DIR
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["order", "source", "source_file", "row", "id", "stratum"])
    for order, (c, stratum) in enumerate(choose(pool(data)), 1):
        writer.writerow([order, c[0], c[1], c[2], c[3], stratum])


if __name__ == "__main__":
    main()
