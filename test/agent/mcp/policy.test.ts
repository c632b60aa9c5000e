import assert from 'node:assert/strict';
import { McpPolicy } from '../../../src/agent/mcp/policy';

const stdio = (command: string) => ({ transport: 'stdio' as const, name: 's', command, args: [], env: [] });
const http = (url: string) => ({ transport: 'http' as const, name: 'h', url, headers: [] });
const sse = (url: string) => ({ transport: 'sse' as const, name: 'e', url, headers: [] });

describe('McpPolicy (--allow-mcp)', () => {
  it('allows nothing by default or with none', () => {
    for (const policy of [McpPolicy.none, McpPolicy.parse([]), McpPolicy.parse(['none'])]) {
      assert.equal(policy.allows(stdio('node')), false);
      assert.equal(policy.allows(http('http://127.0.0.1/mcp')), false);
      assert.equal(policy.allowsKind('http'), false);
    }
  });

  it('allows whole transports, comma-separated or repeated, and all', () => {
    const policy = McpPolicy.parse(['stdio,http']);
    assert.deepEqual([policy.allows(stdio('node')), policy.allows(http('https://x/mcp')), policy.allows(sse('https://x/sse'))], [true, true, false]);
    assert.deepEqual([policy.allowsKind('http'), policy.allowsKind('sse')], [true, false]);
    assert.equal(McpPolicy.parse(['stdio', 'sse']).allows(sse('https://x/sse')), true);
    assert.equal(McpPolicy.parse(['all']).allows(sse('https://x/sse')), true);
  });

  it('patterns match the whole command or URL, * being any characters and nothing else special', () => {
    const policy = McpPolicy.parse(['http:https://mcp.example.com/*', 'stdio:/usr/local/bin/mcp-*']);
    assert.equal(policy.allows(http('https://mcp.example.com/v1')), true);
    assert.equal(policy.allows(http('https://mcp.example.com.evil.test/v1')), false);
    assert.equal(policy.allows(http('https://mcpXexample.com/v1')), false, 'a dot is a dot');
    assert.equal(policy.allows(stdio('/usr/local/bin/mcp-git')), true);
    assert.equal(policy.allows(stdio('/bin/sh')), false);
    assert.equal(policy.allows(sse('https://mcp.example.com/v1')), false, 'a pattern is for its transport only');
  });

  it('rejects what it does not understand, naming it', () => {
    for (const bad of ['ftp', 'stdio:', ':x', 'websocket:ws://x']) assert.throws(() => McpPolicy.parse([bad]), new RegExp(`--allow-mcp: "${bad}"`));
  });
});
