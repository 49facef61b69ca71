#!/usr/bin/env node
// sessiontop launcher: the compiled CLI is dist/src/ in a source checkout (npm run build), or
// dist/package/ in an installed package (npm pack compiles src/ alone there).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = [new URL('../dist/src/cli.js', import.meta.url), new URL('../dist/package/cli.js', import.meta.url)].find((url) =>
  existsSync(fileURLToPath(url)),
);
if (!cli) {
  process.stderr.write('sessiontop: not built yet: run npm run build in ' + fileURLToPath(new URL('..', import.meta.url)) + '\n');
  process.exit(1);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
