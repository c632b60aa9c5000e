import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { McpSources, type McpSourceHost, type WorkspaceAnswer } from '../../src/extension/mcpSources';
import { silentLogger } from '../../src/util/logger';

const workspaceMcp = (command: string) => JSON.stringify({ servers: { repo: { type: 'stdio', command, args: ['${workspaceFolder}/x'] } } });

describe('McpSources: the MCP servers a new session of the extension gets', () => {
  let dir: string;
  let folder: string;
  let host: McpSourceHost & { asked: string[]; answer: boolean | undefined; trusted: boolean; saved?: WorkspaceAnswer };
  const names = async () => (await new McpSources(host, silentLogger).servers()).map((s) => s.name);

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'punie-mcp-sources-'));
    folder = path.join(dir, 'repo');
    mkdirSync(path.join(folder, '.vscode'), { recursive: true });
    host = {
      asked: [],
      answer: true,
      trusted: true,
      folders: () => [folder],
      userMcpFile: () => path.join(dir, 'profile', 'mcp.json'),
      punieSetting: () => [{ name: 'mine', command: 'my-mcp', args: [], env: [] }],
      userMcpSetting: () => undefined,
      isTrusted: () => host.trusted,
      confirmWorkspaceServers: async (detail) => (host.asked.push(detail), host.answer),
      savedAnswer: () => host.saved,
      saveAnswer: async (a) => void (host.saved = a),
    };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('merges punie.mcpServers, the profile mcp.json and the user mcp.servers setting', async () => {
    mkdirSync(path.join(dir, 'profile'));
    writeFileSync(host.userMcpFile(), '{ "servers": { "profile": { "command": "p" } } }');
    host.userMcpSetting = () => ({ legacy: { command: 'l' } });
    assert.deepEqual(await names(), ['mine', 'profile', 'legacy']);
    assert.deepEqual(host.asked, [], 'no workspace file, no question');
  });

  it('uses a workspace .vscode/mcp.json only when trusted and confirmed, asking again when its content changes', async () => {
    const file = path.join(folder, '.vscode', 'mcp.json');
    writeFileSync(file, workspaceMcp('repo-mcp'));
    host.trusted = false;
    assert.deepEqual(await names(), ['mine']);
    assert.deepEqual(host.asked, [], 'an untrusted workspace is not even asked about');

    host.trusted = true;
    assert.deepEqual(await names(), ['mine', 'repo']);
    assert.equal(host.asked.length, 1);
    assert.match(host.asked[0], /repo-mcp/, 'the question shows the commands');
    assert.deepEqual(await names(), ['mine', 'repo']);
    assert.equal(host.asked.length, 1, 'the same content is not asked about twice');

    writeFileSync(file, workspaceMcp('something-else'));
    host.answer = false;
    assert.deepEqual(await names(), ['mine']);
    assert.equal(host.asked.length, 2, 'a changed file asks again');
    assert.deepEqual(await names(), ['mine'], 'and "Do Not Use" is remembered for that content');
    assert.equal(host.asked.length, 2);
  });

  it('a dismissed question uses nothing of the workspace and asks again next time', async () => {
    writeFileSync(path.join(folder, '.vscode', 'mcp.json'), workspaceMcp('repo-mcp'));
    host.answer = undefined;
    assert.deepEqual(await names(), ['mine']);
    assert.equal(host.saved, undefined);
    host.answer = true;
    assert.deepEqual(await names(), ['mine', 'repo']);
    assert.equal(host.asked.length, 2);
  });

  it('reads the .vscode/mcp.json of every folder of a multi-root workspace, each with its own ${workspaceFolder}, in one question', async () => {
    const second = path.join(dir, 'docs');
    mkdirSync(path.join(second, '.vscode'), { recursive: true });
    writeFileSync(path.join(folder, '.vscode', 'mcp.json'), workspaceMcp('repo-mcp'));
    writeFileSync(path.join(second, '.vscode', 'mcp.json'), JSON.stringify({ servers: { docs: { command: 'docs-mcp', args: ['${workspaceFolder}'] } } }));
    host.folders = () => [folder, second];
    const servers = await new McpSources(host, silentLogger).servers();
    assert.deepEqual(servers.map((s) => s.name), ['mine', 'repo', 'docs']);
    const args = Object.fromEntries(servers.map((s) => [s.name, 'args' in s ? s.args : []]));
    assert.deepEqual(args.repo, [`${folder}/x`]);
    assert.deepEqual(args.docs, [second]);
    assert.equal(host.asked.length, 1, 'one question for both files');
    assert.match(host.asked[0], /repo-mcp[\s\S]*docs-mcp/);
    writeFileSync(path.join(second, '.vscode', 'mcp.json'), JSON.stringify({ servers: { docs: { command: 'other-mcp' } } }));
    host.answer = false;
    assert.deepEqual(await names(), ['mine'], 'a change in either file asks again, and no means none of them');
    assert.equal(host.asked.length, 2);
  });
});
