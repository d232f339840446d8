#!/usr/bin/env bash
# The hardware comparison's merge job (.github/workflows/hardware.yml), as one script that runs the
# same on a laptop: the results files of several machines become one bundle (one group per machine
# id, never mixed), its report (machines side by side) and one table of every case of every machine.
#
# Writes hardware.json, report/ and hardware.csv here, and appends the report's summary and the
# table (Markdown, folded) to $GITHUB_STEP_SUMMARY when that is set.
# Exit status: 0 fine; 2 bad input (no files, two labels on one machine id, a broken file); 4 the
# report or the export failed.
set -uo pipefail

if [ $# -eq 0 ] || [ "$1" = --help ] || [ "$1" = -h ]; then
  echo 'Usage: .ci/hardware-report.sh RESULTS.json ...   (one results file per machine, e.g. results/*.json)'
  [ $# -gt 0 ] && exit 0
  echo 'hardware-report: no results files given (did every bench job fail?)' >&2
  exit 2
fi

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# The fffbench of this checkout (what npx fffbench runs), wherever the script is run from.
fffbench() { node "$ROOT/bin/fffbench.js" "$@"; }
summary=${GITHUB_STEP_SUMMARY:-/dev/null}

# Two labels that land on the same machine id make merge refuse: their cases would appear twice.
fffbench merge "$@" -o hardware.json --allow-machines || exit 2

status=0
if fffbench report hardware.json --out report; then cat report/summary.md >>"$summary"; else status=4; fi
fffbench export hardware.json --format csv --out hardware.csv || status=4
if table=$(fffbench export hardware.json --format md); then
  printf '\n<details><summary>Every case on every machine (export --format md)</summary>\n\n%s\n\n</details>\n' "$table" >>"$summary"
else
  status=4
fi
exit "$status"
