"""Big-site history: does a big site's list stay fast after a year of scans?

Loads one site with 2,000 workers over 250 working days (≈ 1 million scan events and 500,000
attendance days) plus 50 other sites into a private PostgreSQL with COPY, then times the daily list
for one day, the period report for a month, the presence query and the daily PDF, and writes the
query plans (EXPLAIN ANALYZE) into bench/README.md.

    .venv/bin/python bench/bigsite.py              # the full size (~2 minutes to load)
    .venv/bin/python bench/bigsite.py --small      # a quick dry run
"""
import argparse
import gc
import os
import random
import statistics
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import date, datetime, time as dtime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from psycopg.types.json import Json  # noqa: E402
from sqlalchemy import JSON, event, text  # noqa: E402

from bench import harness  # noqa: E402

OSLO = ZoneInfo("Europe/Oslo")
LISTS_INDEX = "lists index (weekdays checked)"  # no target of its own: a daily list per checked day shown
TARGETS_MS = {"daily list": 100, "period (month)": 500, "presence (web)": 20, "presence (kiosk API)": 20,
              "daily PDF": 1000}  # the PDF target is the reports issue's: ≤ 1 s for 2,000 people
PLANS_START, PLANS_END = "<!-- bigsite-plans:start -->", "<!-- bigsite-plans:end -->"


# --- generating the history ----------------------------------------------------------------------

def working_days(last: date, count: int) -> list[date]:
    """`count` weekdays ending with `last` (or the weekday before it), oldest first."""
    days, day = [], last
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return days[::-1]


def org_number(n: int) -> str:
    from app.domain.orgnr import check_digit

    while True:
        digits = f"{80000000 + n * 37:08d}"
        if check_digit(digits) is not None:
            return digits + str(check_digit(digits))
        n += 100000


def at_local(day: date, minutes_after_midnight: int) -> datetime:
    local = datetime.combine(day, dtime(0, 0), OSLO) + timedelta(minutes=minutes_after_midnight)
    return local.astimezone(timezone.utc)


class Loader:
    """Writes rows with COPY, filling every column the generator does not know from its model default."""

    def __init__(self, connection, metadata):
        self.connection, self.metadata = connection, metadata
        self.counts = {}

    def copy(self, table_name: str, rows) -> None:
        table = self.metadata.tables[table_name]
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return
        given = list(first)
        missing = self._defaults(table, given)
        columns = given + list(missing)
        json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
        extra = tuple(missing.values())
        wrap = [i for i, name in enumerate(given) if name in json_columns]
        count = 0
        with self.connection.cursor() as cursor:
            with cursor.copy(f"COPY {table_name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in _chain(first, rows):
                    values = list(row.values())
                    for i in wrap:
                        values[i] = Json(values[i])
                    copy.write_row((*values, *extra))
                    count += 1
        self.counts[table_name] = self.counts.get(table_name, 0) + count

    @staticmethod
    def _defaults(table, given) -> dict:
        values = {}
        for column in table.columns:
            if column.name in given or (column.primary_key and column.autoincrement is not False
                                        and column.name == "id"):
                continue
            default = column.default
            if default is None:
                if not column.nullable and column.server_default is None:
                    raise SystemExit(f"bigsite: {table.name}.{column.name} is required and has no default; "
                                     "teach bench/bigsite.py about it")
                if column.server_default is not None:
                    continue
                value = None
            elif default.is_callable:
                value = default.arg(None)
            else:
                value = default.arg
            values[column.name] = Json(value) if isinstance(column.type, JSON) else value
        return values


def _chain(first, rest):
    yield first
    yield from rest


def generate(loader: Loader, *, workers: int, days: list[date], other_sites: int,
             other_workers: int, now: datetime, seed: int = 8) -> dict:
    """Sites, companies, people, cards, kiosks, then the attendance days and two scans per day."""
    rng = random.Random(seed)
    loader.copy("builder", [{"id": 1, "name": "Statsbygg Bench", "org_number": org_number(1)}])
    site_ids = list(range(1, other_sites + 2))
    loader.copy("site", ({"id": s, "name": f"Byggeplass {s}", "street": f"Testveien {s}",
                          "postcode": "0150", "city": "Oslo", "builder_id": 1,
                          "start_date": days[0] - timedelta(days=30), "status": "active"}
                         for s in site_ids))
    companies = _companies(loader, count=60)
    _site_companies(loader, site_ids, companies)
    staffing = companies[-1]
    people, kiosks = [], {}
    next_person = 1
    for site in site_ids:
        size = workers if site == 1 else other_workers
        for _ in range(size):
            employer = rng.choice(companies[:-1])
            hired = rng.random() < 0.1
            people.append({"person": next_person, "site": site,
                           "employer": staffing if hired else employer,
                           "hired_by": companies[0] if hired else None})
            next_person += 1
        kiosks[site] = [(site - 1) * 4 + k + 1 for k in range(4 if site == 1 else 1)]
    _people_cards_engagements(loader, people, rng, days[0])
    loader.copy("kiosk", ({"id": k, "site_id": site, "name": f"Port {k}", "mode": "auto",
                           "token_hash": uuid.uuid4().hex + uuid.uuid4().hex}
                          for site, ks in kiosks.items() for k in ks))
    _history(loader, people, kiosks, days, now, rng)
    _checked_versions(loader, days[-31:], now)  # every weekday the index shows (30 calendar days)
    return {"sites": len(site_ids), "people": len(people), "days": len(days)}


def _checked_versions(loader: Loader, days: list[date], now: datetime) -> None:
    """The big site's recent working days each checked once: the lists index compares every checked
    day's list with its version (daily_control.day_statuses). The hash matches nothing, which costs the same."""
    loader.copy("daily_list", ({"id": n, "site_id": 1, "local_date": day, "version": 1, "checked_at": now,
                                "data_sha256": "0" * 64, "pdf": b"%PDF-1.4 bench", "pdf_sha256": f"{n:064x}"}
                               for n, day in enumerate(days, 1)))


def _companies(loader: Loader, count: int) -> list[int]:
    rows = []
    for c in range(1, count + 1):
        foreign = c % 12 == 0
        rows.append({"id": c, "name": f"Bedrift {c:03d} {'UAB' if foreign else 'AS'}",
                     "org_number": None if foreign else org_number(c + 10),
                     "foreign_id": f"30{c:07d}" if foreign else None, "country": "LT" if foreign else "NO"})
    loader.copy("company", rows)
    return [row["id"] for row in rows]


def _site_companies(loader: Loader, site_ids, companies) -> None:
    rows, next_id = [], 1
    for site in site_ids:
        main_id = next_id
        for index, company in enumerate(companies):
            rows.append({"id": next_id, "site_id": site, "company_id": company,
                         "role": "main_contractor" if index == 0 else "subcontractor",
                         "parent_id": None if index == 0 else main_id})
            next_id += 1
    loader.copy("site_company", rows)


FIRST = ["Ola", "Kari", "Øyvind", "Åse", "Łukasz", "Małgorzata", "Rūta", "Mantas", "Ahmed", "Liv"]
LAST = ["Nordmann", "Ødegård", "Åsheim", "Wiśniewski", "Jankauskienė", "Kazlauskas", "Hansen", "Lie"]


def _people_cards_engagements(loader: Loader, people: list, rng, start: date) -> None:
    loader.copy("person", ({"id": p["person"], "first_name": FIRST[p["person"] % len(FIRST)],
                            "last_name": f"{LAST[p['person'] % len(LAST)]} {p['person']}",
                            "birth_date": date(1960 + rng.randrange(45), rng.randrange(1, 13), rng.randrange(1, 29))}
                           for p in people))
    loader.copy("card", ({"id": p["person"], "number": f"{50000000 + p['person']:08d}",
                          "card_type": "construction", "person_id": p["person"],
                          "employer_id": p["employer"], "issued_on": start - timedelta(days=100),
                          "valid_to": start + timedelta(days=630), "last_status": "valid"}
                         for p in people))
    loader.copy("engagement", ({"id": p["person"], "person_id": p["person"], "site_id": p["site"],
                                "employer_id": p["employer"], "hired_by_id": p["hired_by"],
                                "active_from": start, "barred": False}
                               for p in people))


def _history(loader: Loader, people: list, kiosks: dict, days: list[date], now: datetime, rng) -> None:
    """Every worker every working day: in around 07:00, out around 15:30; today, most are still in."""
    today = days[-1]
    attendance, scans = [], []

    def flush():
        loader.copy("attendance_day", attendance)
        loader.copy("scan_event", scans)
        attendance.clear()
        scans.clear()

    for day in days:
        for p in people:
            first_in = at_local(day, 6 * 60 + rng.randrange(90))
            still_in = day == today and rng.random() < 0.75
            last_out = None if still_in else at_local(day, 15 * 60 + rng.randrange(90))
            if last_out and last_out > now:
                last_out, still_in = None, True
            attendance.append({
                "site_id": p["site"], "person_id": p["person"], "local_date": day,
                "employer_id": p["employer"], "hired_by_id": p["hired_by"], "card_id": p["person"],
                "first_in": first_in, "last_out": last_out, "last_scan_at": last_out or first_in,
                "is_present": still_in,
                "source": "scan", "flags": [],
            })
            kiosk = rng.choice(kiosks[p["site"]])
            for direction, moment in (("in", first_in), ("out", last_out)):
                if moment is None:
                    continue
                scans.append({
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "site_id": p["site"],
                    "kiosk_id": kiosk, "card_id": p["person"], "card_number": f"{50000000 + p['person']:08d}",
                    "person_id": p["person"], "scanned_at": moment, "received_at": moment,
                    "local_date": day, "decision": "accepted", "reason": "ok", "direction": direction,
                    "verified": True, "late": False, "warnings": [], "source": "kiosk",
                })
        if len(scans) > 200_000:
            flush()
    flush()


@contextmanager
def bulk_mode(connection, tables):
    """Load like a restore: foreign-key triggers off (the generator keeps the references right) and
    the secondary indexes of the big tables built once afterwards instead of row by row."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
                       "(SELECT conname FROM pg_constraint)", (list(tables),))
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute("SET session_replication_role = DEFAULT")


def reset_sequences(connection, tables) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT coalesce(max(id), 1) FROM {table}))")


# --- what is measured ---------------------------------------------------------------------------

def workloads(site_id: int, day: date, month: tuple[date, date], now: datetime) -> list[tuple]:
    """(name, callable, what it calls): the app's own services, as the pages and the kiosk API use them."""
    from app.clock import site_today
    from app.extensions import db
    from app.models import Site
    from app.services import daily_control, lists, presence, scans

    today = site_today(now)
    return [
        ("daily list", lambda: lists.build_day(site_id, day), "lists.build_day"),
        ("period (month)", lambda: lists.period_report(site_id, *month, now), "lists.period_report"),
        ("presence (web)", lambda: presence.present_now(site_id, today), "presence.present_now"),
        ("presence (kiosk API)", lambda: scans.present_people(db.session.get(Site, site_id), now),
         "scans.present_people"),
        ("daily PDF", lambda: lists.daily_pdf(site_id, day, now), "lists.daily_pdf"),
        (LISTS_INDEX, lambda: daily_control.day_statuses(site_id, today, compare_lists=True),
         "daily_control.day_statuses"),
    ]


def time_it(work, runs: int) -> tuple[list[float], list[float]]:
    """Wall times and this process's CPU times (ms): on a shared box the CPU time moves less."""
    from app.extensions import db

    work()  # warm: the first call pays for imports and the plan cache
    db.session.rollback()
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        db.session.rollback()
    return times, cpu


@contextmanager
def recorded_statements(engine):
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def explain(work) -> list[str]:
    """EXPLAIN ANALYZE of every SELECT the workload sends, with its real parameters."""
    from app.extensions import db

    with recorded_statements(db.engine) as statements:
        work()
    db.session.rollback()
    plans = []
    for statement, parameters in statements:
        if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        rows = db.session.connection().exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
        plans.append(statement.strip() + "\n\n" + "\n".join(r[0] for r in rows))
    db.session.rollback()
    return plans


def write_plans(plans: dict, summary: str, readme) -> None:
    """Put the plans between the markers in `readme` (bench/README.md, or a scratch file)."""
    body = [PLANS_START, "", summary, ""]
    for name, texts in plans.items():
        body += [f"#### {name}", ""]
        for plan in texts:
            body += ["```", plan, "```", ""]
    body.append(PLANS_END)
    block = "\n".join(body)
    current = readme.read_text() if readme.exists() else ""
    if PLANS_START in current and PLANS_END in current:
        head, rest = current.split(PLANS_START, 1)
        current = head + block + rest.split(PLANS_END, 1)[1]
    else:
        current = current.rstrip() + "\n\n### Big-site query plans\n\n" + block + "\n"
    readme.write_text(current)


# --- the run ------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2000)
    parser.add_argument("--days", type=int, default=250)
    parser.add_argument("--other-sites", type=int, default=50)
    parser.add_argument("--other-workers", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--small", action="store_true", help="200 workers, 30 days, 5 other sites")
    parser.add_argument("--no-plans", action="store_true", help="plans to bench/out/bigsite-plans.md, not bench/README.md")
    parser.add_argument("--keep-db", action="store_true", help="leave the PostgreSQL server running afterwards")
    args = parser.parse_args()
    if args.small:
        args.workers, args.days, args.other_sites = 200, 30, 5

    instance = harness.instance_dir("bigsite")
    with harness.postgres(keep=args.keep_db) as url:
        env = harness.app_env(url, instance)
        os.environ.update(env)
        harness.migrate(env)
        from app import create_app
        from app.extensions import db

        app = create_app()
        with app.app_context():
            now = datetime.now(timezone.utc)
            today = now.astimezone(OSLO).date()
            days = working_days(today - timedelta(days=1), args.days - 1) + [today]  # today: who is in now
            started = time.perf_counter()
            raw = db.engine.raw_connection()
            loader = Loader(raw.driver_connection, db.metadata)
            with bulk_mode(raw.driver_connection, ["scan_event", "attendance_day"]):
                shape = generate(loader, workers=args.workers, days=days, other_sites=args.other_sites,
                                 other_workers=args.other_workers, now=now)
            reset_sequences(raw.driver_connection, ["builder", "site", "company", "site_company", "person",
                                                    "card", "engagement", "kiosk", "attendance_day", "daily_list"])
            raw.commit()
            raw.close()
            load_s = time.perf_counter() - started
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
            load_total_s = time.perf_counter() - started
            print(f"loaded {loader.counts} in {load_s:.1f} s (+ VACUUM ANALYZE: {load_total_s:.1f} s)")

            # As a gunicorn worker does once it has loaded the app (gunicorn.conf.py): what is
            # loaded by now stays out of the garbage collector's full passes, which otherwise
            # landed in one timed run in three (26-36 ms each, bench/README.md).
            gc.collect()
            gc.freeze()
            day = days[len(days) // 2]
            month_start = day.replace(day=1)
            month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            rows, figures, plans = [], {}, {}
            for name, work, source in workloads(1, day, (month_start, month_end), now):
                times, cpu = time_it(work, args.runs)
                target = TARGETS_MS.get(name)
                p50, p95 = statistics.median(times), harness.percentile(times, 95)
                rows.append({"query": name, "p50 ms": p50, "p95 ms": p95, "max ms": max(times),
                             "app CPU p50 ms": statistics.median(cpu),
                             "target ms": target or "", "ok": "" if target is None else ("yes" if p95 <= target else "NO"),
                             "source": source})
                figures[name] = {"p50_ms": round(p50, 2), "p95_ms": round(p95, 2), "max_ms": round(max(times), 2),
                                 "app_cpu_p50_ms": round(statistics.median(cpu), 2),
                                 "target_ms": target, "source": source}
                if name not in ("daily PDF", LISTS_INDEX):  # the index's statements: the daily list's, once a checked day
                    plans[name] = explain(work)
        harness.print_table(f"Big site: {args.workers} workers × {args.days} days + {args.other_sites} sites "
                            f"({loader.counts.get('scan_event', 0):,} scan events, "
                            f"{loader.counts.get('attendance_day', 0):,} attendance days)", rows)
        harness.record("bigsite", {"size": {**shape, "rows": loader.counts}, "load_s": round(load_total_s, 1),
                                   "day": day.isoformat(), "month": [month_start.isoformat(), month_end.isoformat()],
                                   "queries": figures})
        m = harness.machine()
        readme = harness.BENCH / "README.md" if not (args.no_plans or args.small) else harness.OUT / "bigsite-plans.md"
        write_plans(plans, f"Measured {m['at']} on {m['nproc']} × {m['cpu']}, load {m['loadavg']}; "
                               f"{loader.counts.get('scan_event', 0):,} scan events, "
                               f"{loader.counts.get('attendance_day', 0):,} attendance days; day {day}, "
                               f"month {month_start}…{month_end}.", readme)


if __name__ == "__main__":
    main()
