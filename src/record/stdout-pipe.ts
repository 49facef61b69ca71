/**
 * stdout as a pipe or socket, for `record -o -`: a reader that goes away ends the recording at
 * once, and a reader that stalls never blocks the process.
 *
 * - watchReaderGone polls (every 200 ms, poll(2) with no wait, through the addon) for the
 *   POLLERR/POLLHUP the kernel raises on a pipe whose last reader closed (or a socket whose peer
 *   left), so `record -o - | head` ends even on an idle host with nothing to write.
 * - makeNonBlocking sets O_NONBLOCK on it: writes return EAGAIN instead of blocking, and the
 *   writer keeps a bounded backlog (what overflows is counted as lost and said).
 *
 * Where the addon cannot be loaded both are unavailable: the reader's leaving is then noticed at
 * the next write (EPIPE), and writes block.
 */
import { fstatSync } from 'node:fs';
import { loadAddon } from '../sensor/native-addon.js';

/** Whether `fd` is a pipe or a socket. */
export function isPipeOrSocket(fd: number): boolean {
  try {
    const st = fstatSync(fd);
    return st.isFIFO() || st.isSocket();
  } catch {
    return false;
  }
}

/** Calls `onGone` once when the reader of `fd` is gone; returns a function that stops watching. */
export function watchReaderGone(fd: number, onGone: () => void, intervalMs = 200): () => void {
  if (!isPipeOrSocket(fd)) return () => undefined;
  let peerGone: (fd: number) => boolean;
  try {
    const addon = loadAddon();
    peerGone = addon.peerGone.bind(addon);
  } catch {
    return () => undefined;
  }
  const timer = setInterval(() => {
    if (!peerGone(fd)) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Sets O_NONBLOCK on a pipe or socket `fd`; false when it stays blocking. */
export function makeNonBlocking(fd: number): boolean {
  if (!isPipeOrSocket(fd)) return false;
  try {
    return loadAddon().setNonBlocking(fd);
  } catch {
    return false;
  }
}
