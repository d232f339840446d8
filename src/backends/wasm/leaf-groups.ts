/**
 * The FFF's samples grouped by leaf: a counting sort over the batch, its state reused across runs.
 * Only the leaves a batch visits are touched, so grouping costs O(batch) however many leaves the
 * tree has. After group(): group g is leaf visited[g], at sorted positions start[g] ..
 * start[g] + size[g] − 1, and order[n] is the sample at sorted position n.
 */
export class LeafGroups {
  /** Distinct leaves of the batch, in first-seen order. */
  readonly visited: Int32Array;
  readonly start: Int32Array;
  readonly size: Int32Array;
  readonly order: Int32Array;
  /** Per leaf: its sample count, then its write cursor; all zero between runs. */
  private readonly cursor: Int32Array;

  /** `order` may be given, e.g. a view on a shared memory that worker threads read. */
  constructor(leaves: number, batch: number, order = new Int32Array(batch)) {
    this.visited = new Int32Array(batch);
    this.start = new Int32Array(batch);
    this.size = new Int32Array(batch);
    this.order = order;
    this.cursor = new Int32Array(leaves);
  }

  /** Groups samples 0 .. batch − 1 by leafOf[s]; returns the number of groups. */
  group(leafOf: Int32Array, batch: number): number {
    const { visited, start, size, order, cursor } = this;
    let groups = 0;
    for (let s = 0; s < batch; s++) {
      const leaf = leafOf[s];
      if (cursor[leaf]++ === 0) visited[groups++] = leaf;
    }
    for (let g = 0, at = 0; g < groups; g++) {
      const leaf = visited[g];
      start[g] = at;
      size[g] = cursor[leaf];
      cursor[leaf] = at;
      at += size[g];
    }
    for (let s = 0; s < batch; s++) order[cursor[leafOf[s]]++] = s;
    for (let g = 0; g < groups; g++) cursor[visited[g]] = 0;
    return groups;
  }
}
