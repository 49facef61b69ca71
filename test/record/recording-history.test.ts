import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { retentionValue } from '../../src/commands/option-values.js';
import { ProcessTable } from '../../src/model/process-table.js';
import { loadHistory } from '../../src/record/recording-history.js';
import { buildRichSession, RICH_HOST } from './rich-session.js';

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-history-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('starting with history from a recording', () => {
  it('applies this boot\'s events: typed lines and ended commands are there before the sensor starts', () => {
    const rich = buildRichSession();
    const file = join(dir, 'service.ndjson');
    writeFileSync(file, rich.lines.join(''));
    const table = new ProcessTable({ host: RICH_HOST });
    const h = loadHistory(table, [file]);
    expect(h.applied).toBe(rich.events.length);
    expect(h.otherHost).toBe(0);
    expect(table.get(1001)!.typed.map((t) => t.line)).toEqual(rich.table.get(1001)!.typed.map((t) => t.line));
    expect(table.get(1002)!.exited).toBe(true);
    expect(table.get(1002)!.exitCode).toBe(rich.table.get(1002)!.exitCode);
    expect(table.get(1001)!.entityId).toBe(rich.table.get(1001)!.entityId);
  });

  it('skips events of another boot (pids and entity ids would mean something else)', () => {
    const rich = buildRichSession();
    const file = join(dir, 'old-boot.ndjson');
    writeFileSync(file, rich.lines.join(''));
    const table = new ProcessTable({ host: { ...RICH_HOST, bootId: '11111111-2222-4333-8444-555555555555' } });
    const h = loadHistory(table, [file]);
    expect(h.applied).toBe(0);
    expect(h.otherHost).toBe(rich.events.length);
    expect([...table.processes()]).toHaveLength(0);
  });

  it('an unreadable file is one clear error', () => {
    const table = new ProcessTable({ host: RICH_HOST });
    expect(() => loadHistory(table, [join(dir, 'missing.ndjson')])).toThrow(/missing\.ndjson/);
  });
});

describe('--retention', () => {
  it('takes a duration from 10 s to 7 days', () => {
    expect(retentionValue({})).toBeUndefined();
    expect(retentionValue({ retention: '30m' })).toBe(1_800_000);
    expect(retentionValue({ retention: '2h' })).toBe(7_200_000);
    expect(() => retentionValue({ retention: '5s' })).toThrow('--retention must be between 10s and 7d');
    expect(() => retentionValue({ retention: 'soon' })).toThrow('is not a duration');
  });
});
