/**
 * What a suite's errors say: one line per problem, naming the file, the field, what is wrong, the
 * value given, and what the field accepts. What a field accepts is read from the suite's JSON
 * Schema (generated from the zod schema, as suite.schema.json is), so a field added to the schema
 * explains itself: its type, range and allowed values in words, or its `description` where the
 * schema states a format words cannot derive (a feedforward's "dense-W" or "KxD").
 */
import type { z } from 'zod';

/** The part of a JSON Schema (draft 2020-12, as zod writes it) that says what a value may be. */
export interface JsonSchema {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  minItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  description?: string;
  default?: unknown;
}

/** The alternatives a schema stands for, nested anyOf flattened. */
function alternatives(schema: JsonSchema): JsonSchema[] {
  return schema.anyOf ? schema.anyOf.flatMap(alternatives) : [schema];
}

/** The schema of the value at `path` below `root` (array items by index, object fields by name), across alternatives. */
export function schemaAt(root: JsonSchema, path: PropertyKey[]): JsonSchema | undefined {
  let nodes = [root];
  for (const key of path) {
    nodes = nodes.flatMap(alternatives).flatMap((n) => {
      if (typeof key === 'number') return n.type === 'array' && n.items ? [n.items] : [];
      const field = n.properties?.[String(key)];
      return field ? [field] : [];
    });
  }
  return nodes.length === 0 ? undefined : nodes.length === 1 ? nodes[0] : { anyOf: nodes };
}

/** The fields an object at `path` may have (across alternatives). */
export function fieldsAt(root: JsonSchema, path: PropertyKey[]): string[] {
  const at = schemaAt(root, path);
  return at ? [...new Set(alternatives(at).flatMap((n) => Object.keys(n.properties ?? {})))] : [];
}

const quoted = (v: unknown) => JSON.stringify(v);

function oneOf(values: unknown[]): string {
  if (values.length === 1) return quoted(values[0]);
  if (values.length === 2) return `${quoted(values[0])} or ${quoted(values[1])}`;
  return `one of ${values.map(quoted).join(', ')}`;
}

/** "from 1 to 65536", "of at least 1", "above 0": a number's bounds in words (a bound at the largest safe integer is no bound). */
function range(s: JsonSchema): string {
  const max = s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER ? s.maximum : undefined;
  if (s.minimum !== undefined && max !== undefined) return ` from ${s.minimum} to ${max}`;
  if (s.exclusiveMinimum !== undefined) return ` above ${s.exclusiveMinimum}${max !== undefined ? ` and at most ${max}` : ''}`;
  if (s.minimum !== undefined) return ` of at least ${s.minimum}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}

const sameSchema = (a: JsonSchema, b: JsonSchema) => JSON.stringify({ ...a, default: undefined }) === JSON.stringify({ ...b, default: undefined });

/** What a value of `schema` may be, in words: "a whole number from 1 to 65536, or a non-empty list of them". */
export function accepts(schema: JsonSchema): string | undefined {
  if (schema.description) return schema.description;
  if (schema.anyOf) {
    const [one, list] = schema.anyOf;
    // a list field that also takes a single value (suites/schema.ts listOf)
    if (schema.anyOf.length === 2 && list.type === 'array' && list.items && sameSchema(one, list.items)) {
      const item = accepts(one);
      return item && `${item}, or a ${list.minItems ? 'non-empty ' : ''}list of them`;
    }
    const words = schema.anyOf.map(accepts);
    return words.every((w) => w !== undefined) ? words.join(', or ') : undefined;
  }
  if (schema.enum) return oneOf(schema.enum);
  if (schema.const !== undefined) return quoted(schema.const);
  switch (schema.type) {
    case 'integer':
      return `a whole number${range(schema)}`;
    case 'number':
      return `a number${range(schema)}`;
    case 'boolean':
      return 'true or false';
    case 'string':
      return schema.minLength ? 'a non-empty string' : 'a string';
    case 'array': {
      const item = schema.items && accepts(schema.items);
      return item && `a list of ${schema.minItems ? `at least ${schema.minItems} value${schema.minItems === 1 ? '' : 's'}` : 'values'}, each ${item}`;
    }
    case 'object': {
      // a small object in full ({"from": …, "to": …}); a larger one by its fields, whose own errors say the rest
      const fields = Object.entries(schema.properties ?? {});
      const words = fields.map(([k, v]) => [k, accepts(v)] as const);
      if (fields.length > 0 && fields.length <= 3 && words.every(([, w]) => w !== undefined)) return `{${words.map(([k, w]) => `"${k}": ${w}`).join(', ')}}`;
      return `an object with the fields ${fields.map(([k]) => k).join(', ')}`;
    }
    default:
      return undefined;
  }
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, k) => k);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The allowed name nearest to a misspelt one, if it is near enough to be a typo. */
function closest(key: string, allowed: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const name of allowed) {
    const d = editDistance(key, name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let at: unknown = input;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

export function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, k) => (typeof p === 'number' ? `[${p}]` : `${k === 0 ? '' : '.'}${String(p)}`)).join('');
}

type Issue = z.ZodError['issues'][number];

/** Issues that say the value is not of an accepted kind at all (the wrong type, a value outside an enum), not that it failed a check. */
function rejectsKind(issues: Issue[]): boolean {
  return issues.some(
    (i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value' || (i.code === 'invalid_union' && i.errors.every(rejectsKind))),
  );
}

/**
 * zod reports a value no alternative of a union accepts as one "Invalid input". Where one
 * alternative took the value's kind (a list for a list field) and only its checks failed, those
 * are the problems to show, at their own paths; where none did, the union's own issue stays, and
 * its message says what the field accepts.
 */
function unfold(issue: Issue): Issue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const taken = issue.errors.find((branch) => !rejectsKind(branch));
  if (!taken) return [issue];
  return taken.flatMap((i) => unfold({ ...i, path: [...issue.path, ...i.path] } as Issue));
}

/** One line per problem: `file: field: what is wrong (given: value); allowed: what the field accepts`. */
export function formatIssues(file: string, input: unknown, error: z.ZodError, schema: JsonSchema): string {
  return error.issues
    .flatMap(unfold)
    .map((issue) => {
      const where = formatPath(issue.path);
      if (issue.code === 'unrecognized_keys') {
        const allowed = fieldsAt(schema, issue.path);
        return issue.keys
          .map((key) => {
            const guess = closest(key, allowed);
            const hint = guess ? ` (did you mean "${guess}"?)` : '';
            return `${file}: ${where === '(top level)' ? key : `${where}.${key}`}: unknown field${hint}; allowed: ${allowed.join(', ')}`;
          })
          .join('\n');
      }
      const given = valueAt(input, issue.path);
      const shown = given === undefined || (typeof given === 'object' && given !== null) ? '' : ` (given: ${JSON.stringify(given)})`;
      const at = schemaAt(schema, issue.path);
      const allowed = at && accepts(at);
      if (allowed && given === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union'))
        return `${file}: ${where}: missing: give ${allowed}`;
      if (allowed && (issue.code === 'invalid_type' || issue.code === 'invalid_union' || issue.code === 'invalid_value'))
        return `${file}: ${where}: expected ${allowed}${shown}`;
      // a check the value failed (a bound, a list too short), or a rule across fields (custom: its message says it)
      const also = allowed && issue.code !== 'custom' ? `; allowed: ${allowed}` : '';
      // zod's own words for a bound ("Too small: expected number to be >=1") add nothing to the allowed range
      const problem = allowed && /^Too (small|big):/.test(issue.message) ? 'out of range' : issue.message;
      return `${file}: ${where}: ${problem}${shown}${also}`;
    })
    .join('\n');
}
