"""Conflation quality of the Bulgarian stemmers on grammar-built lemma groups.

Each lemma group of ``benchmarks/data/lemma_groups.tsv`` is expanded into its
inflected forms by the paradigm rules below (articles, plurals, counted forms,
present/aorist/imperfect, participles, imperatives). A stemmer is then scored:

* recall (per part of speech): of all pairs of different forms of one lemma,
  the share that get the same stem;
* precision: of all pairs of forms that get the same stem, the share that
  belong to one lemma. Pairs of *identical* forms of two lemmas (homographs,
  e.g. «цели» of цел and of цял) are left out: no stemmer can separate them.

Run with ``python -m benchmarks.stemming_eval [--show-misses N]``; prints a table
and writes ``benchmarks/results/stemming.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from index.stemmer import lemma_stem, savoy_stem, simplemma_available, stem

DATA = Path(__file__).parent / "data" / "lemma_groups.tsv"
RESULTS = Path(__file__).parent / "results" / "stemming.json"
POS_NAMES = {"N": "nouns", "A": "adjectives", "V": "verbs"}


@dataclass(frozen=True)
class Group:
    """One lemma with all its forms."""

    pos: str
    lemma: str
    forms: tuple[str, ...]


# ------------------------------------------------------------------ paradigms


def _plural_article(pl: str) -> str:
    """Plural + definite article: -те after -и/-е, -та after -а/-я."""
    return pl + ("та" if pl.endswith(("а", "я")) else "те")


def expand_noun(lemma: str, f: dict[str, str]) -> list[str]:
    """Singular, definite singular (both masc. forms), plural, definite plural."""
    g = f["g"]
    forms = [lemma]
    if g == "m":
        if lemma.endswith("й"):
            root, soft = lemma[:-1], True
        else:
            root, soft = f.get("def", lemma), "soft" in f
        forms += [root + "я", root + "ят"] if soft else [root + "а", root + "ът"]
        pl = f.get("pl") or (lemma[:-1] + "и" if lemma.endswith("й") else lemma + "и")
    elif g == "f":
        forms.append(lemma + "та")
        pl = f.get("pl") or (lemma[:-1] + "и" if lemma.endswith(("а", "я")) else lemma + "и")
    else:
        forms.append(lemma + "то")
        if "pl" in f:
            pl = f["pl"]
        elif lemma.endswith("о"):
            pl = lemma[:-1] + "а"
        elif lemma.endswith("ие"):
            pl = lemma[:-1] + "я"
        else:
            pl = lemma[:-1] + "ия"
    forms += [pl, _plural_article(pl)]
    return forms


def expand_adjective(lemma: str, f: dict[str, str]) -> list[str]:
    """Masc./fem./neut./plural, each indefinite and definite (masc. both forms)."""
    st = f["stem"]
    pst = f.get("plstem", st)
    return [
        lemma,
        pst + "ия",
        pst + "ият",
        st + "а",
        st + "ата",
        st + "о",
        st + "ото",
        pst + "и",
        pst + "ите",
    ]


def _present(st: str, cls: str) -> list[str]:
    """Present tense, six persons, for the three conjugations."""
    after_vowel = st[-1] in "аеиоуъюя"
    if cls == "3":
        return [st + "м", st + "ш", st, st + "ме", st + "те", st + "т"]
    hard = st[-1] in "жчш"
    if cls == "1":
        first, third = ("я", "ят") if after_vowel else ("а", "ат")
        return [st + first, st + "еш", st + "е", st + "ем", st + "ете", st + third]
    first, third = ("а", "ат") if hard else ("я", "ят")
    return [st + first, st + "иш", st + "и", st + "им", st + "ите", st + third]


def _past(spec: str, third_suffix: str) -> list[str]:
    """Aorist (third_suffix '') or imperfect (third_suffix 'ше'), six persons."""
    st, _, alt = spec.partition("/")
    third = (alt or st) + third_suffix
    return [st + "х", third, third, st + "хме", st + "хте", st + "ха"]


def expand_verb(lemma: str, f: dict[str, str]) -> list[str]:
    """Present, aorist, imperfect, l-participle, passive participle, imperative."""
    forms = [lemma]
    if "pr" in f:
        st, cls = f["pr"].split(":")
        forms += _present(st, cls)
    if "ao" in f:
        forms += _past(f["ao"], "")
    if "ip" in f:
        forms += _past(f["ip"], "ше")
    if "lp" in f:
        lp, _, lpl = f["lp"].partition("/")
        forms += [lp, lp + "а", lp + "о", lpl or lp + "и"]
    if "pp" in f:
        pp = f["pp"]
        forms += [pp, pp + "а", pp + "о", pp + "и"]
    if "im" in f:
        forms += f["im"].split("/")
    return forms


EXPANDERS: dict[str, Callable[[str, dict[str, str]], list[str]]] = {
    "N": expand_noun,
    "A": expand_adjective,
    "V": expand_verb,
}


def _fields(cols: Iterable[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for col in cols:
        key, sep, value = col.partition("=")
        out[key] = value if sep else "1"
    return out


def load_groups(path: Path = DATA) -> list[Group]:
    """Parse the TSV and expand every paradigm; forms are deduplicated."""
    groups = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pos, lemma, *rest = line.split("\t")
        f = _fields(rest)
        forms = EXPANDERS[pos](lemma, f) + f.get("forms", "").split()
        for form in forms:
            if not all("\u0400" <= ch <= "\u04ff" or ch == "-" for ch in form):
                raise ValueError(f"non-Cyrillic letter in {form!r} ({lemma})")
        groups.append(Group(pos, lemma, tuple(dict.fromkeys(forms))))
    return groups


# ------------------------------------------------------------------- scoring


def score(groups: list[Group], stemmer: Callable[[str], str]) -> dict[str, object]:
    """Pairwise recall per POS, precision over merged pairs, and the misses."""
    recall_hits: dict[str, int] = defaultdict(int)
    recall_all: dict[str, int] = defaultdict(int)
    misses = []
    by_stem: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for gi, g in enumerate(groups):
        stems = {form: stemmer(form) for form in g.forms}
        for a, b in combinations(g.forms, 2):
            recall_all[g.pos] += 1
            recall_hits[g.pos] += stems[a] == stems[b]
        distinct = sorted(set(stems.values()))
        if len(distinct) > 1:
            misses.append((g.lemma, distinct))
        for form, s in stems.items():
            by_stem[s].append((gi, form))

    merged = wrong = homographs = 0
    wrong_examples = []
    for s, members in by_stem.items():
        for (ga, fa), (gb, fb) in combinations(members, 2):
            if ga != gb and fa == fb:
                homographs += 1
                continue
            merged += 1
            if ga != gb:
                wrong += 1
                if len(wrong_examples) < 40:
                    wrong_examples.append((s, groups[ga].lemma, groups[gb].lemma))

    recall = {POS_NAMES[p]: round(recall_hits[p] / recall_all[p], 4) for p in sorted(recall_all)}
    total_hits, total_all = sum(recall_hits.values()), sum(recall_all.values())
    overall = total_hits / total_all
    precision = (merged - wrong) / merged if merged else 1.0
    f1 = 2 * precision * overall / (precision + overall)
    return {
        "recall": recall,
        "recall_all": round(overall, 4),
        "precision": round(precision, 4),
        "f1": round(f1, 4),
        "merged_pairs": merged,
        "wrong_pairs": wrong,
        "homograph_pairs_ignored": homographs,
        "misses": misses,
        "wrong_examples": wrong_examples,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show-misses", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)

    groups = load_groups()
    counts = defaultdict(int)
    for g in groups:
        counts[POS_NAMES[g.pos]] += 1
    n_forms = sum(len(g.forms) for g in groups)

    stemmers: dict[str, Callable[[str], str]] = {
        "savoy (Lucene rules)": savoy_stem,
        "light stemmer (extended)": stem,
    }
    if simplemma_available():
        stemmers["simplemma + light stemmer"] = lemma_stem

    results = {}
    for name, fn in stemmers.items():
        t0 = time.perf_counter()
        res = score(groups, fn)
        res["seconds"] = round(time.perf_counter() - t0, 3)
        results[name] = res

    print(f"{len(groups)} lemma groups ({dict(counts)}), {n_forms} forms")
    header = f"{'stemmer':28} {'nouns':>7} {'adj':>7} {'verbs':>7} {'all':>7} {'prec':>7} {'F1':>7}"
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        rec = r["recall"]
        print(
            f"{name:28} {rec['nouns']:7.3f} {rec['adjectives']:7.3f} {rec['verbs']:7.3f} "
            f"{r['recall_all']:7.3f} {r['precision']:7.3f} {r['f1']:7.3f}"
        )
    if not simplemma_available():
        print("(simplemma not installed: lemmatizer stage not measured)")

    if args.show_misses:
        for name, r in results.items():
            print(f"\n== {name}: groups split ({len(r['misses'])})")
            for lemma, stems in r["misses"][: args.show_misses]:
                print(f"  {lemma}: {' '.join(stems)}")
            print(f"== {name}: wrong merges ({r['wrong_pairs']})")
            for s, a, b in r["wrong_examples"][: args.show_misses]:
                print(f"  {s}: {a} / {b}")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "groups": len(groups),
        "groups_by_pos": dict(counts),
        "forms": n_forms,
        "stemmers": {
            name: {k: v for k, v in r.items() if k not in ("misses", "wrong_examples")}
            | {"split_groups": len(r["misses"])}
            for name, r in results.items()
        },
    }
    RESULTS.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(
        f"\nsaved {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
