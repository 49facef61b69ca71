/**
 * The live feed adapter over the real /proc source (no root needed): backfill into the table,
 * degraded state and its one-line notice, recording started and stopped from the UI's controls.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { degradedNotice, LiveModelFeed } from '../../src/ui/live-model-feed.js';

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-ui-livefeed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('live feed', () => {
  it('puts the consequence of the /proc fallback first in its one line', () => {
    expect(degradedNotice('eBPF unavailable (EPERM: run as root or with CAP_BPF and CAP_PERFMON); watching /proc instead: short-lived processes can be missed')).toBe(
      'watching /proc: short-lived processes can be missed — eBPF unavailable: EPERM: run as root or with CAP_BPF and CAP_PERFMON',
    );
    expect(degradedNotice('something else')).toBe('something else');
  });

  it('on /proc: backfills the table, says it is degraded, records on demand', async () => {
    const feed = new LiveModelFeed({ source: 'procfs', typed: false });
    const heard = { changed: 0, events: 0, fatal: '' };
    try {
      expect(feed.header().state).toBe('starting');
      await feed.start({
        event: () => heard.events++,
        reset: () => undefined,
        changed: () => heard.changed++,
        fatal: (m) => (heard.fatal = m),
      });
      expect(heard.fatal).toBe('');
      const h = feed.header();
      expect(h.state).toBe('degraded');
      expect(h.source).toBe('/proc polling');
      expect(h.notice).toContain('short-lived processes can be missed');
      expect(feed.hosts()[0]!.table.get(process.pid)).toBeDefined();
      expect(feed.hosts()[0]!.table.stats().live).toBeGreaterThan(5);

      const path = join(dir, 'from-ui.ndjson');
      feed.live.startRecording(path);
      expect(feed.live.recording).toBe(true);
      expect(feed.header().recording?.path).toBe(path);
      expect(() => feed.live.startRecording(join(dir, 'second.ndjson'))).not.toThrow(); // already recording: ignored
      const done = feed.live.stopRecording()!;
      expect(done.path).toBe(path);
      const lines = readFileSync(path, 'utf8').trim().split('\n');
      expect(lines.length).toBe(feed.hosts()[0]!.table.stats().live);
      expect(lines.some((l) => l.includes(`"pid":${process.pid},`))).toBe(true);
      expect(feed.live.stopRecording()).toBeNull();
    } finally {
      expect(await feed.close()).toBe('');
    }
    expect(feed.header().state).toBe('stopped');
  });

  it('refuses a --record file that exists before anything starts', async () => {
    const path = join(dir, 'exists.ndjson');
    await new LiveModelFeed({ source: 'procfs', typed: false, record: path }).close();
    expect(() => new LiveModelFeed({ source: 'procfs', typed: false, record: path })).toThrow(/already exists/);
  });
});
