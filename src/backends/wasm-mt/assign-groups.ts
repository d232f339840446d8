/**
 * How the calling thread shares the FFF's leaf groups out to the threads (the GEMM leaf stage of
 * fff.ts): each visited leaf read once per batch, by one thread, unless its group is large.
 */
/** A leaf read counts as this many rows of its GEMM when groups are shared out. */
export const LEAF_COST_ROWS = 2;
/** Groups of at least this many rows may be cut between two threads. */
export const SPLIT_MIN_ROWS = 8;

/**
 * Shares `groups` leaf groups (in order: group g is `size[g]` rows of leaf `leaf[g]` from sorted
 * position `start[g]`) out to `threads` threads, in order, each about total cost / threads, where
 * a group costs its rows + LEAF_COST_ROWS. Writes the segments — [leaf, position, rows] — to
 * `segments` and each thread's [first segment, count] to `index`; returns the segment count.
 */
export function assignGroups(
  leaf: Int32Array,
  start: Int32Array,
  size: Int32Array,
  groups: number,
  threads: number,
  index: Int32Array,
  segments: Int32Array,
): number {
  if (threads === 1) {
    for (let g = 0; g < groups; g++) {
      segments[3 * g] = leaf[g];
      segments[3 * g + 1] = start[g];
      segments[3 * g + 2] = size[g];
    }
    index[0] = 0;
    index[1] = groups;
    return groups;
  }
  let rowsTotal = 0;
  for (let g = 0; g < groups; g++) rowsTotal += size[g];
  const total = rowsTotal + LEAF_COST_ROWS * groups;
  let t = 0;
  let edge = total / threads; // cost at which thread t's share ends
  let acc = 0;
  let n = 0;
  index[0] = 0;
  const emit = (lf: number, pos: number, rows: number) => {
    segments[3 * n] = lf;
    segments[3 * n + 1] = pos;
    segments[3 * n + 2] = rows;
    n++;
    acc += rows + LEAF_COST_ROWS;
  };
  const next = () => {
    index[2 * t + 1] = n - index[2 * t];
    t++;
    index[2 * t] = n;
    edge = (total * (t + 1)) / threads;
  };
  for (let g = 0; g < groups; g++) {
    let pos = start[g];
    let rows = size[g];
    while (rows > 0) {
      const cost = rows + LEAF_COST_ROWS;
      if (t === threads - 1 || acc + cost <= edge) {
        emit(leaf[g], pos, rows);
        rows = 0;
      } else if (rows >= SPLIT_MIN_ROWS) {
        const take = Math.floor((edge - acc - LEAF_COST_ROWS) / 4) * 4;
        if (take >= 4) {
          emit(leaf[g], pos, take);
          pos += take;
          rows -= take;
        }
        next();
      } else if (edge - acc >= cost / 2) {
        emit(leaf[g], pos, rows);
        rows = 0;
        next();
      } else {
        next();
      }
    }
  }
  index[2 * t + 1] = n - index[2 * t];
  for (let u = t + 1; u < threads; u++) {
    index[2 * u] = n;
    index[2 * u + 1] = 0;
  }
  return n;
}
