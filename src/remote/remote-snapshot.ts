/**
 * One snapshot of several remote hosts at once: runs `CMD snapshot --json` on each over ssh (in
 * parallel, one attempt each) and rebuilds each host's model from its lines. A host is usable when
 * its ssh ended with status 0 and sent at least one valid line; otherwise it carries the one-line
 * reason (ssh's last stderr line, escaped).
 */

import type { ProcessTableOptions } from '../model/types.js';
import { RemoteHostModel } from './remote-host-model.js';
import type { SshSettings } from './ssh-command.js';
import { SshStreamSource } from './ssh-stream-source.js';

export interface RemoteSnapshot {
  destination: string;
  /** The host's model (null when no valid line came). */
  model: RemoteHostModel;
  ok: boolean;
  /** Why the host is missing or incomplete ('' when ok). */
  reason: string;
  badLines: number;
}

export async function snapshotRemoteHosts(
  settings: SshSettings,
  tableOptions: Omit<ProcessTableOptions, 'host'> = {},
): Promise<RemoteSnapshot[]> {
  return Promise.all(
    settings.destinations.map(async (destination) => {
      const source = new SshStreamSource({ settings, destination, mode: 'snapshot', retry: false });
      let badLines = 0;
      let firstBad = '';
      const model = new RemoteHostModel(
        source,
        {
          onBadLine: (reason) => {
            if (badLines++ === 0) firstBad = reason;
          },
        },
        { tableOptions },
      );
      model.start();
      const status = await source.ended;
      model.finishBatch();
      const got = model.table !== null;
      const ok = got && status.cleanEnd;
      let reason = '';
      if (!ok) reason = status.reason !== '' ? status.reason : 'no output';
      else if (badLines > 0) reason = `${badLines} bad line${badLines === 1 ? '' : 's'} skipped (first: ${firstBad})`;
      if (!got && status.cleanEnd && badLines > 0) reason = `its output is not a sessiontop snapshot (${firstBad}): is the remote command sessiontop?`;
      return { destination, model, ok, reason, badLines };
    }),
  );
}
