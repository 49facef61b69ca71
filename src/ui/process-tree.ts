/**
 * The rows of the selected session's process tree: processes depth-first (children by start), with
 *
 * - a subhead before each sub-session (tmux/screen pane, sudo pty session...) inside the entry
 *   session;
 * - the lines typed at a shell inline among its children, each before the processes it started;
 * - shell noise (shell-noise.ts) and everything under it left out unless verbose;
 * - repeated identical finished commands folded into one counted row (command-folding.ts);
 * - tree connectors (├─ └─ │) computed here so the view only prints them.
 */

import type { ProcessNode, SessionTreeRow, TypedLine } from '../model/types.js';
import { flattenForest } from '../model/session-view.js';
import { foldRepeats, repeatKey } from './command-folding.js';
import { isShellNoise } from './shell-noise.js';

export type TreeEntryKind = 'process' | 'typed' | 'subhead';

export interface TreeEntry {
  readonly kind: TreeEntryKind;
  /** The process; for a typed line the shell it was typed at; for a subhead the sub-session leader. */
  readonly node: ProcessNode;
  readonly line: TypedLine | null;
  readonly depth: number;
  /** Connector glyphs before the row's text. */
  readonly prefix: string;
  readonly key: string;
  /** Shell noise shown because verbose is on. */
  readonly noise: boolean;
  /** Identical finished commands this row stands for (1: itself only); `node` is the newest. */
  readonly repeat: number;
}

export interface TreeBuild {
  entries: TreeEntry[];
  /** Processes left out as shell noise (verbose off). */
  hidden: number;
  /** Key of a process folded into a repeat row → the key of that row (search jumps there). */
  folded?: Map<string, string>;
}

/** Deepest level drawn with connectors; deeper rows keep this indentation. */
export const MAX_DRAWN_DEPTH = 24;

interface Item {
  node: ProcessNode;
  line: TypedLine | null;
  lineIndex: number;
  subSession: boolean;
  noise: boolean;
  children: Item[];
}

export function processKey(n: ProcessNode): string {
  return `p:${n.entityId}`;
}

export function buildTree(rows: readonly SessionTreeRow[], verbose: boolean): TreeBuild {
  // Rebuild the hierarchy from the depth-first rows.
  const roots: Item[] = [];
  const stack: Item[] = [];
  const hiddenAt: boolean[] = [];
  let hidden = 0;
  for (const r of rows) {
    const depth = Math.min(r.depth, stack.length);
    stack.length = depth;
    hiddenAt.length = depth;
    const parentHidden = depth > 0 && (hiddenAt[depth - 1] as boolean);
    const noise = isShellNoise(r.node);
    const isHidden = parentHidden || (!verbose && noise);
    const item: Item = { node: r.node, line: null, lineIndex: -1, subSession: r.subSessionStart, noise, children: [] };
    stack.push(item);
    hiddenAt.push(isHidden);
    if (isHidden) {
      hidden++;
      continue;
    }
    if (depth === 0) roots.push(item);
    else (stack[depth - 1] as Item).children.push(item);
  }

  // Depth-first with an explicit stack (a pathological chain of thousands of nested processes
  // must not overflow the call stack).
  const entries: TreeEntry[] = [];
  interface Frame {
    items: Item[];
    counts: number[];
    index: number;
    depth: number;
    lead: string;
  }
  const folded = new Map<string, string>();
  const frame = (items: Item[], depth: number, lead: string): Frame => {
    const runs = foldRepeats(items, (it) => (it.line !== null || it.subSession ? null : repeatKey(it.node, it.children.length > 0 || it.node.typed.length > 0)));
    if (runs.length === items.length) return { items, counts: [], index: 0, depth, lead };
    const kept: Item[] = [];
    const counts: number[] = [];
    let k = 0;
    for (const r of runs) {
      if (r.count > 1) {
        const key = processKey(r.item.node);
        for (let i = 0; i < r.count - 1; i++) folded.set(processKey((items[k + i] as Item).node), key);
      }
      k += r.count;
      kept.push(r.item);
      counts.push(r.count);
    }
    return { items: kept, counts, index: 0, depth, lead };
  };
  const frames: Frame[] = [frame(roots, 0, '')];
  while (frames.length > 0) {
    const f = frames[frames.length - 1] as Frame;
    if (f.index >= f.items.length) {
      frames.pop();
      continue;
    }
    const repeat = f.counts.length === 0 ? 1 : (f.counts[f.index] as number);
    const it = f.items[f.index++] as Item;
    const last = f.index === f.items.length;
    const depth = f.depth;
    const drawn = depth > 0 && depth <= MAX_DRAWN_DEPTH;
    const prefix = drawn ? f.lead + (last ? '└─' : '├─') : f.lead;
    const childLead = drawn ? f.lead + (last ? '  ' : '│ ') : f.lead;
    if (it.line !== null) {
      entries.push({
        kind: 'typed',
        node: it.node,
        line: it.line,
        depth,
        prefix,
        key: typedKey(it.node, it.line, it.lineIndex),
        noise: false,
        repeat: 1,
      });
      continue;
    }
    if (it.subSession) {
      entries.push({ kind: 'subhead', node: it.node, line: null, depth, prefix: drawn ? `${f.lead}┆ ` : f.lead, key: `s:${it.node.entityId}`, noise: false, repeat: 1 });
    }
    entries.push({ kind: 'process', node: it.node, line: null, depth, prefix, key: processKey(it.node), noise: it.noise, repeat });
    const below = mergeTyped(it);
    if (below.length > 0) frames.push(frame(below, depth + 1, childLead));
  }
  return folded.size === 0 ? { entries, hidden } : { entries, hidden, folded };
}

/** Key of the row of a typed line (`index` in the shell's typed lines). */
export function typedKey(shell: ProcessNode, line: TypedLine, index: number): string {
  return `t:${shell.entityId}:${line.time}:${index}`;
}

/** The children of `parent` with the lines typed at it merged in, each line before the processes it started. */
function mergeTyped(parent: Item): Item[] {
  const typed = parent.node.typed;
  const kids = parent.children;
  if (typed.length === 0) return kids;
  const out: Item[] = [];
  let k = 0;
  for (let t = 0; t < typed.length; t++) {
    const line = typed[t] as TypedLine;
    while (k < kids.length && (kids[k] as Item).node.start < line.time) out.push(kids[k++] as Item);
    out.push({ node: parent.node, line, lineIndex: t, subSession: false, noise: false, children: [] });
  }
  while (k < kids.length) out.push(kids[k++] as Item);
  return out;
}

/**
 * The processes in no entry session (pid 1, kernel threads, leaderless ones) as tree rows: each
 * under its parent when the parent is among them (kernel threads under kthreadd), by pid.
 */
export function unattachedRows(nodes: readonly ProcessNode[]): SessionTreeRow[] {
  const set = new Set(nodes);
  const children = new Map<ProcessNode, ProcessNode[]>();
  const roots: ProcessNode[] = [];
  for (const n of nodes) {
    const p = n.parent;
    if (p !== null && p !== n && set.has(p)) {
      let list = children.get(p);
      if (list === undefined) children.set(p, (list = []));
      list.push(n);
    } else {
      roots.push(n);
    }
  }
  return flattenForest(roots, children, () => false);
}
