import { describe, expect, it } from 'vitest';
import { recordLineSchema, validateRecordLine, validateRecordLineWithZod } from '../../src/record/schema.js';
import { buildRichSession } from './rich-session.js';

const T = '2024-05-01T10:00:00.123456Z';
const minimalFull = (action: string): Record<string, unknown> => ({
  '@timestamp': T,
  event: { action },
  process: { pid: 42, executable: '/bin/true', parent: { pid: 1 }, session_leader: { pid: 42 }, group_leader: { pid: 42 } },
});

function reasonOf(value: unknown): string {
  const v = validateRecordLine(value);
  return v.ok ? 'ok' : v.reason;
}

describe('record line schema: the minimum a line needs', () => {
  it.each(['snapshot', 'fork', 'exec'])('a minimal %s line is accepted', (action) => {
    expect(reasonOf(minimalFull(action))).toBe('ok');
  });

  it.each(['end', 'setsid', 'setpgid', 'id_change', 'typed'])('a minimal %s line needs only @timestamp, event.action, process.pid', (action) => {
    expect(reasonOf({ '@timestamp': T, event: { action }, process: { pid: 7 } })).toBe('ok');
  });

  it('a lost line needs sessiontop.lost instead of a process', () => {
    expect(reasonOf({ '@timestamp': T, event: { action: 'lost' }, sessiontop: { lost: 12 } })).toBe('ok');
    expect(reasonOf({ '@timestamp': T, event: { action: 'lost' } })).toBe('sessiontop.lost: required for lost');
  });

  it.each([
    ['process.parent.pid', (l: Record<string, any>) => delete l.process.parent],
    ['process.session_leader.pid', (l: Record<string, any>) => delete l.process.session_leader.pid],
    ['process.group_leader.pid', (l: Record<string, any>) => delete l.process.group_leader],
    ['process.executable', (l: Record<string, any>) => delete l.process.executable],
  ])('an exec line without %s is rejected, saying so', (path, mutate) => {
    const line = minimalFull('exec');
    mutate(line as Record<string, any>);
    expect(reasonOf(line)).toBe(`${path}: required for exec`);
  });

  it('a line without process.pid, @timestamp or event.action is rejected', () => {
    expect(reasonOf({ '@timestamp': T, event: { action: 'end' } })).toBe('process.pid: required');
    expect(reasonOf({ event: { action: 'end' }, process: { pid: 1 } })).toMatch(/^@timestamp: /);
    expect(reasonOf({ '@timestamp': T, event: {}, process: { pid: 1 } })).toMatch(/^event\.action: /);
    expect(reasonOf({ '@timestamp': T, process: { pid: 1 } })).toMatch(/^event: /);
  });
});

describe('record line schema: types', () => {
  const cases: [string, (l: Record<string, any>) => void, RegExp][] = [
    ['pid as a string', (l) => (l.process.pid = '42'), /^process\.pid: .*number/],
    ['negative pid', (l) => (l.process.pid = -1), /^process\.pid: /],
    ['fractional pid', (l) => (l.process.pid = 4.5), /^process\.pid: /],
    ['unknown action', (l) => (l.event.action = 'explode'), /^event\.action: /],
    ['date that is not ISO 8601', (l) => (l['@timestamp'] = 'yesterday'), /^@timestamp: /],
    ['date without a zone', (l) => (l.process.start = '2024-05-01T10:00:00'), /^process\.start: /],
    ['args not an array', (l) => (l.process.args = 'ls -l'), /^process\.args: /],
    ['arg not a string', (l) => (l.process.args = ['ls', 3]), /^process\.args\.1: /],
    ['non-numeric user id', (l) => (l.process.user = { id: 'root' }), /^process\.user\.id: expected a numeric id string/],
    ['tty major as a string', (l) => (l.process.tty = { char_device: { major: '136', minor: 0 } }), /^process\.tty\.char_device\.major: /],
    ['interactive as a string', (l) => (l.process.interactive = 'true'), /^process\.interactive: /],
    ['source ip that is no ip', (l) => (l.process.entry_leader = { entry_meta: { source: { ip: 'not-an-ip' } } }), /^process\.entry_leader\.entry_meta\.source\.ip: /],
    ['unknown exit cause', (l) => (l.sessiontop = { exit_cause: 'exploded' }), /^sessiontop\.exit_cause: /],
    ['lost count negative', (l) => (l.sessiontop = { lost: -3 }), /^sessiontop\.lost: /],
    ['stdin type unknown', (l) => (l.sessiontop = { stdin: { type: 'tty' } }), /^sessiontop\.stdin\.type: /],
    ['process as an array', (l) => (l.process = [1]), /^process: /],
    ['null host', (l) => (l.host = null), /^host: /],
  ];
  it.each(cases)('rejects %s with the field path in the reason', (_name, mutate, reason) => {
    const line = minimalFull('exec') as Record<string, any>;
    mutate(line);
    expect(reasonOf(line)).toMatch(reason);
  });

  it('rejects values that are not objects in one line', () => {
    expect(reasonOf([1, 2])).toBe('a JSON array, not an object (a recording has one JSON object per line)');
    expect(reasonOf('text')).toBe('a JSON string, not an object');
    expect(reasonOf(null)).toBe('a JSON null, not an object');
    expect(reasonOf(5)).toBe('a JSON number, not an object');
  });

  it('accepts ISO dates with offsets and any sub-second precision, and IPv6 sources', () => {
    const line = minimalFull('exec') as Record<string, any>;
    line['@timestamp'] = '2024-05-01T12:00:00.5+02:00';
    line.process.start = '2024-05-01T09:59:59Z';
    line.process.entry_leader = { entry_meta: { type: 'sshd', source: { ip: '2001:db8::7' } } };
    expect(reasonOf(line)).toBe('ok');
  });

  it('ignores unknown fields (never rejects them) at every level', () => {
    const line = minimalFull('exec') as Record<string, any>;
    line.agent = { type: 'filebeat', version: '8.13.0' };
    line.process.thread = { id: 5 };
    line.process.parent.weird = [null, { deep: true }];
    line.sessiontop = { future_field: 'x', start_ticks: 12 };
    const v = validateRecordLine(line);
    expect(v.ok).toBe(true);
    // zod strips them from its parsed copy; the fast path hands back the input (the reader ignores them)
    const z = recordLineSchema.parse(line) as Record<string, any>;
    expect(z.agent).toBeUndefined();
    expect(z.sessiontop.start_ticks).toBe(12);
  });
});

describe('the compiled fast check agrees with zod', () => {
  const samples = buildRichSession().lines.map((l) => JSON.parse(l) as unknown);

  /** Every leaf path with its value, for mutation. */
  function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
    if (v !== null && typeof v === 'object') {
      for (const [k, sub] of Object.entries(v)) {
        const p = [...prefix, Array.isArray(v) ? Number(k) : k];
        out.push(p);
        paths(sub, p, out);
      }
    }
    return out;
  }
  function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
    const copy = structuredClone(root) as Record<string | number, unknown>;
    let o = copy as Record<string | number, unknown>;
    for (let i = 0; i < path.length - 1; i++) o = o[path[i] as string] as Record<string | number, unknown>;
    const last = path[path.length - 1] as string;
    if (value === DELETE) delete o[last];
    else o[last] = value;
    return copy;
  }
  const DELETE = Symbol('delete');
  const replacements: unknown[] = [DELETE, null, 'text', '', '12', -1, 1.5, 2 ** 40, true, [], ['x'], {}, '2024-13-45T99:00:00Z', '10.0.0.256'];

  it('on every sample line and on every single-field mutation of it', () => {
    let compared = 0;
    let rejected = 0;
    for (const sample of samples) {
      expect(validateRecordLine(sample).ok).toBe(true);
      for (const p of paths(sample)) {
        for (const r of replacements) {
          const mutated = setAt(sample, p, r);
          const fast = validateRecordLine(mutated);
          const slow = validateRecordLineWithZod(mutated);
          if (fast.ok !== slow.ok) throw new Error(`disagree at ${p.join('.')} = ${String(r)}: fast ${fast.ok}, zod ${slow.ok}`);
          if (!fast.ok) rejected++;
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(5000);
    expect(rejected).toBeGreaterThan(compared / 3);
  });
});
