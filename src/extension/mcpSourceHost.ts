/** What McpSources reads of VS Code: settings, the profile's mcp.json, workspace trust, and the user's answer. */
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { workspaceRoots } from './fileSystem';
import type { McpSourceHost, WorkspaceAnswer } from './mcpSources';

const WORKSPACE_ANSWER_KEY = 'punie.mcp.workspaceAnswer';

export function vscodeMcpSourceHost(context: Pick<vscode.ExtensionContext, 'globalStorageUri' | 'workspaceState'>): McpSourceHost {
  return {
    folders: workspaceRoots,
    // globalStorage is <profile>/globalStorage/<extension id>; mcp.json sits beside the profile's settings.json.
    userMcpFile: () => join(dirname(dirname(context.globalStorageUri.fsPath)), 'mcp.json'),
    punieSetting: () => vscode.workspace.getConfiguration('punie').get('mcpServers'),
    userMcpSetting: () => vscode.workspace.getConfiguration('mcp').inspect<Record<string, unknown>>('servers')?.globalValue,
    isTrusted: () => vscode.workspace.isTrusted,
    async confirmWorkspaceServers(detail) {
      const choice = await vscode.window.showWarningMessage(
        'This workspace’s .vscode/mcp.json asks Punie to start these MCP servers, which run with your permissions:',
        { modal: true, detail },
        'Use Them',
        'Do Not Use',
      );
      return choice === undefined ? undefined : choice === 'Use Them';
    },
    savedAnswer: () => context.workspaceState.get<WorkspaceAnswer>(WORKSPACE_ANSWER_KEY),
    saveAnswer: async (answer) => {
      await context.workspaceState.update(WORKSPACE_ANSWER_KEY, answer);
    },
  };
}
