/**
 * Every field of the suite schema, walked from the schema itself (so a field added later is walked
 * too), is given a value of the wrong type, left out where it is required, and given a value it
 * does not allow; each error must name the file and the field and say what the field accepts.
 * "What it accepts" is checked against the schema's own facts (its allowed values, bounds, type,
 * description), read here independently of the words suites/issues.ts builds from them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPath, type JsonSchema } from '../../suites/issues.ts';
import { suiteJsonSchemaObject } from '../../suites/json-schema.ts';
import { parseSuite } from '../../suites/load.ts';

const FILE = 'walk.json';

/** A valid suite holding one of every object the schema has, so that every field has a place to stand. */
const valid = () => ({
  name: 'walk',
  sweeps: [{ inputDim: 8, outputDim: 4, depth: { from: 1, to: 2 }, leafWidth: 2, batchSize: 1 }],
  encoders: [{ hidden: 16, heads: 2, seqLen: 4, batchSize: 1, feedforward: '1x2' }],
  measurement: {},
  limits: {},
});

interface Field {
  path: (string | number)[];
  schema: JsonSchema;
  required: boolean;
}

const alternatives = (s: JsonSchema): JsonSchema[] => (s.anyOf ? s.anyOf.flatMap(alternatives) : [s]);

/** Every field below `schema`: object properties, through lists (index 0) and alternatives. */
function fieldsOf(schema: JsonSchema, path: (string | number)[] = []): Field[] {
  return alternatives(schema).flatMap((alt) => {
    if (alt.type === 'array' && alt.items) return fieldsOf(alt.items, [...path, 0]);
    return Object.entries(alt.properties ?? {}).flatMap(([key, sub]) => [
      { path: [...path, key], schema: sub, required: alt.required?.includes(key) ?? false },
      ...fieldsOf(sub, [...path, key]),
    ]);
  });
}

/** What the schema says a field accepts, as strings its error must contain. */
function facts(schema: JsonSchema): string[] {
  if (schema.description) return [schema.description];
  const out = new Set<string>();
  for (const alt of alternatives(schema)) {
    if (alt.description) out.add(alt.description);
    else if (alt.type === 'array' && alt.items) for (const f of facts(alt.items)) out.add(f);
    else if (alt.enum) for (const v of alt.enum) out.add(JSON.stringify(v));
    else if (alt.type === 'integer' || alt.type === 'number') {
      out.add(alt.type === 'integer' ? 'whole number' : 'number');
      for (const bound of [alt.minimum, alt.exclusiveMinimum, alt.maximum]) if (bound !== undefined && bound < Number.MAX_SAFE_INTEGER) out.add(String(bound));
    } else if (alt.type === 'boolean') out.add('true or false');
    else if (alt.type === 'string') out.add('string');
    else if (alt.type === 'object') for (const key of Object.keys(alt.properties ?? {})) out.add(key);
  }
  return [...out];
}

const jsonType = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
const acceptedTypes = (s: JsonSchema) =>
  new Set(alternatives(s).map((a) => (a.type === 'integer' ? 'number' : (a.type ?? (a.enum ? jsonType(a.enum[0]) : 'any')))));

/** A value of a JSON type the field takes in no form. */
function wrongType(s: JsonSchema): unknown {
  const taken = acceptedTypes(s);
  return ['x', 12345, true, { zz: 1 }, ['x']].find((v) => !taken.has(jsonType(v)));
}

/** A value of an accepted type that the field does not allow, or undefined where every value of its type is allowed. */
function unknownValue(s: JsonSchema): unknown {
  const alts = alternatives(s);
  const scalar = alts.find((a) => a.type !== 'array' && a.type !== 'object') ?? alts.find((a) => a.type === 'array' && a.items)?.items;
  if (!scalar) return undefined;
  const inList = (v: unknown) => (alts.some((a) => a.type !== 'array') ? v : [v]);
  const item = alternatives(scalar)[0];
  if (item.enum) return inList('no-such-value');
  if (item.type === 'integer' || item.type === 'number') {
    if (item.maximum !== undefined && item.maximum < Number.MAX_SAFE_INTEGER) return inList(item.maximum + 1);
    if (item.exclusiveMinimum !== undefined) return inList(item.exclusiveMinimum);
    if (item.minimum !== undefined) return inList(item.minimum - 1);
    return undefined;
  }
  if (item.type === 'string' && scalar.description) return inList('not a valid value!');
  return undefined;
}

function withValue(path: (string | number)[], value: unknown | typeof REMOVE): unknown {
  const input = valid() as Record<string | number, unknown>;
  let at = input;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (value === REMOVE) delete at[last];
  else at[last] = value;
  return input;
}
const REMOVE = Symbol('remove');

function errorOf(input: unknown): string {
  try {
    parseSuite(input, FILE);
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail(`accepted: ${JSON.stringify(input)}`);
}

/** The error's line about `path` (or an item of it), which must say what the field accepts. */
function assertNamesFieldAndAccepts(message: string, field: Field, what: string): void {
  const prefix = `${FILE}: ${formatPath(field.path)}`;
  const line = message.split('\n').find((l) => l.startsWith(`${prefix}:`) || l.startsWith(`${prefix}[`) || l.startsWith(`${prefix}.`));
  assert.ok(line, `${what} ${formatPath(field.path)}: no line names the field in\n${message}`);
  for (const fact of facts(field.schema)) assert.ok(line.includes(fact), `${what} ${formatPath(field.path)}: "${fact}" is not said in\n${line}`);
}

const schema = suiteJsonSchemaObject();
const fields = fieldsOf(schema);

describe('every schema error says what the field accepts', () => {
  it('the walk sees every field of the schema, and the valid suite it starts from is valid', () => {
    parseSuite(valid(), FILE);
    const names = fields.map((f) => formatPath(f.path));
    for (const known of [
      'name',
      'runtimes',
      'sweeps[0].leafWidth',
      'sweeps[0].activation',
      'sweeps[0].depth.from',
      'encoders[0].feedforward',
      'measurement.calibrate',
      'limits.maxWeightBytes',
      'seed',
    ]) {
      assert.ok(names.includes(known), `${known} walked (walked: ${names.join(', ')})`);
    }
    assert.ok(fields.length >= 35, `${fields.length} fields`);
  });

  it('a wrong type', () => {
    for (const field of fields) assertNamesFieldAndAccepts(errorOf(withValue(field.path, wrongType(field.schema))), field, 'wrong type at');
  });

  it('a required value left out', () => {
    const required = fields.filter((f) => f.required);
    assert.ok(required.length >= 9, required.map((f) => formatPath(f.path)).join(', '));
    for (const field of required) {
      const message = errorOf(withValue(field.path, REMOVE));
      assertNamesFieldAndAccepts(message, field, 'missing');
      assert.match(message, new RegExp(`${formatPath(field.path).replace(/[[\].]/g, '\\$&')}: missing: give `));
    }
  });

  it('a value the field does not allow (an unknown name, a number out of range, a malformed text, an unknown field)', () => {
    let checked = 0;
    for (const field of fields) {
      const value = unknownValue(field.schema);
      if (value !== undefined) {
        assertNamesFieldAndAccepts(errorOf(withValue(field.path, value)), field, `value ${JSON.stringify(value)} at`);
        checked++;
      }
      if (alternatives(field.schema).some((a) => a.type === 'object' && a.properties)) {
        const objectPath = [...field.path];
        const allowed = Object.keys(alternatives(field.schema).find((a) => a.type === 'object')!.properties!);
        const target = withValue(objectPath, { ...((valueAt(valid(), objectPath) as object) ?? {}), colour: 'red' });
        const line = errorOf(target)
          .split('\n')
          .find((l) => l.startsWith(`${FILE}: ${formatPath([...objectPath, 'colour'])}: unknown field`));
        assert.ok(line, `unknown field in ${formatPath(objectPath)}`);
        for (const name of allowed) assert.ok(line.includes(name), `${name} listed in\n${line}`);
        checked++;
      }
    }
    assert.ok(checked >= 30, `${checked} fields given a value they do not allow`);
  });

  it('the two errors a new user meets first say what is allowed', () => {
    const sweep = { inputDim: 8, outputDim: 4, depth: 1, batchSize: 1 };
    assert.match(
      errorOf({ name: 'x', sweeps: [sweep] }),
      /walk\.json: sweeps\[0\]\.leafWidth: missing: give a whole number from 1 to 65536, or a non-empty list of them/,
    );
    assert.match(
      errorOf({ name: 'x', sweeps: [{ ...sweep, leafWidth: 2, activation: 'tanh' }] }),
      /walk\.json: sweeps\[0\]\.activation: expected "relu" or "gelu", or a non-empty list of them \(given: "tanh"\)/,
    );
  });
});

function valueAt(input: unknown, path: (string | number)[]): unknown {
  let at = input as Record<string | number, unknown> | undefined;
  for (const key of path) at = at?.[key] as Record<string | number, unknown> | undefined;
  return at;
}
