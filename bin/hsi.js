#!/usr/bin/env node
// Runs the command-line entry point from source (TypeScript through tsx).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src-main/web/cli.ts');
await main(process.argv.slice(2));
