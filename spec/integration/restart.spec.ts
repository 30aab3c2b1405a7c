// Integration: restartServer (scripts/servers.mjs) restarts a real server in place, keeping its data.
//
// Per server: an account registered (and a roster item stored) before the restart logs in again
// afterwards with the same password over a new raw RFC 7395 stream; the handle is the same object with
// the new pid; no process of the old pid is left (ps); a stream open across the restart is closed by the
// server's shutdown. With `downMs`, the HTTP endpoint is observed refusing connections during the
// outage and answering again afterwards on the same port. The restarted server stays in use for the
// specs that follow (useServer returns the same, updated handle).

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { NS_ROSTER } from '../../lib/stanzas/ns.js';
import { freshName } from '../support/accounts.js';
import { openRawStream, type RawStream } from '../support/raw-stream.js';
import { registerUser, restartServer, useServer, type ServerHandle } from '../support/servers.js';

/** What `ps` lists for `pid` (empty when it is gone). */
function psListing(pid: number): string {
  const result = spawnSync('ps', ['-o', 'pid=,stat=,comm=', '-p', String(pid)], { encoding: 'utf8' });
  return result.stdout.trim();
}

/** Whether GET url gets an HTTP answer at all (false on a refused or reset connection). */
async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

for (const name of ['prosody', 'ejabberd'] as const) {
  describe(`restartServer: ${name}`, function () {
    this.timeout(60_000);
    let server: ServerHandle;
    const streams: RawStream[] = [];

    const login = async (user: string, password: string): Promise<RawStream> => {
      const stream = await openRawStream(server.websocketUrl, server.domain);
      streams.push(stream);
      await stream.authPlain(user, password);
      await stream.bind('restart');
      return stream;
    };

    before(async function () {
      this.timeout(45_000);
      server = await useServer(name);
    });

    afterEach(async () => {
      await Promise.all(streams.splice(0).map((stream) => stream.close()));
    });

    it('keeps accounts and rosters: the same password logs in again; the old process is gone', async () => {
      const user = freshName('restart');
      const password = `pw-${user}`;
      await registerUser(server, user, password);
      const before = await login(user, password);
      const friend = `friend_${user}@${server.domain}`;
      const set = await before.iq(`<iq type='set' id='rs1'><query xmlns='${NS_ROSTER}'><item jid='${friend}' name='Friend'/></query></iq>`);
      assert.equal(set.attrs.type, 'result', set.toString());

      const oldPid = server.pid;
      const { dataDir, websocketUrl } = server;
      const handle = await restartServer(server);

      assert.equal(handle, server, 'the same handle object, updated in place');
      assert.notEqual(server.pid, oldPid);
      assert.equal(server.dataDir, dataDir);
      assert.equal(server.websocketUrl, websocketUrl);
      assert.ok(server.startMs > 0);
      assert.equal(psListing(oldPid), '', `old pid ${oldPid} still listed by ps`);
      assert.notEqual(psListing(server.pid), '', `new pid ${server.pid} not listed by ps`);
      // The shutdown closed the stream that was open across the restart.
      await assert.rejects(before.next(() => false, 5_000), /WebSocket closed/);

      const after = await login(user, password);
      const roster = await after.iq(`<iq type='get' id='rs2'><query xmlns='${NS_ROSTER}'/></iq>`);
      const jids = roster.getChild('query', NS_ROSTER)?.getChildren('item').map((item) => String(item.attrs.jid)) ?? [];
      assert.deepEqual(jids, [friend], roster.toString());

      await assert.rejects(
        (async () => {
          const stream = await openRawStream(server.websocketUrl, server.domain);
          streams.push(stream);
          await stream.authPlain(user, `${password}-wrong`);
        })(),
        /SASL PLAIN failed/,
      );
    });

    it('with downMs stays unreachable during the outage, then answers again on the same port', async () => {
      const user = freshName('outage');
      const password = `pw-${user}`;
      await registerUser(server, user, password);
      assert.ok(await answers(server.boshUrl), 'answers before the restart');

      const oldPid = server.pid;
      const began = Date.now();
      let settled = false;
      const restart = restartServer(server, { downMs: 1_500 }).finally(() => { settled = true; });
      let sawOutage = false;
      while (!settled && !sawOutage) {
        if (!(await answers(server.boshUrl))) sawOutage = true;
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await restart;
      const elapsed = Date.now() - began;

      assert.ok(sawOutage, 'the endpoint never refused during the restart');
      assert.ok(elapsed >= 1_500, `restart took ${elapsed} ms, less than downMs`);
      assert.notEqual(server.pid, oldPid);
      assert.equal(psListing(oldPid), '', `old pid ${oldPid} still listed by ps`);
      assert.ok(await answers(server.boshUrl), 'answers after the restart');
      await login(user, password);
    });
  });
}
