#!/usr/bin/env node
// Installed entry point: registers tsx so the TypeScript CLI runs on Node 20, which cannot strip types.
import { register } from 'tsx/esm/api';

register();
await import('../runners/cli.ts');
