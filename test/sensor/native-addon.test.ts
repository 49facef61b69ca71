/**
 * The addon loader refuses an addon built for another record version with one line that says to
 * rebuild, instead of decoding its records as malformed.
 */
import { describe, expect, it } from 'vitest';
import { checkRecordVersion, loadAddon, SensorError } from '../../src/sensor/native-addon.js';
import { RECORD_VERSION } from '../../src/sensor/record-layout.js';

describe('addon record version', () => {
  it('accepts the version this decoder reads, and the built addon has it', () => {
    expect(() => checkRecordVersion(RECORD_VERSION, '/x/sessiontop.node')).not.toThrow();
    expect(loadAddon().recordVersion).toBe(RECORD_VERSION);
  });

  it('refuses a stale addon with one line saying to rebuild', () => {
    for (const stale of [RECORD_VERSION - 1, undefined]) {
      let err: unknown;
      try {
        checkRecordVersion(stale, '/x/build/Release/sessiontop.node');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SensorError);
      expect((err as SensorError).code).toBe('ENOADDON');
      expect((err as SensorError).message).toMatch(/stale .*\/x\/build\/Release\/sessiontop\.node.*: run npm run build$/);
      expect((err as SensorError).message).not.toContain('\n');
    }
  });
});
