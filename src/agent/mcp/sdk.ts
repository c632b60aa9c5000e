/**
 * The MCP SDK's client modules, loaded on the first session that names an MCP server: most sessions name
 * none, and the SDK (with its schema validators) would otherwise slow every start of the CLI and extension.
 */
let loading: ReturnType<typeof load> | undefined;

function load() {
  return Promise.all([
    import('@modelcontextprotocol/sdk/client/index.js'),
    import('@modelcontextprotocol/sdk/client/stdio.js'),
    import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
    import('@modelcontextprotocol/sdk/client/sse.js'),
  ]).then(([client, stdio, http, sse]) => ({
    Client: client.Client,
    StdioClientTransport: stdio.StdioClientTransport,
    StreamableHTTPClientTransport: http.StreamableHTTPClientTransport,
    SSEClientTransport: sse.SSEClientTransport,
  }));
}

export type McpSdk = Awaited<ReturnType<typeof load>>;
export type McpClient = InstanceType<McpSdk['Client']>;
export type McpTransport = Parameters<McpClient['connect']>[0];
export type StdioTransport = InstanceType<McpSdk['StdioClientTransport']>;

export function loadSdk(): Promise<McpSdk> {
  loading ??= load();
  return loading;
}
