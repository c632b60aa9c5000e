/**
 * Reads the MCP servers a new session gets (see mcpConfig.ts for the order). The user-level VS Code MCP
 * configuration is the profile's `mcp.json` (beside the settings file) and the older `mcp.servers` user
 * setting. A workspace's `.vscode/mcp.json` is a list of commands a repository controls: it is used only in a
 * trusted workspace and after the user said yes to exactly that content once (a changed file asks again).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from '../util/logger';
import { describeServers, fromSetting, fromVsCodeConfig, mergeServerLists, type AcpMcpServer, type McpServerList } from './mcpConfig';

const WORKSPACE_ANSWER_KEY = 'punie.mcp.workspaceAnswer';

export class McpSources {
  constructor(
    private readonly context: Pick<vscode.ExtensionContext, 'globalStorageUri' | 'workspaceState'>,
    private readonly log: Logger,
  ) {}

  async servers(): Promise<AcpMcpServer[]> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const lists: McpServerList[] = [fromSetting(vscode.workspace.getConfiguration('punie').get('mcpServers'))];
    const userFile = join(dirname(dirname(this.context.globalStorageUri.fsPath)), 'mcp.json');
    const userText = await readOptional(userFile);
    if (userText !== undefined) lists.push(fromVsCodeConfig('your VS Code mcp.json', userText, { workspaceFolder: folder }));
    const userSetting = vscode.workspace.getConfiguration('mcp').inspect<Record<string, unknown>>('servers')?.globalValue;
    if (userSetting) lists.push(fromVsCodeConfig('the mcp.servers setting', { servers: userSetting }, { workspaceFolder: folder }));
    if (folder) lists.push(await this.workspaceServers(folder));
    const merged = mergeServerLists(lists);
    for (const reason of merged.skipped) this.log.warn(`MCP: ${reason}`);
    return merged.servers;
  }

  private async workspaceServers(folder: string): Promise<McpServerList> {
    const text = await readOptional(join(folder, '.vscode', 'mcp.json'));
    if (text === undefined) return { servers: [], skipped: [] };
    if (!vscode.workspace.isTrusted) return { servers: [], skipped: ['.vscode/mcp.json is not used: this workspace is not trusted'] };
    const list = fromVsCodeConfig('.vscode/mcp.json', text, { workspaceFolder: folder });
    if (list.servers.length === 0) return list;
    const digest = createHash('sha256').update(text).digest('hex');
    const answered = this.context.workspaceState.get<{ digest: string; use: boolean }>(WORKSPACE_ANSWER_KEY);
    let use = answered?.digest === digest ? answered.use : undefined;
    if (use === undefined) {
      const choice = await vscode.window.showWarningMessage(
        'This workspace’s .vscode/mcp.json asks Punie to start these MCP servers, which run with your permissions:',
        { modal: true, detail: describeServers(list.servers) },
        'Use Them',
        'Do Not Use',
      );
      if (choice === undefined) return { servers: [], skipped: ['.vscode/mcp.json was not confirmed'] };
      use = choice === 'Use Them';
      await this.context.workspaceState.update(WORKSPACE_ANSWER_KEY, { digest, use });
    }
    return use ? list : { servers: [], skipped: [...list.skipped, '.vscode/mcp.json is not used: you chose not to'] };
  }
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}
