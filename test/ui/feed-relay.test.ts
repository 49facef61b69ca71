import { describe, expect, it } from 'vitest';
import { FeedRelay } from '../../src/ui/feed-relay.js';
import type { FeedListener } from '../../src/ui/model-feed.js';

function recorder(): FeedListener & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    event: (_n, t) => calls.push(`event ${t}`),
    reset: () => calls.push('reset'),
    changed: () => calls.push('changed'),
    fatal: (m, c) => calls.push(`fatal ${c} ${m}`),
  };
}

describe('FeedRelay (the feed starts before the store exists)', () => {
  it('drops UI-side calls until attached, then forwards them; a fatal error waits for the store', () => {
    const relay = new FeedRelay();
    relay.event(null, 1);
    relay.changed();
    relay.fatal('cannot start the eBPF sensor: EPERM', 1);
    relay.fatal('second', 1);
    const r = recorder();
    relay.attach(r);
    relay.event(null, 2);
    relay.reset();
    expect(r.calls).toEqual(['changed', 'fatal 1 cannot start the eBPF sensor: EPERM', 'event 2', 'reset']);
  });
});
