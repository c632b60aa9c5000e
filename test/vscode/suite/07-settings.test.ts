import assert from 'node:assert/strict';
import { request } from 'node:http';
import { punie, settings, waitFor } from './helpers';

/** The HTTP status a WebSocket upgrade to `url` (with the token) gets. */
function upgradeStatus(url: string, token: string): Promise<number> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({
      host: hostname,
      port,
      path: pathname,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', authorization: `Bearer ${token}` },
    });
    req.on('upgrade', (res, socket) => (socket.destroy(), resolve(res.statusCode ?? 0)));
    req.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0)));
    req.on('error', reject);
    req.end();
  });
}

describe('local server settings', () => {
  after(() => settings({ 'punie.localServer.maxConnections': undefined }));

  it('restarts the local server with a changed limit (punie.localServer.*)', async () => {
    const api = await punie();
    const services = api.services();
    await services.connection.ensure();
    const before = await waitFor('the local server', () => services.servers.localUrls);
    assert.equal(await upgradeStatus(before.urls.ws, before.token), 101, 'a second client fits under the default limit');
    await settings({ 'punie.localServer.maxConnections': 1 });
    const after = await waitFor('a restarted local server', () => {
      const now = services.servers.localUrls;
      return now && now.urls.ws !== before.urls.ws && services.connection.state.kind === 'connected' && now;
    });
    assert.equal(await upgradeStatus(after.urls.ws, after.token), 503, 'the extension holds the one connection allowed');
  });
});
