import { describe, expect, it } from 'vitest';
import { containerIdFromCgroup } from '../../src/model/container-id.js';

const ID = '3f1c2b4a'.repeat(8);

describe('containerIdFromCgroup', () => {
  it('recognises the runtimes cgroup leaf names', () => {
    for (const leaf of [`docker-${ID}.scope`, `cri-containerd-${ID}.scope`, `crio-${ID}.scope`, `libpod-${ID}.scope`, ID]) {
      expect(containerIdFromCgroup(leaf)).toBe(ID);
    }
  });

  it('is empty for anything else', () => {
    for (const leaf of ['', 'session-3.scope', 'sshd.service', `libpod-conmon-${ID}.scope`, `docker-${ID.slice(1)}.scope`, 'user@0.service']) {
      expect(containerIdFromCgroup(leaf)).toBe('');
    }
  });
});
