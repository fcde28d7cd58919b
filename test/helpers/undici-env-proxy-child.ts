/**
 * Child process for the env-proxy tests (the parent sets NODE_USE_ENV_PROXY and HTTP(S)_PROXY):
 * fetches `url` with plain `fetch()`, untraced or with a tracing dispatcher installed as the global
 * dispatcher, and prints one JSON line: the status and body (or the error code), the hooks that
 * fired, and the class of the dispatcher Node's fetch had before.
 */
import { runWithClientTrace } from '../../src/index.js';
import { createTracingDispatcher, installGlobalDispatcher } from '../../src/undici/index.js';
import { builtinFetchDispatcher } from '../../src/undici/base-agent.js';

/** What the parent asks for. */
export interface EnvProxyChildArgs {
  url: string;
  traced: boolean;
}

/** What the child prints. */
export interface EnvProxyChildReport {
  result: string;
  hooks: string[];
  globalDispatcher: string | undefined;
  hostPort?: string;
}

const { url, traced } = JSON.parse(process.argv[2]!) as EnvProxyChildArgs;
const globalDispatcher = (await builtinFetchDispatcher())?.constructor.name;
const hooks: string[] = [];
let hostPort: string | undefined;
const attempt = async (): Promise<string> => {
  try {
    const res = await fetch(url);
    return `${res.status} ${await res.text()}`;
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; name?: string } };
    return `error ${e.cause?.code ?? e.cause?.name ?? e.name}`;
  }
};
let result: string;
if (traced) {
  try {
    const dispatcher = await createTracingDispatcher();
    installGlobalDispatcher(dispatcher);
    const record = (name: string) => () => void hooks.push(name);
    const trace = {
      getConn: (hp: string) => void (hooks.push('getConn'), (hostPort = hp)),
      dnsStart: record('dnsStart'),
      connectStart: record('connectStart'),
      tlsHandshakeStart: record('tlsHandshakeStart'),
      tlsHandshakeDone: record('tlsHandshakeDone'),
      gotConn: record('gotConn'),
      gotFirstResponseByte: record('gotFirstResponseByte'),
    };
    result = await runWithClientTrace(trace, attempt);
    await dispatcher.close();
  } catch (err) {
    result = `createTracingDispatcher ${(err as { code?: string }).code}`;
  }
} else {
  result = await attempt();
}
const report: EnvProxyChildReport = { result, hooks, globalDispatcher, ...(hostPort ? { hostPort } : {}) };
process.stdout.write(`${JSON.stringify(report)}\n`);
