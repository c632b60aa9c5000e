/**
 * Reads the MCP servers a new session gets (see mcpConfig.ts for the order). The user-level VS Code MCP
 * configuration is the profile's `mcp.json` (beside the settings file) and the older `mcp.servers` user
 * setting. A workspace's `.vscode/mcp.json` is a list of commands a repository controls: it is used only in a
 * trusted workspace and after the user said yes to exactly that content once (a changed file asks again).
 * What it needs of VS Code comes through `McpSourceHost` (mcpSourceHost.ts binds it), so it runs in plain Node tests.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from '../util/logger';
import { describeServers, fromSetting, fromVsCodeConfig, mergeServerLists, type AcpMcpServer, type McpServerList } from './mcpConfig';

/** The user's answer for one content of a workspace's .vscode/mcp.json. */
export interface WorkspaceAnswer {
  digest: string;
  use: boolean;
}

export interface McpSourceHost {
  /** The workspace folders, first one first (none without a folder). */
  folders(): readonly string[];
  /** The profile's mcp.json path. */
  userMcpFile(): string;
  /** `punie.mcpServers`, as the user set it. */
  punieSetting(): unknown;
  /** `mcp.servers` from user settings only (never the workspace's). */
  userMcpSetting(): Record<string, unknown> | undefined;
  isTrusted(): boolean;
  /** Asks (modal) whether to start the workspace's servers: true, false, or undefined when dismissed. */
  confirmWorkspaceServers(detail: string): Promise<boolean | undefined>;
  savedAnswer(): WorkspaceAnswer | undefined;
  saveAnswer(answer: WorkspaceAnswer): Promise<void>;
}

export class McpSources {
  constructor(
    private readonly host: McpSourceHost,
    private readonly log: Logger,
  ) {}

  async servers(): Promise<AcpMcpServer[]> {
    const folders = this.host.folders();
    // User-level entries resolve ${workspaceFolder} to the first folder, as VS Code does in a multi-root window.
    const folder = folders[0];
    const lists: McpServerList[] = [fromSetting(this.host.punieSetting())];
    const userText = await readOptional(this.host.userMcpFile());
    if (userText !== undefined) lists.push(fromVsCodeConfig('your VS Code mcp.json', userText, { workspaceFolder: folder }));
    const userSetting = this.host.userMcpSetting();
    if (userSetting) lists.push(fromVsCodeConfig('the mcp.servers setting', { servers: userSetting }, { workspaceFolder: folder }));
    lists.push(...(await this.workspaceServers(folders)));
    const merged = mergeServerLists(lists);
    for (const reason of merged.skipped) this.log.warn(`MCP: ${reason}`);
    return merged.servers;
  }

  /** Every folder's .vscode/mcp.json (a multi-root workspace has one per folder), confirmed together. */
  private async workspaceServers(folders: readonly string[]): Promise<McpServerList[]> {
    const files: { folder: string; text: string }[] = [];
    for (const folder of folders) {
      const text = await readOptional(join(folder, '.vscode', 'mcp.json'));
      if (text !== undefined) files.push({ folder, text });
    }
    if (files.length === 0) return [];
    if (!this.host.isTrusted()) return [{ servers: [], skipped: ['.vscode/mcp.json is not used: this workspace is not trusted'] }];
    const source = (folder: string) => (folders.length > 1 ? `${basename(folder)}/.vscode/mcp.json` : '.vscode/mcp.json');
    const lists = files.map((f) => fromVsCodeConfig(source(f.folder), f.text, { workspaceFolder: f.folder }));
    const servers = lists.flatMap((l) => l.servers);
    if (servers.length === 0) return lists;
    const digest = createHash('sha256').update(JSON.stringify(files)).digest('hex');
    const answered = this.host.savedAnswer();
    let use = answered?.digest === digest ? answered.use : undefined;
    if (use === undefined) {
      use = await this.host.confirmWorkspaceServers(describeServers(servers));
      if (use === undefined) return [{ servers: [], skipped: ['.vscode/mcp.json was not confirmed'] }];
      await this.host.saveAnswer({ digest, use });
    }
    return use ? lists : [{ servers: [], skipped: [...lists.flatMap((l) => l.skipped), '.vscode/mcp.json is not used: you chose not to'] }];
  }
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}
