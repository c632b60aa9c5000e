import assert from 'node:assert/strict';
import { describeServers, fromSetting, fromVsCodeConfig, mergeServerLists } from '../../src/extension/mcpConfig';

describe('MCP server lists of the extension (punie.mcpServers, VS Code mcp.json)', () => {
  it('takes punie.mcpServers in ACP shape and skips entries that do not fit, saying which', () => {
    const list = fromSetting([
      { name: 'fs', command: 'mcp-fs', args: ['/tmp'], env: [{ name: 'A', value: '1' }] },
      { type: 'http', name: 'web', url: 'https://mcp.example.com/', headers: [] },
      { name: 'broken', command: 'x' },
    ]);
    assert.deepEqual(list.servers.map((s) => s.name), ['fs', 'web']);
    assert.equal(list.skipped.length, 1);
    assert.match(list.skipped[0], /^punie\.mcpServers\[2\]/);
    assert.deepEqual(fromSetting(undefined), { servers: [], skipped: [] });
    assert.deepEqual(fromSetting({}).skipped, ['punie.mcpServers is not a list']);
  });

  it('converts VS Code mcp.json (with comments) to ACP shape, filling workspaceFolder and env variables', () => {
    process.env.PUNIE_TEST_MCP_TOKEN = 'tok';
    const text = `{
      // a comment
      "servers": {
        "files": { "type": "stdio", "command": "node", "args": ["server.js", "\${workspaceFolder}/data"], "env": { "DEBUG": "1", "GONE": null } },
        "remote": { "type": "http", "url": "https://mcp.example.com/mcp", "headers": { "Authorization": "Bearer \${env:PUNIE_TEST_MCP_TOKEN}" } },
        "asks": { "command": "x", "env": { "KEY": "\${input:apiKey}" } },
        "odd": { "type": "websocket" },
      },
      "inputs": []
    }`;
    const list = fromVsCodeConfig('mcp.json', text, { workspaceFolder: '/work/p' });
    assert.deepEqual(list.servers, [
      { name: 'files', command: 'node', args: ['server.js', '/work/p/data'], env: [{ name: 'DEBUG', value: '1' }] },
      { type: 'http', name: 'remote', url: 'https://mcp.example.com/mcp', headers: [{ name: 'Authorization', value: 'Bearer tok' }] },
    ]);
    assert.deepEqual(list.skipped, ['mcp.json: server asks uses a variable only VS Code can fill in', 'mcp.json: server odd is neither a command nor an http/sse URL']);
    assert.deepEqual(fromVsCodeConfig('mcp.json', '{ nope', {}).skipped, ['mcp.json is not valid JSON']);
  });

  it('merges sources in order: the first server of a name wins; describes them for the confirmation', () => {
    const merged = mergeServerLists([
      { servers: [{ name: 'a', command: 'first', args: [], env: [] }], skipped: [] },
      { servers: [{ name: 'a', command: 'second', args: [], env: [] }, { type: 'sse', name: 'b', url: 'https://x/sse', headers: [] }], skipped: ['earlier'] },
    ]);
    assert.deepEqual(merged.servers.map((s) => [s.name, s.command ?? s.url]), [['a', 'first'], ['b', 'https://x/sse']]);
    assert.deepEqual(merged.skipped, ['earlier', 'MCP server a is defined more than once; the first definition is used']);
    assert.equal(describeServers(merged.servers), 'a: first\nb: https://x/sse');
  });
});
