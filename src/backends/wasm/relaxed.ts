/**
 * The relaxed-SIMD build of the kernels, derived from the same kernels/*.wat at assembly time (no
 * second copy of the source): every folded multiply-add of four lanes,
 *
 *   (f32x4.add X (f32x4.mul A B))  or  (f32x4.add (f32x4.mul A B) X)   →  (f32x4.relaxed_madd A B X)
 *   (f32x4.sub X (f32x4.mul A B))                                      →  (f32x4.relaxed_nmadd A B X)
 *
 * and the float-to-int conversion of exp's exponent, whose input is already clamped to ±87 (so the
 * saturating form's out-of-range and NaN handling has nothing to do),
 *
 *   i32x4.trunc_sat_f32x4_s  →  i32x4.relaxed_trunc_f32x4_s
 *
 * relaxed_madd is a fused multiply-add where the CPU has one (x86 FMA3, Arm NEON) and mul + add
 * where it does not; either way the result is within the reference check's tolerance, which is
 * relative to the magnitudes summed. The rewrite moves A and B before X in evaluation order, so it
 * is made only where that cannot change what X reads: X has no side effect (no store, call, set or
 * tee) and A and B write no local that X reads. Everything else (comments, layout) is kept as written.
 */

/** A parsed S-expression: text kept verbatim (atoms, whitespace, comments) or a parenthesised list. */
type Node = string | Node[];

function parse(source: string): Node[] {
  const stack: Node[][] = [[]];
  let k = 0;
  while (k < source.length) {
    const ch = source[k];
    if (ch === '(' && source[k + 1] === ';') {
      const end = source.indexOf(';)', k);
      if (end < 0) throw new Error('relaxed SIMD rewrite: unterminated block comment');
      stack.at(-1)!.push(source.slice(k, end + 2));
      k = end + 2;
    } else if (ch === '(') {
      const list: Node[] = [];
      stack.at(-1)!.push(list);
      stack.push(list);
      k++;
    } else if (ch === ')') {
      if (stack.length < 2) throw new Error('relaxed SIMD rewrite: unbalanced ")"');
      stack.pop();
      k++;
    } else if (ch === ';' && source[k + 1] === ';') {
      const end = source.indexOf('\n', k);
      const stop = end < 0 ? source.length : end;
      stack.at(-1)!.push(source.slice(k, stop));
      k = stop;
    } else if (ch === '"') {
      let end = k + 1;
      while (end < source.length && source[end] !== '"') end += source[end] === '\\' ? 2 : 1;
      stack.at(-1)!.push(source.slice(k, end + 1));
      k = end + 1;
    } else {
      let end = k + 1;
      const space = /\s/.test(ch);
      while (end < source.length && !'();"'.includes(source[end]) && /\s/.test(source[end]) === space) end++;
      stack.at(-1)!.push(source.slice(k, end));
      k = end;
    }
  }
  if (stack.length !== 1) throw new Error('relaxed SIMD rewrite: unbalanced "("');
  return stack[0];
}

const print = (nodes: Node[]): string => nodes.map((n) => (typeof n === 'string' ? n : `(${print(n)})`)).join('');

const isBlank = (n: Node) => typeof n === 'string' && (/^\s+$/.test(n) || n.startsWith(';;') || n.startsWith('(;'));

/** The list's head atom and its operands (blanks and comments dropped). */
function shape(list: Node[]): { head: string; args: Node[] } | undefined {
  const items = list.filter((n) => !isBlank(n));
  return typeof items[0] === 'string' ? { head: items[0], args: items.slice(1) } : undefined;
}

function atoms(n: Node, out: string[] = []): string[] {
  if (typeof n === 'string') {
    if (!isBlank(n)) out.push(n);
  } else for (const c of n) atoms(c, out);
  return out;
}

/** The locals an expression reads, and whether it has a side effect. */
function effects(n: Node): { reads: Set<string>; writes: Set<string>; sideEffect: boolean } {
  const words = atoms(n);
  const reads = new Set<string>();
  const writes = new Set<string>();
  let sideEffect = false;
  words.forEach((w, k) => {
    if (w === 'local.get') reads.add(words[k + 1]);
    if (w === 'local.set' || w === 'local.tee' || w === 'global.set') {
      writes.add(words[k + 1]);
      sideEffect = true;
    }
    if (/^(call|call_indirect|memory\.(grow|fill|copy)|.*\.store.*|.*\.atomic\..*)$/.test(w)) sideEffect = true;
  });
  return { reads, writes, sideEffect };
}

/** Whether A and B may be evaluated before X. */
function reorderable(x: Node, a: Node, b: Node): boolean {
  const ex = effects(x);
  if (ex.sideEffect) return false;
  const ab = [effects(a), effects(b)];
  return ab.every((e) => ![...e.writes].some((w) => ex.reads.has(w)));
}

function mulOperands(n: Node): [Node, Node] | undefined {
  if (typeof n === 'string') return undefined;
  const s = shape(n);
  return s?.head === 'f32x4.mul' && s.args.length === 2 ? [s.args[0], s.args[1]] : undefined;
}

export interface RelaxedRewrite {
  source: string;
  /** Rewrites made, by the instruction they produced. */
  counts: Record<string, number>;
}

/** The relaxed-SIMD variant of a kernel source (see the header). */
export function relaxSimd(source: string): RelaxedRewrite {
  const counts: Record<string, number> = { 'f32x4.relaxed_madd': 0, 'f32x4.relaxed_nmadd': 0, 'i32x4.relaxed_trunc_f32x4_s': 0 };
  const rewrite = (n: Node): Node => {
    if (typeof n === 'string') {
      if (n === 'i32x4.trunc_sat_f32x4_s') {
        counts['i32x4.relaxed_trunc_f32x4_s']++;
        return 'i32x4.relaxed_trunc_f32x4_s';
      }
      return n;
    }
    const list = n.map(rewrite);
    const s = shape(list);
    if (s?.args.length !== 2 || (s.head !== 'f32x4.add' && s.head !== 'f32x4.sub')) return list;
    const [first, second] = s.args;
    const candidates: [Node, [Node, Node] | undefined][] =
      s.head === 'f32x4.add'
        ? [
            [first, mulOperands(second)],
            [second, mulOperands(first)],
          ]
        : [[first, mulOperands(second)]];
    for (const [x, ab] of candidates) {
      if (!ab || !reorderable(x, ab[0], ab[1])) continue;
      const op = s.head === 'f32x4.add' ? 'f32x4.relaxed_madd' : 'f32x4.relaxed_nmadd';
      counts[op]++;
      return [op, ' ', ab[0], ' ', ab[1], ' ', x];
    }
    return list;
  };
  return { source: print(parse(source).map(rewrite)), counts };
}
