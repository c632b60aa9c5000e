/** The tools the agent can offer; a session offers only those its client's capabilities allow. */
import type { ClientCapabilities } from '../../protocol/acp';
import { editFileTool } from './editFile';
import { readFileTool } from './readFile';
import { runCommandTool } from './runCommand';
import { listFilesTool, searchTextTool } from './search';
import type { AgentTool } from './types';
import { writeFileTool } from './writeFile';

export const ALL_TOOLS: readonly AgentTool<never>[] = [readFileTool, editFileTool, writeFileTool, runCommandTool, listFilesTool, searchTextTool] as AgentTool<never>[];

export function availableTools(capabilities: ClientCapabilities): AgentTool<never>[] {
  return ALL_TOOLS.filter((tool) => tool.available(capabilities));
}
