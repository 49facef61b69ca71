/**
 * uid/gid → name lookups for ECS `*.user.name` / `*.group.name`.
 *
 * Live recording uses the local /etc/passwd and /etc/group (re-read when they change, checked at
 * most every few seconds on a miss). Replay uses the names the recording itself carried
 * (`LearnedNames`, filled by the reader), because the replaying machine's users are not the
 * recorded host's.
 */

import { readFileSync, statSync } from 'node:fs';

export interface NameLookup {
  user(uid: number): string | undefined;
  group(gid: number): string | undefined;
}

/** A lookup that knows no names. */
export const NO_NAMES: NameLookup = { user: () => undefined, group: () => undefined };

/** Names learned from recording lines (id → name), per host. */
export class LearnedNames implements NameLookup {
  readonly users = new Map<number, string>();
  readonly groups = new Map<number, string>();
  user(uid: number): string | undefined {
    return this.users.get(uid);
  }
  group(gid: number): string | undefined {
    return this.groups.get(gid);
  }
}

/** Parses passwd/group format: `name:x:id:...` per line → id → name (first name wins). */
export function parseIdFile(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 3) continue;
    const id = Number(f[2]);
    const name = f[0] as string;
    if (name !== '' && Number.isInteger(id) && id >= 0 && !out.has(id)) out.set(id, name);
  }
  return out;
}

const RELOAD_CHECK_MS = 5_000;

class IdFile {
  private map = new Map<number, string>();
  private mtimeMs = -1;
  private checkedAt = 0;
  constructor(private readonly path: string) {
    this.reload();
  }
  private reload(): void {
    try {
      const st = statSync(this.path);
      if (st.mtimeMs === this.mtimeMs) return;
      this.map = parseIdFile(readFileSync(this.path, 'utf8'));
      this.mtimeMs = st.mtimeMs;
    } catch {
      // unreadable: no names (ids still recorded)
    }
  }
  get(id: number): string | undefined {
    const name = this.map.get(id);
    if (name !== undefined) return name;
    const now = Date.now();
    if (now - this.checkedAt < RELOAD_CHECK_MS) return undefined;
    this.checkedAt = now;
    this.reload();
    return this.map.get(id);
  }
}

/** Names of the local host from /etc/passwd and /etc/group (paths overridable for tests). */
export function localNames(passwd = '/etc/passwd', group = '/etc/group'): NameLookup {
  const users = new IdFile(passwd);
  const groups = new IdFile(group);
  return { user: (uid) => users.get(uid), group: (gid) => groups.get(gid) };
}
