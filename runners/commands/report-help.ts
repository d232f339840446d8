/** The report verb's help, kept apart so the CLI can show it without loading chart.js and the canvas. */
export const REPORT_HELP = `Usage: fffbench report RESULTS.json [MORE.json ...] [--out DIR] [--baseline-machine ID]
       fffbench report --history DIR [--machine ID] [--suite NAME] [--last N] [--out DIR]

Writes a report of one or more results files into DIR (default: <first results file>-report/ next to it):
  index.html    self-contained page (charts drawn by chart.js, opens offline from file://)
  charts/*.png  the same charts as images (CI artifacts, PR comments)
  summary.md    tables and claim verdicts in Markdown (fit for a CI job summary)
Results from several machines (several files, or a bundle from "fffbench merge --allow-machines")
are charted side by side, one panel per machine fingerprint, and compared in a "Machines compared"
section: one line per machine on shared axes (speedup vs width, latency and distance to the roofline
vs depth), calibrations side by side with why each FFF speedup differs, the claim verdicts per
machine, and per shape the medians and their ratio to the baseline machine with a 95% interval.

With --history DIR it writes the trend report of the runs filed there (DIR/<machine id>/...,
see "fffbench run --history"), one trend per machine and suite with at least 2 runs: each case's
median and 95% interval per run, and the regressions and improvements "compare" finds in each run
against the up to 5 runs before it (5%, alpha 0.01); a run whose machine state changed is marked as
such. Into DIR (default: <history dir>-trend/ next to it): index.html, charts/trend-*.png (one per
runtime · backend · model, each case relative to its first run, and one per case that moved) and
summary.md (what moved and since which run, date and commit; machine-state changes; the runs).

Options:
  --out DIR       where to write the report
  --baseline-machine ID
                  with several machines: the one the others are compared with (an id, or a unique
                  prefix of one; default: the machine of the first results file)
  --history DIR   trend report of a history directory instead of results files
  --machine ID    only this machine (a machine id, or a unique prefix of one; default: every machine)
  --suite NAME    only this suite (default: every suite, one trend each)
  --last N        show only the last N runs, N >= 2 (default: all); their baselines may be older runs
  -h, --help      this help`;
