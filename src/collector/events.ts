/**
 * The collector's event model: each hook call and each caller mark, with its time and its arguments
 * by name. Values are kept as the hooks gave them (errors, certificates); the CLI's `--json` output
 * turns them into plain JSON.
 * @module
 */
import type { ClientTrace, GotResponseInfo, Header, HookName, RequestDoneInfo, TLSConnectionState } from '../client-trace.js';

/** A caller's step: `request` and `response` once per request, `body` once read, `redirect` per hop followed, `sleep`, `end`. */
export type MarkName = 'request' | 'response' | 'body' | 'redirect' | 'sleep' | 'end';

/** One hook call. `t` is in ms since the collector's origin (monotonic clock). */
export interface HookEvent {
  readonly type: 'hook';
  readonly hook: HookName;
  /** The request number given to {@link TraceCollector.trace}. */
  readonly req: number;
  readonly t: number;
  /** The hook's arguments by name; see {@link hookArgs}. */
  readonly args: Readonly<Record<string, unknown>>;
}

/** One caller mark. */
export interface MarkEvent {
  readonly type: 'mark';
  readonly mark: MarkName;
  readonly req: number;
  readonly t: number;
  readonly args: Readonly<Record<string, unknown>>;
}

/** A hook call or a mark. */
export type TraceEvent = HookEvent | MarkEvent;

function hostPort(address: string | undefined, port: number | undefined): string | null {
  if (address === undefined) return null;
  return `${address.includes(':') ? `[${address}]` : address}:${port ?? ''}`;
}

function tlsArgs(state: TLSConnectionState, err: unknown): Record<string, unknown> {
  return {
    version: state.version,
    cipherSuite: state.cipherSuite,
    negotiatedProtocol: state.negotiatedProtocol,
    serverName: state.serverName,
    didResume: state.didResume,
    handshakeComplete: state.handshakeComplete,
    peerCertificates: state.peerCertificates,
    err,
  };
}

/**
 * The arguments of a hook call by name, as the collector records them: `hostPort`; `host`;
 * `addrs`, `coalesced`, `err`; `network`, `addr`, `err`; `reused`, `wasIdle`, `idleTime`,
 * `remoteAddr` and `localAddr` (`"ip:port"`, `null` if unknown; the connection itself is not kept); `key`, `values`; `code`, `header`; the TLS
 * state's fields and `err`; `err` of `putIdleConn` and `wroteRequest`; `statusCode`, `statusMessage`, `httpVersion`, `header` of `gotResponse`; `err`, `bytesRead` of `requestDone`. Hooks without arguments give `{}`.
 */
export function hookArgs(hook: HookName, a: readonly unknown[]): Record<string, unknown> {
  switch (hook) {
    case 'getConn':
      return { hostPort: a[0] };
    case 'gotConn': {
      const info = a[0] as Parameters<NonNullable<ClientTrace['gotConn']>>[0];
      const { conn } = info;
      return {
        reused: info.reused,
        wasIdle: info.wasIdle,
        idleTime: info.idleTime,
        remoteAddr: hostPort(conn.remoteAddress, conn.remotePort),
        localAddr: hostPort(conn.localAddress, conn.localPort),
      };
    }
    case 'putIdleConn':
      return { err: a[0] ?? null };
    case 'got1xxResponse':
      return { code: a[0], header: a[1] as Header };
    case 'dnsStart':
      return { host: (a[0] as { host: string }).host };
    case 'dnsDone': {
      const info = a[0] as { addrs: readonly string[]; err: Error | null; coalesced: boolean };
      return { addrs: info.addrs, coalesced: info.coalesced, err: info.err };
    }
    case 'connectStart':
      return { network: a[0], addr: a[1] };
    case 'connectDone':
      return { network: a[0], addr: a[1], err: a[2] ?? null };
    case 'tlsHandshakeDone':
      return tlsArgs(a[0] as TLSConnectionState, a[1] ?? null);
    case 'wroteHeaderField':
      return { key: a[0], values: a[1] };
    case 'wroteRequest':
      return { err: (a[0] as { err: Error | null }).err };
    case 'gotResponse': {
      const info = a[0] as GotResponseInfo;
      return { statusCode: info.statusCode, statusMessage: info.statusMessage, httpVersion: info.httpVersion, header: info.header };
    }
    case 'requestDone': {
      const info = a[0] as RequestDoneInfo;
      return { err: info.err, bytesRead: info.bytesRead };
    }
    default:
      return {};
  }
}
