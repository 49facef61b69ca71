/**
 * Container id from a cgroup (v2) leaf name, for ECS `container.id`.
 *
 * Recognises the leaf names of the common runtimes: `docker-<id>.scope`, `cri-containerd-<id>.scope`,
 * `crio-<id>.scope`, `libpod-<id>.scope`, and a bare 64-hex id (cgroupfs driver). The conmon
 * monitor's own cgroup (`libpod-conmon-<id>.scope`) is not a container.
 */

const HEX64 = /(?:^|[-_:])([0-9a-f]{64})(?:\.scope)?$/;

export function containerIdFromCgroup(leaf: string): string {
  if (leaf.length < 64 || leaf.includes('conmon')) return '';
  const m = HEX64.exec(leaf);
  return m === null ? '' : (m[1] as string);
}
