/**
 * A local user names a process with terminal escapes and invisible text; root looks at it with
 * `snapshot`, `snapshot --json` and `trace`. Nothing the terminal would act on (C1 controls such
 * as 8-bit CSI/OSC, bidi overrides, line separators) or that hides text (tag characters, Hangul
 * fillers, zero-width) may reach stdout raw; the JSON still parses back to the exact argv.
 */
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cli-harness.js';
import { sensorSkipReason } from '../support/sensor-harness.js';
import { type ThrowawayUser, createThrowawayUser, unprivilegedUnavailable } from '../support/unprivileged-user.js';

const skip = unprivilegedUnavailable();
if (skip) console.log(`hostile-text: skipped: ${skip}`);
const bpfSkip = sensorSkipReason();

const HOSTILE = 'st-hostile-\u009d0;X\u009c\u009b2J\u202eexe.txt\u2028line\u{e0041}\u{e0042}\u3164\u200bend';
const MARK = 'st-hostile-';
/** Raw characters that must never be on stdout. */
const RAW_UNSAFE = /[\u0080-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b-\u200f\u3164\u{e0000}-\u{e007f}]/u;

describe.skipIf(skip)('hostile process text reaches no terminal raw', () => {
  let user: ThrowawayUser;
  let pid = 0;
  let stop: () => void = () => undefined;
  beforeAll(async () => {
    user = createThrowawayUser('txt');
  });
  afterAll(() => {
    stop();
    user?.remove();
  });

  /** The user starts `sh -c 'sleep 60; :' HOSTILE HOSTILE` (argv keeps the hostile strings). */
  function startHostile(): void {
    const child = user.spawn('/bin/sh', ['-c', 'sleep 60; :', HOSTILE, HOSTILE]);
    pid = child.pid as number;
    stop = () => child.kill();
  }

  it('snapshot --json escapes them as \\u escapes and parses back to the exact argv; snapshot text escapes them', () => {
    startHostile();
    spawnSync('sleep', ['0.3']);
    const json = spawnSync(process.execPath, [CLI, 'snapshot', '--json'], { encoding: 'utf8', timeout: 60_000 });
    expect(json.status).toBe(0);
    expect(json.stdout).not.toMatch(RAW_UNSAFE);
    expect(json.stdout).toContain('\\u009b2J');
    const line = json.stdout.split('\n').find((l) => l.includes(`"pid":${pid},`));
    expect(line).toBeDefined();
    const doc = JSON.parse(line as string) as { process: { args: string[] } };
    expect(doc.process.args).toEqual(['/bin/sh', '-c', 'sleep 60; :', HOSTILE, HOSTILE]);

    const text = spawnSync(process.execPath, [CLI, 'snapshot', '--all'], { encoding: 'utf8', timeout: 60_000 });
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(MARK);
    expect(text.stdout).not.toMatch(RAW_UNSAFE);
    expect(text.stdout).toContain('\\x9b2J');
    stop();
  });

  it.skipIf(bpfSkip)('trace escapes them too', async () => {
    const trace = spawn(process.execPath, [CLI, 'trace', '--duration', '60', '--action', 'exec'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    trace.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const closed = new Promise<number | null>((resolve) => trace.on('close', resolve));
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // the sensor is attached once an exec of ours shows up (a fixed wait is too short on a busy machine)
    for (let i = 0; i < 100 && !out.includes('st-trace-ready'); i++) {
      spawn('/bin/true', ['st-trace-ready']);
      await sleep(200);
    }
    startHostile();
    for (let i = 0; i < 50 && !out.includes(MARK); i++) await sleep(200);
    trace.kill('SIGINT');
    const code = await closed;
    stop();
    expect(code).toBe(0);
    expect(out).toContain(MARK);
    expect(out).not.toMatch(RAW_UNSAFE);
    const line = out.split('\n').find((l) => l.includes(MARK) && l.includes(`"pid":${pid}`)) ?? out.split('\n').find((l) => l.includes(MARK));
    expect(JSON.stringify(JSON.parse(line as string))).toContain(MARK);
  });
});
