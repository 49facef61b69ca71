// Runs the real terminal UI (dist/) over an empty feed that throws an uncaught error after a
// moment (`throw`) or rejects a promise (`reject`): the e2e test checks the terminal comes back.
const root = new URL('../../../', import.meta.url);
process.env.NODE_ENV = 'production';
const { runWithStartupFrame } = await import(new URL('dist/src/ui/startup-run.js', root).href);
const how = process.argv[2] ?? 'throw';
const feed = {
  mode: 'live',
  live: null,
  replay: null,
  hosts: () => [],
  now: () => Date.now(),
  header: () => ({ source: 'eBPF', state: 'live', notice: '', lost: 0, recording: null, badLines: 0, replay: null }),
  async start() {
    setTimeout(() => {
      if (how === 'reject') void Promise.reject(new Error('rejected on purpose'));
      else throw new Error('thrown on purpose');
    }, 800);
  },
  close: () => '',
};
process.exitCode = await runWithStartupFrame(feed, 'crash-host', 'test', 'starting…', () => undefined);
