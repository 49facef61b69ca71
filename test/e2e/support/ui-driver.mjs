// Runs the UI entry points from the compiled dist/ the way the CLI will:
//   node test/e2e/support/ui-driver.mjs live [--source auto|bpf|procfs] [--record FILE] [--no-typed]
//   node test/e2e/support/ui-driver.mjs replay [--speed N] [--strict] FILE...
// Used by the e2e tests only while bin/sessiontop.js does not dispatch `replay` / the live view yet.
import { parseArgs } from 'node:util';

const root = new URL('../../../', import.meta.url);
const [command, ...rest] = process.argv.slice(2);
if (command === 'replay') {
  const { values, positionals } = parseArgs({ args: rest, options: { speed: { type: 'string' }, strict: { type: 'boolean' } }, allowPositionals: true });
  const { runReplay } = await import(new URL('dist/src/ui/run-replay.js', root).href);
  process.exitCode = await runReplay(positionals, { strict: values.strict ?? false, ...(values.speed ? { speed: Number(values.speed) } : {}) });
} else {
  const { values } = parseArgs({ args: rest, options: { source: { type: 'string' }, record: { type: 'string' }, force: { type: 'boolean' }, 'no-typed': { type: 'boolean' } } });
  const { runLive } = await import(new URL('dist/src/ui/run-live.js', root).href);
  process.exitCode = await runLive({
    source: values.source ?? 'auto',
    typed: !values['no-typed'],
    ...(values.record ? { record: values.record, forceRecord: values.force ?? false } : {}),
  });
}
