/**
 * Everything a ProcessTable holds, as plain data, for tests that two tables are the same: every
 * field of every node (the table's and the evicted ones still linked to) with links as entity ids,
 * exec history and typed lines in full, every list in its order (pid map, pending snapshots,
 * exited noise, each session's members and history), sessions with their terminal output,
 * counters. Order stamps are left out (they are numbers from a process-wide counter, so two
 * replays of the same events number differently); the orders they keep are compared instead.
 */
import { EntrySessionRecord } from '../../src/model/entry-session.js';
import { ProcessRecord } from '../../src/model/process-record.js';
import type { ProcessTable } from '../../src/model/process-table.js';

/** Fields that are bookkeeping of copies, or lists compared through their order instead. */
const NOT_COMPARED = new Set([
  'host', 'cachedEntityId', 'identity', 'frozen', 'joinStamp', 'exitStamp', 'keyStamp',
  'memberOf', 'memberPrev', 'memberNext', 'exitedPrev', 'exitedNext',
]);

function ref(v: unknown): unknown {
  if (v instanceof ProcessRecord) return `node ${v.entityId}`;
  if (v instanceof EntrySessionRecord) return `session ${v.id}`;
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' && x !== null && !(x instanceof ProcessRecord) ? { ...x } : ref(x)));
  return v;
}

function nodeDump(r: ProcessRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(r)) if (!NOT_COMPARED.has(k)) out[k] = ref((r as unknown as Record<string, unknown>)[k]);
  out.entityId = r.entityId;
  out.member = r.memberOf !== null;
  return out;
}

function sessionDump(s: EntrySessionRecord): Record<string, unknown> {
  const members: string[] = [];
  for (const m of s.members) members.push(m.entityId);
  const history: string[] = [];
  for (let h = s.historyHead as ProcessRecord | null; h !== null; h = h.exitedNext) history.push(h.entityId);
  const terminals: unknown[] = [];
  for (const [tty, l] of s.terminals ?? []) {
    terminals.push({ tty, text: l.chunks.map((c) => `${c.time}/${c.pid}/${c.rows}x${c.columns}:${c.text}`), appended: l.appended, dropped: l.dropped, held: l.held, bytes: l.bytes, skipped: l.skipped, capped: l.capped, rows: l.rows, columns: l.columns });
  }
  return {
    id: s.id,
    type: s.type,
    sourceIp: s.sourceIp,
    lastActivity: s.lastActivity,
    liveCount: s.liveCount,
    lastTyped: s.lastTyped === null ? null : { ...s.lastTyped },
    lastTypedBy: s.lastTypedBy?.entityId ?? null,
    lastUserEntered: s.lastUserEntered?.entityId ?? null,
    loginRemnant: s.loginRemnant,
    historyCount: s.historyCount,
    state: s.state,
    end: s.end,
    members,
    history,
    terminals,
    lastWrittenTty: s.lastWrittenTty,
    shownTty: s.terminal?.tty ?? 0,
  };
}

export function dumpTable(table: ProcessTable): Record<string, unknown> {
  const t = table.internals();
  const nodes = new Map<ProcessRecord, Record<string, unknown>>();
  const queue: ProcessRecord[] = [];
  const see = (r: ProcessRecord | null): void => {
    if (r === null || nodes.has(r)) return;
    nodes.set(r, {});
    queue.push(r);
  };
  const pidOrder: [number, string[]][] = [];
  for (const [pid, head] of t.byPid) {
    const chain: string[] = [];
    for (let r: ProcessRecord | null = head; r !== null; r = r.olderSamePid) {
      chain.push(r.entityId);
      see(r);
    }
    pidOrder.push([pid, chain]);
  }
  const sessions = [...t.sessions];
  for (const s of sessions) {
    see(s.leader as ProcessRecord);
    see(s.lastTypedBy as ProcessRecord | null);
    see(s.lastUserEntered as ProcessRecord | null);
  }
  // evicted nodes still linked to, in the order they are first reached
  for (let i = 0; i < queue.length; i++) {
    const r = queue[i] as ProcessRecord;
    nodes.set(r, nodeDump(r));
    see(r.parent);
    see(r.groupLeader);
    see(r.sessionLeader);
    see(r.entryLeader);
    see(r.lastUserEntered);
  }
  const noise: string[] = [];
  for (let r = t.exitedHead; r !== null; r = r.exitedNext) noise.push(r.entityId);
  const loginByAudit = [...t.loginByAudit].filter(([, s]) => t.sessions.has(s)).map(([id, s]) => [id, s.id]).sort((a, b) => (a[0] as number) - (b[0] as number));
  return {
    stats: table.stats(),
    counters: t.counters,
    pidOrder,
    pending: t.pending.map((r) => r.entityId).sort(),
    noise,
    typedShells: [...t.typedShells].sort(),
    loginByAudit,
    sessions: sessions.map(sessionDump),
    nodes: [...nodes.values()].sort((a, b) => String(a.entityId).localeCompare(String(b.entityId)) || JSON.stringify(a).localeCompare(JSON.stringify(b))),
  };
}
