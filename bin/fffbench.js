#!/usr/bin/env node
// Installed entry point: registers tsx, so that the TypeScript CLI runs on every Node the engines field
// admits, whatever that Node's own type stripping allows.
import { register } from 'tsx/esm/api';

register();
await import('../runners/cli.ts');
