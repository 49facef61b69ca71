/**
 * Read-only queries over entry sessions for the UI: the sessions list, the sub-sessions (setsid
 * sessions: tmux/screen panes, sudo pty sessions) of one entry session, and its process tree
 * flattened depth-first. Pure functions over the nodes; they allocate their answers (called at UI
 * refresh rate, not per event).
 */

import type { EntrySession, ProcessNode, SessionTreeRow, SessionViewOptions, SubSession } from './types.js';

/** Longest parent chain followed when looking for an included ancestor. */
const MAX_ANCESTOR_WALK = 256;

/** When a person last acted in a session: its latest typed line or person-entered command, else its start. */
export function lastPersonAct(s: EntrySession): number {
  let t = s.start;
  if (s.lastTyped !== null && s.lastTyped.time > t) t = s.lastTyped.time;
  const ue = s.lastUserEntered;
  if (ue !== null && ue.start > t) t = ue.start;
  return t;
}

/**
 * What a session runs now, as `w`'s WHAT: its newest live person-entered process, else its newest
 * live interactive shell, else its leader.
 */
export function foregroundOf(s: EntrySession): ProcessNode {
  let entered: ProcessNode | null = null;
  let shell: ProcessNode | null = null;
  for (const n of s.members) {
    if (n.exited) continue;
    if (n.personEntered && (entered === null || n.start >= entered.start)) entered = n;
    else if (n.interactive && n.tty !== 0 && n.typed.length > 0 && (shell === null || n.start >= shell.start)) shell = n;
  }
  return entered ?? shell ?? s.leader;
}

/** Sessions matching `opts`, most recently active first. */
export function listEntrySessions(sessions: Iterable<EntrySession>, opts: SessionViewOptions = {}): EntrySession[] {
  const includeServices = opts.includeServices ?? false;
  const includeExited = opts.includeExited ?? true;
  const out: EntrySession[] = [];
  for (const s of sessions) {
    if (!includeServices && s.service) continue;
    if (!includeExited && s.liveCount === 0) continue;
    out.push(s);
  }
  out.sort((a, b) => b.lastActivity - a.lastActivity || a.start - b.start);
  return out;
}

/**
 * The sessions (by sid) inside an entry session: the entry leader's own first, then the others by
 * their leader's start. Processes of each are ordered by start.
 */
export function listSubSessions(entry: EntrySession, opts: SessionViewOptions = {}): SubSession[] {
  const includeExited = opts.includeExited ?? true;
  const bySid = new Map<number, { sid: number; leader: ProcessNode | null; processes: ProcessNode[] }>();
  for (const n of entry.members) {
    if (!includeExited && n.exited) continue;
    let group = bySid.get(n.sid);
    if (group === undefined) {
      group = { sid: n.sid, leader: null, processes: [] };
      bySid.set(n.sid, group);
    }
    group.processes.push(n);
    if (n.pid === n.sid) {
      if (group.leader === null || group.leader.pid !== n.sid || n.start >= group.leader.start) group.leader = n;
    } else if (group.leader === null) {
      group.leader = n.sessionLeader;
    }
  }
  const out = [...bySid.values()];
  for (const g of out) g.processes.sort(byStart);
  const entrySid = entry.leader.sid;
  out.sort((a, b) => {
    if (a.sid === entrySid) return -1;
    if (b.sid === entrySid) return 1;
    return (a.leader?.start ?? a.processes[0]?.start ?? 0) - (b.leader?.start ?? b.processes[0]?.start ?? 0);
  });
  return out;
}

/**
 * The entry session's process tree, depth-first, children by start. A process whose parent is
 * outside the session (or excluded) hangs under its nearest included ancestor, else is a root.
 */
export function flattenSessionTree(entry: EntrySession, opts: SessionViewOptions = {}): SessionTreeRow[] {
  const includeExited = opts.includeExited ?? true;
  const members = entry.members;
  const included = (n: ProcessNode): boolean => members.has(n) && (includeExited || !n.exited);
  const children = new Map<ProcessNode, ProcessNode[]>();
  const roots: ProcessNode[] = [];
  for (const n of members) {
    if (!included(n)) continue;
    let p = n.parent;
    for (let i = 0; p !== null && !included(p) && i < MAX_ANCESTOR_WALK; i++) p = p.parent;
    if (p === null || p === n || !included(p)) {
      roots.push(n);
      continue;
    }
    let list = children.get(p);
    if (list === undefined) {
      list = [];
      children.set(p, list);
    }
    list.push(n);
  }
  roots.sort(byStart);
  for (const list of children.values()) list.sort(byStart);
  return flattenForest(roots, children, (node) => node.pid === node.sid && node !== entry.leader);
}

/**
 * Rows of a forest, depth-first, in the order of `roots` and of each children list; a node is
 * listed once even if reachable twice.
 */
export function flattenForest(
  roots: readonly ProcessNode[],
  children: ReadonlyMap<ProcessNode, readonly ProcessNode[]>,
  subSessionStart: (node: ProcessNode) => boolean,
): SessionTreeRow[] {
  const rows: SessionTreeRow[] = [];
  const seen = new Set<ProcessNode>();
  const stack: { node: ProcessNode; depth: number }[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ node: roots[i] as ProcessNode, depth: 0 });
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: ProcessNode; depth: number };
    if (seen.has(node)) continue;
    seen.add(node);
    rows.push({ node, depth, subSessionStart: subSessionStart(node) });
    const kids = children.get(node);
    if (kids !== undefined) for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i] as ProcessNode, depth: depth + 1 });
  }
  return rows;
}

function byStart(a: ProcessNode, b: ProcessNode): number {
  return a.start - b.start || a.pid - b.pid;
}
