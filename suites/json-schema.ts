/**
 * suite.schema.json, the JSON Schema of suite files for editors (a suite's "$schema" field points
 * at it), generated from the zod schema: `npm run build:schema` writes it, and a test checks that
 * the committed file is up to date.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { JsonSchema } from './issues.ts';
import { SuiteSchema } from './schema.ts';

export const JSON_SCHEMA_URL = new URL('./suite.schema.json', import.meta.url);

let cached: JsonSchema | undefined;

/** The JSON Schema of a suite file's input: what suite.schema.json holds, and what the errors say a field accepts (issues.ts). */
export function suiteJsonSchemaObject(): JsonSchema {
  return (cached ??= z.toJSONSchema(SuiteSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
}

export function suiteJsonSchema(): string {
  return `${JSON.stringify(suiteJsonSchemaObject(), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(fileURLToPath(JSON_SCHEMA_URL), suiteJsonSchema());
  console.log(`wrote ${fileURLToPath(JSON_SCHEMA_URL)}`);
}
