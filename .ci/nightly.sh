#!/usr/bin/env bash
# The nightly benchmark's merge job (.github/workflows/nightly.yml), as one script that runs the
# same on a laptop: merge the shards, check out the history (the data branch; the first night
# creates it), report, compare with the last nights of the same machine, measure tonight's commit
# against last night's interleaved on this runner (fffbench ab), file this night in the history (a
# failed night too), prune it, push it, and draw the trend.
#
# Run it in a clone whose remote holds the data branch (the workflow's checkout). It writes
# nightly.json, report/ and trend/ here, checks the data branch out as a worktree in history/, and
# appends what a reader needs to $GITHUB_STEP_SUMMARY when that is set. docs/nightly-ci.md says how
# a team sets the job up and reads a failed night.
#
# Exit status: 0 fine; 1 a confirmed regression, by compare or by ab (the night is filed all the
# same); 2 bad input;
# 3 the night could not be filed (the push failed every attempt); 4 the report or the trend failed.
set -uo pipefail

usage() {
  cat <<'EOF'
Usage: .ci/nightly.sh --suite NAME [options] SHARD.json ...

  --suite NAME        the suite the shards ran (names the runs in the history and the trend)
  --last N            compare with the last N nights of this machine and suite (default 5)
  --threshold X       smallest slowdown that counts, e.g. 5% (default 5%)
  --alpha A           significance level of a regression (default 0.01)
  --no-confirm        no confirming re-run of flagged cases (for runs measured elsewhere)
  --no-ab             skip measuring tonight's commit against last night's by ab, e.g.
                      where the shards ran on another machine than this script
  --keep N            full runs kept per machine and suite; older ones reduced (default 30)
  --trend-last N      nights drawn by the trend (default 60)
  --branch NAME       the data branch (default fffbench-data)
  --remote NAME       the remote that holds it (default origin)
  --push-attempts N   tries to push before giving up; between them the branch is fetched again
                      and this night filed on top of what landed meanwhile (default 5)
EOF
}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# The fffbench of this checkout (what npx fffbench runs), wherever the script is run from.
fffbench() { node "$ROOT/bin/fffbench.js" "$@"; }
say() { echo "nightly: $*" >&2; }
die() { local code=$1; shift; say "$*"; exit "$code"; }

suite='' last=5 threshold=5% alpha=0.01 keep=30 trend_last=60 branch=fffbench-data remote=origin attempts=5
confirm=()
ab=1
shards=()
while [ $# -gt 0 ]; do
  case "$1" in
    --suite | --last | --threshold | --alpha | --keep | --trend-last | --branch | --remote | --push-attempts)
      [ $# -ge 2 ] || die 2 "$1 needs a value"
      case "$1" in
        --suite) suite=$2 ;; --last) last=$2 ;; --threshold) threshold=$2 ;; --alpha) alpha=$2 ;;
        --keep) keep=$2 ;; --trend-last) trend_last=$2 ;; --branch) branch=$2 ;; --remote) remote=$2 ;;
        --push-attempts) attempts=$2 ;;
      esac
      shift 2 ;;
    --no-confirm) confirm=(--no-confirm); shift ;;
    --no-ab) ab=0; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) usage >&2; die 2 "unknown option $1" ;;
    *) shards+=("$1"); shift ;;
  esac
done
[ -n "$suite" ] || { usage >&2; die 2 "--suite is required"; }
[ ${#shards[@]} -gt 0 ] || die 2 "no shard results files given (did every bench job fail?)"
[[ $attempts =~ ^[1-9][0-9]*$ ]] || die 2 "--push-attempts: expected a whole number ≥ 1 (given: $attempts)"
history=history
[ ! -e "$history" ] || die 2 "$history/ exists already: the data branch is checked out there; run in a fresh checkout"
summary=${GITHUB_STEP_SUMMARY:-/dev/null}
commit=${GITHUB_SHA:-$(git rev-parse HEAD)}

# 1. The shards of every runtime, one results file (a bundle of groups if they came from several machines).
fffbench merge "${shards[@]}" -o nightly.json --allow-machines || die 2 "merge failed: nothing to compare or file"

# 2. The history: the data branch as a worktree, or on the first night an empty orphan branch.
git ls-remote --exit-code --heads "$remote" "$branch" >/dev/null
case $? in
  0)
    git fetch -q --depth 1 "$remote" "$branch" && git worktree add -q --detach "$history" FETCH_HEAD ||
      die 3 "could not check out $branch from $remote"
    ;;
  2)
    say "no branch $branch on $remote: this is the first night, it creates the branch"
    git worktree add -q --detach "$history" && git -C "$history" checkout -q --orphan "$branch" && git -C "$history" rm -rfq . ||
      die 3 "could not create the orphan branch $branch"
    ;;
  *) die 3 "could not reach $remote (git ls-remote failed)" ;;
esac

other=0
# 3. The report of this night.
if fffbench report nightly.json --out report; then cat report/summary.md >>"$summary"; else other=4; fi

# 4. Compare with the last nights of this machine; flagged cases are re-run here to confirm them.
fffbench compare --last "$last" --history "$history" nightly.json --format md --threshold "$threshold" --alpha "$alpha" ${confirm[@]+"${confirm[@]}"} | tee -a "$summary"
compared=${PIPESTATUS[0]}

# 4b. The decision about tonight's change: tonight's commit against the commit of the suite's latest
#     night in the history, both measured now on this runner, interleaved, so the machine's state
#     cancels (docs/regressions.md). It runs before tonight is filed, while last night is the latest.
abbed=0
if [ "$ab" -eq 1 ]; then
  fffbench ab --base-history "$history" "$suite" --format md | tee -a "$summary"
  abbed=${PIPESTATUS[0]}
fi

# 5. File the night (a failed one too: a regression stays in the trend), prune, commit, push. A push
#    rejected because another night landed first is retried on top of the branch as it is now.
file_night() {
  local attempt
  for ((attempt = 1; attempt <= attempts; attempt++)); do
    fffbench history "$history" --add nightly.json --prune --keep "$keep" || return 1
    git -C "$history" add -A || return 1
    if git -C "$history" diff --cached --quiet; then
      say "this night is in $branch already (a re-run of the job): nothing to file"
      return 0
    fi
    git -C "$history" -c user.name='fffbench nightly' -c user.email='fffbench@users.noreply.github.com' commit -qm "nightly ${commit::8} ($suite)" || return 1
    if git -C "$history" push -q "$remote" "HEAD:refs/heads/$branch"; then
      say "filed in $branch (push attempt $attempt)"
      return 0
    fi
    [ "$attempt" -lt "$attempts" ] || break
    say "push $attempt of $attempts rejected: fetching $branch again to file this night on top of what landed"
    sleep "$attempt"
    git -C "$history" fetch -q --depth 1 "$remote" "$branch" && git -C "$history" reset -q --hard FETCH_HEAD && git -C "$history" clean -qfdx || return 1
  done
  return 1
}
filed=0
file_night || filed=3
[ "$filed" -eq 0 ] || say "this night is NOT filed in $branch (see the git messages above)"

# 6. The trend over the nights, once this machine has two nights of the suite.
nights=$(for dir in "$history"/*/; do [ -d "$dir" ] && find "$dir" -maxdepth 1 -name "*-$suite.json" | wc -l; done | sort -n | tail -n 1)
if [ "${nights:-0}" -ge 2 ]; then
  if fffbench report --history "$history" --suite "$suite" --last "$trend_last" --out trend; then cat trend/summary.md >>"$summary"; else other=4; fi
else
  say "no trend yet: the history holds one night of suite $suite per machine"
  printf '\n_Trend: the first night of suite %s on this machine; the trend starts with the second._\n' "$suite" >>"$summary"
fi

[ "$compared" -eq 0 ] || exit "$compared"
[ "$abbed" -eq 0 ] || exit "$abbed"
[ "$filed" -eq 0 ] || exit "$filed"
exit "$other"
