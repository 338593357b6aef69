"""``toolkit rollup OUT DIR...``: many campaigns of one template, combined with DuckDB.

Each campaign is read from its Parquet export (DIR/out/parquet/, written by
:func:`toolkit.scale.export.export_parquet` first when it is missing or older than the
campaign's CSV outputs). DuckDB reads those files where they lie and computes:

- ``campaigns``: one row per campaign (its key, folder, name, year, template id and version);
- ``totals``: per campaign, per group (across campaigns) and overall: units per state, return
  rate, sums of the template's numeric fields and its summary rates. As in the campaign's own
  totals, only valid returns count (state ``accepted``; never a faulty unit's values), a unit
  with several returns counts its newest, and a rate is sum(numerator) / sum(denominator) over
  the units that reported both;
- ``ranks``: every unit a campaign ranked, ranked again across all campaigns (competition ranks,
  vetoed units after the others), overall and within its group;
- ``grades``: grade counts and shares per campaign and overall;
- ``missing``: who has not returned a usable return, where (missing, unusable, review);
- ``duplicates``: a unit code found in more than one campaign, one row per campaign. Units are
  always keyed by (campaign, unit_code), so two such units are never merged into one; the
  overall figures count each in its own campaign, and the roll-up says so wherever it shows them.

Campaigns of different templates or template versions are refused, naming both.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..campaign.folder import load_campaign
from ..errors import ConfigError
from ..i18n import Msg, define, pick, t
from ..model import UnitState
from ..report.sections import GRADE_ORDER
from . import require
from .export import TABLES, export_parquet, parquet_dir

__all__ = ["CampaignSource", "Rollup", "find_campaigns", "roll_up", "ROLLUP_TABLES", "NOT_RETURNED"]

ROLLUP_TABLES = ("campaigns", "totals", "ranks", "grades", "missing", "duplicates")
NOT_RETURNED = tuple(str(s) for s in (UnitState.MISSING, UnitState.UNUSABLE, UnitState.REVIEW))  # spliced into SQL
_COUNTS = ("units", "accepted", "faulty", "missing", "returned")


@dataclass
class CampaignSource:
    key: str  # how the roll-up names the campaign: its folder name (with its parent when two share one)
    folder: Path
    tables: Path


@dataclass
class Rollup:
    con: object  # the DuckDB connection holding every table
    sources: list[CampaignSource]
    template: tuple[str, str, str]  # id, version, title
    metrics: list[dict]
    counts: dict[str, int] = field(default_factory=dict)

    def rows(self, table: str) -> list[dict]:
        cur = self.con.execute(f"SELECT * FROM {table}")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]


def find_campaigns(patterns: list[str]) -> list[Path]:
    """Campaign folders from folders and glob patterns, in the order given, each once."""
    found: list[Path] = []
    for pattern in patterns:
        hits = [Path(pattern)] if Path(pattern).exists() else [Path(p) for p in sorted(glob.glob(pattern))]
        if not hits:
            raise ConfigError(Msg("scale.no_folder", {"pattern": pattern}))
        for hit in hits:
            if not (hit / "campaign.yaml").is_file():
                raise ConfigError(Msg("scale.not_campaign", {"folder": hit}))
            if hit.resolve() not in {f.resolve() for f in found}:
                found.append(hit)
    if not found:
        raise ConfigError(Msg("scale.no_campaigns"))
    return found


def _sources(folders: list[Path]) -> list[CampaignSource]:
    names = [f.resolve().name for f in folders]
    out = []
    for folder, name in zip(folders, names):
        key = name if names.count(name) == 1 else f"{folder.resolve().parent.name}/{name}"
        out.append(CampaignSource(key, folder, folder / "out" / "parquet"))
    return out


def _exported(folder: Path) -> Path:
    """The campaign's Parquet tables, exported again when missing or older than its CSV outputs."""
    tables = folder / "out" / "parquet"
    marks = [tables / f"{t}.parquet" for t in TABLES]
    csvs = [p for p in (folder / "out").glob("*.csv")]
    if all(m.is_file() for m in marks):
        oldest = min(m.stat().st_mtime for m in marks)
        if all(c.stat().st_mtime <= oldest for c in csvs):
            return tables
    return parquet_dir(_exporting(folder))


def _exporting(folder: Path):
    campaign = load_campaign(folder)
    export_parquet(campaign)
    return campaign


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _load(con, sources: list[CampaignSource]) -> None:
    """One view per table: every campaign's file with its key in front (DuckDB reads them in place)."""
    for table in TABLES:
        parts = [f"SELECT {_sql_path(Path(s.key))} AS campaign, * FROM read_parquet({_sql_path(s.tables / f'{table}.parquet')})"
                 for s in sources]
        con.execute(f'CREATE VIEW "{table}_all" AS ' + " UNION ALL BY NAME ".join(parts))


def _check_templates(con, sources: list[CampaignSource]) -> tuple[str, str, str]:
    rows = con.execute("SELECT campaign, campaign_name, template_id, template_version, template_title "
                       "FROM campaign_all").fetchall()
    first = rows[0]
    for row in rows[1:]:
        if (row[2], row[3]) != (first[2], first[3]):
            a, b = (Msg("scale.campaign", {"key": r[0], "name": r[1], "template": r[2], "version": r[3]}) for r in (first, row))
            raise ConfigError(Msg("scale.mixed_templates", {"a": a, "b": b}))
    return first[2], first[3], first[4]


def roll_up(patterns: list[str], lang: str = "zh") -> Rollup:
    """Read the campaigns and compute every roll-up table in an in-memory DuckDB."""
    duckdb = require("duckdb")
    require("pyarrow")
    folders = find_campaigns(patterns)
    sources = _sources(folders)
    for source in sources:
        source.tables = _exported(source.folder)
    con = duckdb.connect()
    _load(con, sources)
    con.execute("CREATE TEMP TABLE campaign_order (campaign VARCHAR, position INTEGER)")
    con.executemany("INSERT INTO campaign_order VALUES (?, ?)", [(s.key, n) for n, s in enumerate(sources)])
    template = _check_templates(con, sources)
    metrics = [dict(zip(("key", "kind", "label", "numerator", "denominator"), r)) for r in con.execute(
        f"SELECT key, kind, {pick(('label', 'label_en'), lang)}, numerator, denominator FROM metrics_all "
        f"WHERE campaign = ? ORDER BY position", [sources[0].key]).fetchall()]
    up = Rollup(con, sources, template, metrics)
    _campaigns(con)
    _totals(con, metrics, lang)
    _ranks(con)
    _grades(con)
    _missing(con)
    _duplicates(con)
    up.counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ROLLUP_TABLES}
    return up


def _campaigns(con) -> None:
    con.execute("""CREATE TABLE campaigns AS
        SELECT c.campaign, c.campaign_name, c.year, c.template_id, c.template_version, c.units,
               coalesce(s.accepted, 0)::INTEGER AS accepted
        FROM campaign_all c LEFT JOIN (SELECT campaign, count_if(state = 'accepted') AS accepted
                                       FROM status_all GROUP BY campaign) s USING (campaign)
        JOIN campaign_order o USING (campaign) ORDER BY o.position""")


# The three levels of every total, from one GROUP BY: per campaign, per group, overall.
_LEVEL = """CASE WHEN GROUPING(campaign) = 0 THEN 'campaign' WHEN GROUPING("group") = 0 THEN 'group'
            ELSE 'all' END"""
_SETS = 'GROUPING SETS ((campaign), ("group"), ())'


def _totals(con, metrics: list[dict], lang: str) -> None:
    """Long form: level, campaign, group, key, metric (its label), value."""
    con.execute(f"""CREATE TEMP TABLE counts AS SELECT {_LEVEL} AS level, campaign, "group",
            count(*) AS units, count_if(state = 'accepted') AS accepted, count_if(state = 'faulty') AS faulty,
            count_if(state IN {NOT_RETURNED}) AS missing, count_if(state IN ('accepted', 'faulty')) AS returned
        FROM status_all GROUP BY {_SETS}""")
    # A valid return's single values: what the campaign's own totals add up.
    con.execute("""CREATE TEMP TABLE valid AS SELECT s.campaign, s."group", s.unit_code, v.field, v.number
        FROM status_all s JOIN values_all v ON v.campaign = s.campaign AND v.unit_code = s.unit_code
        WHERE s.state = 'accepted' AND v.current AND v.row IS NULL AND v.number IS NOT NULL""")
    labels = _count_labels(lang)
    rows = [f"SELECT level, campaign, \"group\", '{k}' AS key, '{labels[k]}' AS metric, {k}::DOUBLE AS value, "
            f"{n} AS position FROM counts" for n, k in enumerate(_COUNTS)]
    rows.append(f"SELECT level, campaign, \"group\", 'return_rate', '{labels['return_rate']}', "
                f"returned / nullif(units, 0), {len(_COUNTS)} FROM counts")
    con.execute("CREATE TEMP TABLE labels (key VARCHAR, kind VARCHAR, metric VARCHAR, numerator VARCHAR, "
                "denominator VARCHAR, position INTEGER)")
    con.executemany("INSERT INTO labels VALUES (?, ?, ?, ?, ?, ?)",
                    [(m["key"], m["kind"], m["label"], m["numerator"], m["denominator"], 10 + n)
                     for n, m in enumerate(metrics)])
    rows.append(f"""SELECT {_LEVEL}, campaign, "group", l.key, any_value(l.metric), sum(v.number),
            any_value(l.position)
        FROM valid v JOIN labels l ON l.kind = 'sum' AND l.key = v.field GROUP BY {_SETS}, l.key""")
    rows.append(f"""SELECT {_LEVEL}, campaign, "group", key, any_value(metric), sum(num) / nullif(sum(den), 0),
            any_value(position)
        FROM (SELECT n.campaign, n."group", l.key, l.metric, l.position, n.number AS num, d.number AS den
              FROM labels l JOIN valid n ON l.kind = 'rate' AND n.field = l.numerator
              JOIN valid d ON d.campaign = n.campaign AND d.unit_code = n.unit_code AND d.field = l.denominator)
        GROUP BY {_SETS}, key""")
    con.execute("CREATE TABLE totals AS SELECT level, campaign, \"group\", key, metric, value FROM ("
                + " UNION ALL ".join(rows) + ") t LEFT JOIN campaign_order o USING (campaign) ORDER BY CASE level "
                "WHEN 'campaign' THEN 0 WHEN 'group' THEN 1 ELSE 2 END, o.position, \"group\", t.position")


define("rollup.count", {
    "units": ("单位数", "units"), "accepted": ("合格", "accepted"), "faulty": ("需退回修改", "faulty (to correct)"),
    "missing": ("未报送", "not returned"), "returned": ("已报送", "returned"), "return_rate": ("报送率", "return rate"),
})


def _count_labels(lang: str) -> dict[str, str]:
    return {key: t(f"rollup.count.{key}", lang) for key in ("units", "accepted", "faulty", "missing", "returned", "return_rate")}


def _ranks(con) -> None:
    con.execute("""CREATE TABLE ranks AS SELECT
            rank() OVER (ORDER BY coalesce(vetoed, false), total DESC) AS rank,
            rank() OVER (PARTITION BY "group" ORDER BY coalesce(vetoed, false), total DESC) AS group_rank,
            campaign, unit_code, unit_name, "group", total, coalesce(vetoed, false) AS vetoed, grade,
            rank AS campaign_rank, state
        FROM scores_all JOIN campaign_order o USING (campaign) WHERE rank IS NOT NULL AND total IS NOT NULL
        ORDER BY rank, o.position, unit_code""")


def _grades(con) -> None:
    order = ", ".join("'" + g + "'" for g in GRADE_ORDER)
    con.execute(f"""CREATE TABLE grades AS SELECT g.* FROM (SELECT
            CASE WHEN GROUPING(campaign) = 0 THEN 'campaign' ELSE 'all' END AS level, campaign, grade,
            count(*) AS units, count(*) / sum(count(*)) OVER (PARTITION BY GROUPING(campaign), campaign) AS share
        FROM scores_all WHERE grade IS NOT NULL AND grade <> '' AND rank IS NOT NULL
        GROUP BY GROUPING SETS ((campaign, grade), (grade))) g LEFT JOIN campaign_order o USING (campaign)
        ORDER BY g.level = 'all', o.position, coalesce(list_position([{order}], g.grade), 99), g.grade""")


def _missing(con) -> None:
    con.execute(f"""CREATE TABLE missing AS SELECT campaign, unit_code, unit_name, "group", state, contact, phone
        FROM status_all JOIN campaign_order o USING (campaign) WHERE state IN {NOT_RETURNED}
        ORDER BY o.position, "group", unit_code""")


def _duplicates(con) -> None:
    con.execute("""CREATE TABLE duplicates AS SELECT unit_code, campaign, unit_name, "group", state
        FROM status_all JOIN campaign_order o USING (campaign)
        WHERE unit_code IN (SELECT unit_code FROM status_all GROUP BY unit_code HAVING count(DISTINCT campaign) > 1)
        ORDER BY unit_code, o.position""")


def write_tables(up: Rollup, out: Path) -> Path:
    """OUT/rollup.parquet/: a folder holding one Parquet file per roll-up table."""
    folder = out / "rollup.parquet"
    folder.mkdir(parents=True, exist_ok=True)
    for table in ROLLUP_TABLES:
        target = folder / f"{table}.parquet"
        tmp = folder / f"{table}.parquet.part"
        up.con.execute(f"COPY {table} TO {_sql_path(tmp)} (FORMAT parquet)")
        os.replace(tmp, target)
    return folder
