/**
 * The view's pure reducer, driven directly with plain lists (no model, no store, no timers): what
 * each command does to the view state, and which effects it asks the store for.
 */
import { describe, expect, it } from 'vitest';
import type { EntrySession, ProcessNode, TypedLine } from '../../src/model/types.js';
import { processKey, typedKey, type TreeEntry } from '../../src/ui/process-tree.js';
import { searchQuery, type SearchMatch } from '../../src/ui/process-search.js';
import { KERNEL_KEY, SERVICES_KEY, sessionKey, type SessionEntry } from '../../src/ui/session-list.js';
import {
  followPerson,
  MESSAGE_MS,
  reduceCommand,
  reduceOutcome,
  settleSessions,
  settleTree,
  type ReducerLists,
  type ViewEffect,
} from '../../src/ui/view-reducer.js';
import type { Command } from '../../src/ui/key-bindings.js';
import { initialViewState, type ViewState } from '../../src/ui/view-state.js';

const NOW = 1_700_000_000_000;

// ---- plain model objects: only the fields the reducer reads

function node(pid: number, o: Partial<Record<keyof ProcessNode, unknown>> = {}): ProcessNode {
  return { pid, sid: pid, pgid: pid, name: 'bash', args: ['bash'], cwd: '/', start: pid, entityId: `e${pid}`, parent: null, typed: [], interactive: false, personEntered: false, userEntered: false, ...o } as unknown as ProcessNode;
}

function session(id: string, leader: ProcessNode, o: Partial<Record<keyof EntrySession, unknown>> = {}): EntrySession {
  return { id, leader, service: false, members: new Set([leader]), lastTyped: null, lastUserEntered: null, ...o } as unknown as EntrySession;
}

function row(s: EntrySession, hostIndex = 0): SessionEntry {
  return { kind: 'session', key: sessionKey(hostIndex, s), hostIndex, session: s, service: s.service, count: 0, live: 1 };
}

const servicesFold: SessionEntry = { kind: 'services', key: SERVICES_KEY, hostIndex: -1, session: null, service: false, count: 3, live: 5 };
const kernelFold: SessionEntry = { kind: 'kernel', key: KERNEL_KEY, hostIndex: -1, session: null, service: false, count: 9, live: 9 };

function treeRow(n: ProcessNode): TreeEntry {
  return { kind: 'process', node: n, line: null, depth: 0, prefix: '', key: processKey(n), noise: false, repeat: 1 };
}

const alice = session('alice', node(100));
const bob = session('bob', node(200));
const carol = session('carol', node(300));
const rows = [row(alice), row(bob), row(carol), servicesFold, kernelFold];
const treeNodes = [100, 101, 102, 103, 104, 105].map((pid) => node(pid));

function lists(o: Partial<ReducerLists> = {}): ReducerLists {
  return {
    entries: rows,
    tree: { entries: treeNodes.map(treeRow), hidden: 0 },
    details: [],
    pageRows: { sessions: 4, tree: 3, overlay: 10 },
    helpRows: 40,
    canRecord: true,
    recording: null,
    replay: false,
    modelNow: NOW - 500,
    recordingDir: '/var/tmp',
    hostOfNode: () => 0,
    ...o,
  };
}

function state(o: Partial<ViewState> = {}): ViewState {
  return { ...initialViewState(), selSession: rows[0]!.key, ...o };
}

function run(s: ViewState, cmd: Command, l: ReducerLists = lists()) {
  const frozen = Object.freeze({ ...s });
  const r = reduceCommand(frozen, cmd, l, NOW);
  expect(frozen).toEqual(s); // the input state is never written
  return r;
}

const kinds = (effects: readonly ViewEffect[]) => effects.map((e) => e.kind);

describe('reduceCommand: moving and paging', () => {
  it('moves the sessions cursor within the list, selects by key and asks for the new tree', () => {
    const r = run(state(), { kind: 'move', delta: 1 });
    expect(r.view.sessCursor).toBe(1);
    expect(r.view.selSession).toBe(rows[1]!.key);
    expect(r.view.selTree).toBeNull();
    expect(kinds(r.effects)).toEqual(['rebuildTree']);
    expect(run(state(), { kind: 'move', delta: -1 }).view.sessCursor).toBe(0);
    expect(run(state(), { kind: 'move', delta: -1 }).effects).toEqual([]); // same session: no rebuild
    const end = run(state(), { kind: 'end' }).view;
    expect(end.sessCursor).toBe(rows.length - 1);
    expect(end.selSession).toBe(KERNEL_KEY);
    expect(run(state({ sessCursor: 4, selSession: KERNEL_KEY }), { kind: 'move', delta: 7 }).view.sessCursor).toBe(4);
    expect(run(state({ sessCursor: 3, selSession: SERVICES_KEY }), { kind: 'home' }).view.sessCursor).toBe(0);
  });

  it('pages by the focused list’s height less one, clamped at both ends', () => {
    // sessions: 4 rows → pages of 3
    expect(run(state(), { kind: 'page', delta: 1 }).view.sessCursor).toBe(3);
    expect(run(state({ sessCursor: 3 }), { kind: 'page', delta: 1 }).view.sessCursor).toBe(4);
    expect(run(state({ sessCursor: 1 }), { kind: 'page', delta: -1 }).view.sessCursor).toBe(0);
    // tree: 3 rows → pages of 2
    const t = run(state({ focus: 'tree' }), { kind: 'page', delta: 1 }).view;
    expect(t.treeCursor).toBe(2);
    expect(t.selTree).toBe(processKey(treeNodes[2]!));
    expect(run(state({ focus: 'tree', treeCursor: 5 }), { kind: 'page', delta: 1 }).view.treeCursor).toBe(5);
    // a page of one row still moves
    expect(run(state(), { kind: 'page', delta: 1 }, lists({ pageRows: { sessions: 1, tree: 1, overlay: 1 } })).view.sessCursor).toBe(1);
  });

  it('scrolls an open overlay instead of the lists, clamped to what it holds', () => {
    const help = run(state({ overlay: 'help', helpOffset: 5 }), { kind: 'page', delta: 1 }).view;
    expect(help.helpOffset).toBe(14); // overlay: 10 rows → pages of 9
    expect(help.sessCursor).toBe(0);
    expect(run(state({ overlay: 'help' }), { kind: 'end' }).view.helpOffset).toBe(39);
    const details = lists({ details: [{ label: 'a', value: '1' }, { label: 'b', value: '2' }] as unknown as ReducerLists['details'] });
    expect(run(state({ overlay: 'detail' }), { kind: 'move', delta: 5 }, details).view.detailOffset).toBe(1);
    expect(run(state({ overlay: 'detail', detailOffset: 1 }), { kind: 'home' }, details).view.detailOffset).toBe(0);
  });

  it('a move by hand stops following and ends the search; the overlays leave follow alone', () => {
    const followed = state({ follow: true, revealNewest: true, search: { query: searchQuery('x'), matches: [], index: -1 } });
    const moved = run(followed, { kind: 'move', delta: 1 }).view;
    expect(moved.follow).toBe(false);
    expect(moved.revealNewest).toBe(false);
    expect(moved.search).toBeNull();
    expect(run({ ...followed, overlay: 'help' }, { kind: 'move', delta: 1 }).view.follow).toBe(true);
    // in the tree the search stays (n / N go on from there)
    const inTree = run({ ...followed, focus: 'tree' }, { kind: 'move', delta: 1 }).view;
    expect(inTree.follow).toBe(false);
    expect(inTree.search).not.toBeNull();
  });
});

describe('reduceCommand: open and back', () => {
  it('Enter on a session opens its leader’s details; on a tree row that row; Esc closes them', () => {
    const r = run(state({ sessCursor: 1, selSession: rows[1]!.key }), { kind: 'open' });
    expect(r.view.overlay).toBe('detail');
    expect(r.view.detailTarget).toEqual({ node: bob.leader, hostIndex: 0 });
    expect(kinds(r.effects)).toEqual(['refreshDetail']);
    const t = run(state({ focus: 'tree', treeCursor: 2 }), { kind: 'open' }).view;
    expect(t.detailTarget!.node).toBe(treeNodes[2]);
    const closed = run(t, { kind: 'back' }).view;
    expect(closed.overlay).toBe('none');
    expect(closed.detailTarget).toBeNull();
    expect(closed.focus).toBe('tree');
    expect(run(closed, { kind: 'back' }).view.focus).toBe('sessions');
  });

  it('a kernel-fold tree row takes its host from the lists', () => {
    const l = lists({ hostOfNode: (n) => (n === treeNodes[1] ? 2 : 0) });
    const v = run(state({ focus: 'tree', sessCursor: 4, selSession: KERNEL_KEY, treeCursor: 1 }), { kind: 'open' }, l).view;
    expect(v.detailTarget).toEqual({ node: treeNodes[1], hostIndex: 2 });
  });

  it('Enter on a fold unfolds it and asks for both lists again; on help closes help; in details does nothing', () => {
    const s = run(state({ sessCursor: 3, selSession: SERVICES_KEY }), { kind: 'open' });
    expect(s.view.servicesExpanded).toBe(true);
    expect(kinds(s.effects)).toEqual(['rebuildSessions', 'rebuildTree']);
    expect(run(s.view, { kind: 'open' }).view.servicesExpanded).toBe(false);
    expect(run(state({ sessCursor: 4, selSession: KERNEL_KEY }), { kind: 'open' }).view.kernelExpanded).toBe(true);
    expect(run(state({ overlay: 'help' }), { kind: 'open' }).view.overlay).toBe('none');
    const d = state({ overlay: 'detail', detailTarget: { node: alice.leader, hostIndex: 0 } });
    expect(run(d, { kind: 'open' })).toEqual({ view: d, effects: [] });
  });

  it('Esc ends a search before leaving the tree, and turns follow off last, saying so', () => {
    const searching = state({ focus: 'tree', search: { query: searchQuery('x'), matches: [], index: -1 } });
    const v1 = run(searching, { kind: 'back' }).view;
    expect(v1.search).toBeNull();
    expect(v1.focus).toBe('tree');
    const v2 = run(state({ follow: true }), { kind: 'back' }).view;
    expect(v2.follow).toBe(false);
    expect(v2.message).toEqual({ text: 'follow off', tone: 'normal', until: NOW + MESSAGE_MS });
  });
});

describe('reduceCommand: search steps', () => {
  const shell = node(101, { typed: [] });
  const line = (text: string, time: number) => ({ line: text, cwd: '/', time }) as unknown as TypedLine;
  const lineA = line('make', 10);
  const lineB = line('make install', 20);
  const matchesOf = (...list: [EntrySession, ProcessNode, TypedLine | null, number][]): SearchMatch[] =>
    list.map(([s, n, l, i]) => ({ hostIndex: 0, session: s, node: n, line: l, lineIndex: i, time: l?.time ?? n.start }));
  const three = matchesOf([alice, shell, lineA, 0], [alice, shell, lineB, 1], [carol, carol.leader, null, -1]);
  const searching = (index: number) => state({ search: { query: searchQuery('make'), matches: three, index } });

  it('n / N ask for the matches again, then step and wrap over them', () => {
    const r = run(searching(2), { kind: 'next' });
    expect(r.effects).toEqual([{ kind: 'findMatches', query: searchQuery('make'), use: 'next' }]);
    const step = (index: number, use: 'next' | 'prev') => reduceOutcome(searching(index), { kind: 'matchesFound', query: searchQuery('make'), matches: three, use }, lists(), NOW);
    expect(step(2, 'next').view.search!.index).toBe(0); // wraps forward
    expect(step(0, 'prev').view.search!.index).toBe(2); // wraps back
    expect(step(0, 'next').view.search!.index).toBe(1);
    expect(step(-1, 'next').view.search!.index).toBe(0);
    expect(step(-1, 'prev').view.search!.index).toBe(2);
  });

  it('a step lands on the match: its session, then its tree row (folded repeats map to their row)', () => {
    const r = reduceOutcome(searching(0), { kind: 'matchesFound', query: searchQuery('make'), matches: three, use: 'next' }, lists(), NOW);
    const treeKey = typedKey(shell, lineB, 1);
    expect(r.view.selSession).toBe(sessionKey(0, alice));
    expect(r.view.focus).toBe('tree');
    expect(r.view.centerTree).toBe(true);
    expect(r.effects).toEqual([{ kind: 'rebuildSessions' }, { kind: 'then', outcome: { kind: 'landedSession', sessionKey: sessionKey(0, alice), treeKey } }]);
    const landed = reduceOutcome(r.view, { kind: 'landedSession', sessionKey: sessionKey(0, alice), treeKey }, lists(), NOW);
    expect(landed.view.sessCursor).toBe(0);
    expect(landed.effects).toEqual([{ kind: 'rebuildTree' }, { kind: 'then', outcome: { kind: 'landedTree', treeKey } }]);
    const typedRow: TreeEntry = { kind: 'typed', node: shell, line: lineB, depth: 1, prefix: '', key: 'fold-row', noise: false, repeat: 2 };
    const tree = { entries: [treeRow(treeNodes[0]!), typedRow], hidden: 0, folded: new Map([[treeKey, 'fold-row']]) };
    const atRow = reduceOutcome(landed.view, { kind: 'landedTree', treeKey }, lists({ tree }), NOW).view;
    expect(atRow.treeCursor).toBe(1);
    expect(atRow.selTree).toBe('fold-row');
  });

  it('a match in a session the filter hides clears the filter and says so', () => {
    const filtered = state({ filter: { text: 'user:bob', terms: [] } });
    const onlyBob = lists({ entries: [row(bob)] });
    const r = reduceOutcome(filtered, { kind: 'landedSession', sessionKey: sessionKey(0, carol), treeKey: 'k' }, onlyBob, NOW);
    expect(r.view.filter).toBeNull();
    expect(r.view.selSession).toBe(sessionKey(0, carol));
    expect(r.view.message!.text).toBe('filter cleared: the match is in a session it hid');
    expect(kinds(r.effects)).toEqual(['rebuildSessions', 'then']);
  });

  it('a new search starts at the first match from the selected session on, and says how many', () => {
    const submit = run(state({ prompt: { kind: 'search', text: ' make ' } }), { kind: 'promptSubmit' });
    expect(submit.view.prompt).toBeNull();
    expect(submit.effects).toEqual([{ kind: 'findMatches', query: searchQuery('make'), use: 'start' }]);
    const fromBob = state({ sessCursor: 1, selSession: rows[1]!.key });
    const r = reduceOutcome(fromBob, { kind: 'matchesFound', query: searchQuery('make'), matches: three, use: 'start' }, lists(), NOW);
    expect(r.view.search!.index).toBe(2); // alice's matches rank before bob: carol's is the first from here
    expect(r.view.message!.text).toBe('3 matches: n / N step through them, w lists them (who typed it, where)');
    const none = reduceOutcome(fromBob, { kind: 'matchesFound', query: searchQuery('zzz'), matches: [], use: 'start' }, lists(), NOW).view;
    expect(none.search).toEqual({ query: searchQuery('zzz'), matches: [], index: -1 });
    expect(none.message).toEqual({ text: 'nothing typed or run matches "zzz"', tone: 'warn', until: NOW + MESSAGE_MS });
    expect(run(state({ prompt: { kind: 'search', text: '  ' } }), { kind: 'promptSubmit' }).view.search).toBeNull();
  });

  it('n without a search and w without results say what to do; w opens the result list at the current match', () => {
    expect(run(state(), { kind: 'next' }).view.message!.tone).toBe('warn');
    expect(run(state(), { kind: 'results' }).effects).toEqual([]);
    const r = reduceOutcome(searching(1), { kind: 'matchesFound', query: searchQuery('make'), matches: three, use: 'results' }, lists(), NOW).view;
    expect(r.overlay).toBe('results');
    expect(r.resultsCursor).toBe(1);
    expect(run(r, { kind: 'move', delta: 5 }).view.resultsCursor).toBe(2);
    const jumped = run({ ...r, resultsCursor: 2 }, { kind: 'open' });
    expect(jumped.view.overlay).toBe('none');
    expect(jumped.view.search!.index).toBe(2);
    expect(jumped.view.selSession).toBe(sessionKey(0, carol));
  });

  it('a match in a folded service session unfolds the services', () => {
    const svc = session('cron', node(900), { service: true });
    const m = matchesOf([svc, svc.leader, null, -1]);
    const v = reduceOutcome(state(), { kind: 'matchesFound', query: searchQuery('cron'), matches: m, use: 'start' }, lists(), NOW).view;
    expect(v.servicesExpanded).toBe(true);
  });
});

describe('reduceCommand: sort, follow, toggles', () => {
  it('sort cycles through the orders and keeps the selection on its key when the list is rebuilt', () => {
    let s = state({ sessCursor: 1, selSession: rows[1]!.key });
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = run(s, { kind: 'sort' });
      expect(kinds(r.effects)).toEqual(['rebuildSessions']);
      s = r.view;
      seen.push(s.sortKey);
    }
    expect(seen).toEqual(['start', 'user', 'idle', 'procs', 'activity', 'login']);
    expect(s.message!.text).toContain('sessions sorted by login');
    const reordered = [row(carol), row(alice), row(bob), servicesFold];
    const settled = settleSessions(s, reordered);
    expect(settled.sessCursor).toBe(2);
    expect(settled.selSession).toBe(sessionKey(0, bob));
  });

  it('settling keeps the tree selection for the same session, resets it for another', () => {
    const s = state({ sessCursor: 2, selSession: sessionKey(0, carol), selTree: 'p:e301', treeCursor: 4 });
    expect(settleSessions(s, rows).selTree).toBe('p:e301');
    const gone = settleSessions(s, [row(alice), row(bob)]);
    expect(gone.sessCursor).toBe(1);
    expect(gone.selSession).toBe(sessionKey(0, bob));
    expect(gone.selTree).toBeNull();
    expect(gone.treeCursor).toBe(0);
    expect(settleTree({ ...s, selTree: processKey(treeNodes[3]!) }, treeNodes.map(treeRow)).treeCursor).toBe(3);
    expect(settleTree({ ...s, selTree: 'gone', treeCursor: 40 }, treeNodes.map(treeRow)).treeCursor).toBe(5);
  });

  it('follow on asks for the model again; the followed session is where a person acted last', () => {
    const r = run(state(), { kind: 'follow' });
    expect(r.view.follow).toBe(true);
    expect(kinds(r.effects)).toEqual(['refreshModel']);
    expect(run(r.view, { kind: 'follow' }).view.follow).toBe(false);
    const typedAtBob = session('bob', node(200), { lastTyped: { line: 'ls', cwd: '/', time: 50 } });
    const typedAtAlice = session('alice', node(100), { lastTyped: { line: 'ls', cwd: '/', time: 40 } });
    const v = followPerson(r.view, [row(typedAtAlice), row(typedAtBob)]);
    expect(v.selSession).toBe(sessionKey(0, typedAtBob));
    expect(v.centerSessions).toBe(true);
    // while following the tree shows the newest row
    expect(settleTree({ ...v, selTree: processKey(treeNodes[0]!) }, treeNodes.map(treeRow)).treeCursor).toBe(5);
  });

  it('pause freezes the view at the model’s present; resume rebuilds from the model', () => {
    const p = run(state(), { kind: 'pause' });
    expect(p.view.paused).toBe(true);
    expect(p.view.pausedAt).toBe(NOW - 500);
    expect(p.effects).toEqual([]);
    const r = run(p.view, { kind: 'pause' });
    expect(r.view.paused).toBe(false);
    expect(kinds(r.effects)).toEqual(['refreshModel']);
  });

  it('verbose toggles and rebuilds the tree', () => {
    const r = run(state(), { kind: 'verbose' });
    expect(r.view.verbose).toBe(true);
    expect(r.view.message!.text).toBe('verbose: shell noise shown');
    expect(kinds(r.effects)).toEqual(['rebuildTree']);
  });
});

describe('reduceCommand: quitting and recording', () => {
  it('q quits at once when not recording; Ctrl-C always', () => {
    expect(kinds(run(state(), { kind: 'quit' }).effects)).toEqual(['quit']);
    const rec = lists({ recording: { path: '/var/tmp/a.ndjson' } });
    expect(kinds(run(state(), { kind: 'quit', force: true }, rec).effects)).toEqual(['quit']);
  });

  it('q while recording arms; a second q quits; any other key in between disarms', () => {
    const rec = lists({ recording: { path: '/var/tmp/a.ndjson' } });
    const first = run(state(), { kind: 'quit' }, rec);
    expect(first.effects).toEqual([]);
    expect(first.view.quitArmed).toBe(true);
    expect(first.view.message).toEqual({ text: 'recording to /var/tmp/a.ndjson: press q again to stop it and quit (any other key goes on)', tone: 'warn', until: NOW + MESSAGE_MS });
    expect(kinds(run(first.view, { kind: 'quit' }, rec).effects)).toEqual(['quit']);
    const other = run(first.view, { kind: 'move', delta: 1 }, rec).view;
    expect(other.quitArmed).toBe(false);
    expect(run(other, { kind: 'quit' }, rec).effects).toEqual([]);
  });

  it('q closes an open overlay instead of quitting', () => {
    const r = run(state({ overlay: 'help' }), { kind: 'quit' });
    expect(r.effects).toEqual([]);
    expect(r.view.overlay).toBe('none');
  });

  it('r offers a file name, submitting it records there; r while recording stops; replay cannot record', () => {
    const prompt = run(state(), { kind: 'record' }).view.prompt!;
    expect(prompt.kind).toBe('record');
    expect(prompt.text).toMatch(/^sessiontop-.*\.ndjson/);
    const submit = run(state({ prompt: { kind: 'record', text: 'incident.ndjson' } }), { kind: 'promptSubmit' });
    expect(submit.effects).toEqual([{ kind: 'startRecording', path: '/var/tmp/incident.ndjson', text: 'incident.ndjson' }]);
    expect(run(state(), { kind: 'record' }, lists({ recording: { path: null } })).effects).toEqual([{ kind: 'stopRecording' }]);
    expect(run(state(), { kind: 'record' }, lists({ canRecord: false })).view.message!.text).toContain('recording is for the live view');
    // a refused file: the prompt opens again with the name as typed and why, without the escape
    const failed = reduceOutcome(state(), { kind: 'recordingFailed', message: 'EACCES: \u001b[31mdenied', text: 'incident.ndjson' }, lists(), NOW).view.prompt!;
    expect(failed).toEqual({ kind: 'record', text: 'incident.ndjson', error: expect.stringMatching(/^cannot record: EACCES: .*denied$/) });
    expect(failed.error).not.toContain('\u001b');
    expect(reduceOutcome(state(), { kind: 'recordingStopped', path: '/x.ndjson', bytes: 2048 }, lists(), NOW).view.message!.text).toBe('recording stopped: /x.ndjson (2.0 KiB)');
  });
});

describe('reduceCommand: prompts and replay', () => {
  it('a seek with a bad time reports the error and leaves the replay where it was', () => {
    const r = run(state({ prompt: { kind: 'seek', text: 'xyz' } }), { kind: 'promptSubmit' }, lists({ replay: true }));
    expect(r.effects).toEqual([{ kind: 'seek', text: 'xyz' }, { kind: 'refreshModel' }]);
    expect(r.view.prompt).toBeNull();
    // refused: the prompt opens again with the text and the reason, until the next edit
    const failed = reduceOutcome(r.view, { kind: 'seekFailed', message: 'cannot read "xyz" as a time (examples: 12:03:04, +30s)', text: 'xyz' }, lists({ replay: true }), NOW).view;
    expect(failed.prompt).toEqual({ kind: 'seek', text: 'xyz', error: 'cannot read "xyz" as a time (examples: 12:03:04, +30s)' });
    const edited = run(failed, { kind: 'promptBackspace' }, lists({ replay: true })).view.prompt;
    expect(edited).toEqual({ kind: 'seek', text: 'xy' });
    expect(run(failed, { kind: 'promptInput', text: 'z' }, lists({ replay: true })).view.prompt).toEqual({ kind: 'seek', text: 'xyzz' });
    expect(run(failed, { kind: 'promptCancel' }, lists({ replay: true })).view.prompt).toBeNull();
    expect(run(state({ prompt: { kind: 'seek', text: ' ' } }), { kind: 'promptSubmit' }, lists({ replay: true })).effects).toEqual([]);
  });

  it('a bad filter keeps its prompt open with why and changes nothing; a good one rebuilds, then counts the sessions', () => {
    const bad = run(state({ prompt: { kind: 'filter', text: 'colour:red' } }), { kind: 'promptSubmit' });
    expect(bad.view.filter).toBeNull();
    expect(bad.view.prompt!.text).toBe('colour:red');
    expect(bad.view.prompt!.error).toContain('unknown filter field "colour"');
    expect(bad.effects).toEqual([]);
    expect(run(bad.view, { kind: 'promptClear' }).view.prompt).toEqual({ kind: 'filter', text: '' });
    const good = run(state({ prompt: { kind: 'filter', text: 'user:bob' } }), { kind: 'promptSubmit' });
    expect(good.view.filter!.text).toBe('user:bob');
    expect(good.effects).toEqual([{ kind: 'rebuildSessions' }, { kind: 'rebuildTree' }, { kind: 'then', outcome: { kind: 'filtered' } }]);
    const counted = reduceOutcome(good.view, { kind: 'filtered' }, lists({ entries: [row(bob), servicesFold] }), NOW).view;
    expect(counted.message!.text).toBe('1 sessions match "user:bob" (\\ or F4 changes it)');
  });

  it('replay keys act only on a replay, and always rebuild from the model after', () => {
    expect(run(state(), { kind: 'faster' }).effects).toEqual([]);
    expect(run(state(), { kind: 'playPause' }, lists({ replay: true })).effects).toEqual([{ kind: 'replay', action: 'togglePlay' }, { kind: 'refreshModel' }]);
    expect(run(state(), { kind: 'seek' }, lists({ replay: true })).view.prompt).toEqual({ kind: 'seek', text: '' });
    expect(run(state(), { kind: 'seek' }).view.prompt).toBeNull();
  });

  it('] steps in the selected session and reveals its newest row; on a fold it says to pick a session', () => {
    const r = run(state({ follow: true }), { kind: 'stepSession', dir: 1 }, lists({ replay: true }));
    expect(r.view.focus).toBe('tree');
    expect(r.view.follow).toBe(false);
    expect(r.view.revealNewest).toBe(true);
    expect(r.effects).toEqual([{ kind: 'stepInSession', sessionId: 'alice', dir: 1 }, { kind: 'refreshModel' }]);
    const onFold = run(state({ sessCursor: 3, selSession: SERVICES_KEY }), { kind: 'stepSession', dir: -1 }, lists({ replay: true }));
    expect(onFold.effects).toEqual([]);
    expect(onFold.view.message!.tone).toBe('warn');
  });
});
