/** The report verb's help, kept apart so the CLI can show it without loading chart.js and the canvas. */
export const REPORT_HELP = `Usage: fffbench report RESULTS.json [MORE.json ...] [--out DIR]

Writes a report of one or more results files into DIR (default: <first results file>-report/ next to it):
  index.html    self-contained page (charts drawn by chart.js, opens offline from file://)
  charts/*.png  the same charts as images (CI artifacts, PR comments)
  summary.md    tables and claim verdicts in Markdown (fit for a CI job summary)
Results from several machines (several files, or a bundle from "fffbench merge --allow-machines")
are charted side by side, one panel per machine fingerprint.

Options:
  --out DIR    where to write the report
  -h, --help   this help`;
