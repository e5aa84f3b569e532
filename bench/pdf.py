"""PDF benchmark: the daily § 15 list for 100, 2,000 and 10,000 people — time and peak memory.

    .venv/bin/python -m bench.pdf [--sizes 100,2000,10000] [--repeat 3]

Each size runs in a fresh Python process, so the peak resident memory (ru_maxrss) is that size's
alone: interpreter, ReportLab, the fonts, the report data and the PDF. "cold" is the first render
in the process (it includes parsing the two DejaVu TTF files); "warm" is the median of the
following renders, which is what a running web worker pays; "warm_cpu_s" is the CPU time of
those renders, the figure to trust when other work shares the machine (the load average is
printed). Rendering only: the data is built in memory (bench/bigsite.py measures the
database side).
"""
import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bench.harness import PYTHON, ROOT, print_table, record

OSLO = ZoneInfo("Europe/Oslo")
FIRST = ["Łukasz", "Rūta", "Ærlend", "Åse", "Małgorzata", "Ola", "Kari", "Mantas", "Ingrid", "Piotr"]
LAST = ["Brzęczyszczykiewicz", "Jankauskienė", "Ødegård-Åsheim", "Bakkeløkken", "Żółkowska", "Nordmann",
        "Kazlauskas", "Strøm", "Wiśniewski", "Haugen"]
FLAGS = [(), (), (), ("no_exit_recorded",), (), ("manual",), (), ("unverified", "possible_copied_card")]


def build_report(people: int):
    """A realistic big site: 60 employers (a few large, many small), 1 in 6 hired in."""
    from reports.data import CompanyInfo, DailyListReport, EmployerGroup, ListRow, SiteInfo

    employers = [CompanyInfo(f"Underentreprenør {n:02d} Bygg & Anlegg AS", f"9{n:08d}") for n in range(60)]
    main = employers[0]
    shares = [max(1, people // (2 + n)) for n in range(len(employers))]
    scale = people / sum(shares)
    sizes = [max(1, round(s * scale)) for s in shares]
    sizes[0] += people - sum(sizes)
    day = date(2026, 11, 25)
    groups, number = [], 0
    for employer, size in zip(employers, sizes):
        rows = []
        for _ in range(size):
            rows.append(ListRow(
                FIRST[number % 10], f"{LAST[(number * 7) % 10]}", date(1960 + number % 40, 1 + number % 12, 1 + number % 28),
                employer, main if number % 6 == 0 and employer is not main else None, f"{40000000 + number:08d}", None,
                datetime(2026, 11, 25, 6 + number % 3, number % 60, tzinfo=OSLO),
                datetime(2026, 11, 25, 15, number % 60, tzinfo=OSLO), FLAGS[number % len(FLAGS)]))
            number += 1
        groups.append(EmployerGroup(employer, tuple(rows)))
    site = SiteInfo("Nytt sykehus Østfold – byggetrinn 2", "Kalnesveien 300, 1714 Grålum", "Helse Sør-Øst RHF")
    return DailyListReport(site, day, tuple(groups), "5e" * 32, datetime.now(OSLO))


def child(people: int, repeat: int) -> dict:
    """Run in a fresh process: render `repeat` times, report times, pages and peak memory."""
    from io import BytesIO

    from pypdf import PdfReader

    from reports.daily import render_daily_list

    report = build_report(people)
    times, cpu, pdf = [], [], b""
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        pdf = render_daily_list(report)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    warm = slice(1, None) if repeat > 1 else slice(None)
    return {"people": people, "pages": len(PdfReader(BytesIO(pdf)).pages), "pdf_kb": round(len(pdf) / 1024),
            "cold_s": round(times[0], 3), "warm_s": round(statistics.median(times[warm]), 3),
            "warm_cpu_s": round(statistics.median(cpu[warm]), 3), "peak_rss_mb": round(peak_mb, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,2000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.repeat)))
        return
    rows = []
    for people in (int(size) for size in args.sizes.split(",")):
        output = subprocess.run([PYTHON, "-m", "bench.pdf", "--child", str(people), "--repeat", str(args.repeat)],
                                cwd=ROOT, check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(output.strip().splitlines()[-1]))
    print_table("Daily § 15 list PDF (reports/daily.py)", rows)
    record("pdf", {"rows": rows, "repeat": args.repeat})


if __name__ == "__main__":
    sys.exit(main())
