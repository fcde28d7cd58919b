/**
 * What the node adapter knows about each pooled socket (how many requests it carried, since when it
 * is idle) and the `putIdleConn` hook: the agent's `'free'` event is watched just before and just
 * after Node's own handler, to tell a socket pooled or handed to a queued request (Go: `nil`) from
 * one the pool refused (Go: the reason). Installed on an agent the first time it carries a traced
 * request, so an agent that never traces pays nothing.
 */
import type { Agent, ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { HttpTraceError } from '../errors.js';
import { socketRequest } from './private-fields.js';

/** What is known of one socket. */
export interface SocketState {
  /** Requests this socket was given before the current one. */
  served: number;
  /** `performance.now()` when it entered the idle pool; `undefined` when not idle or not seen. */
  idleSince: number | undefined;
}

/** The part of a request tracer the pool needs. */
export interface PooledRequest {
  readonly socket: Socket | undefined;
  putIdleConn(err: Error | null): void;
}

const states = new WeakMap<Socket, SocketState>();
const watched = new WeakSet<Agent>();

/** The state of `socket`, created on first sight (a socket seen connected has served a request). */
export function socketState(socket: Socket): SocketState {
  let state = states.get(socket);
  if (state === undefined) states.set(socket, (state = { served: socket.connecting ? 0 : 1, idleSince: undefined }));
  return state;
}

/** Records `socket` as brand new (no request served yet), unless it is already known. */
export function newSocket(socket: Socket): void {
  if (!states.has(socket)) states.set(socket, { served: 0, idleSince: undefined });
}

interface Snapshot {
  readonly socket: Socket;
  readonly request: PooledRequest | undefined;
  readonly writable: boolean;
  readonly keepAlive: boolean;
  readonly freeLen: number;
  readonly count: number;
  readonly queued: number;
}

function refused(reason: string): HttpTraceError {
  return new HttpTraceError('ERR_HTTPTRACE_PUT_IDLE_REFUSED', `putIdleConn: ${reason}`);
}

type AgentInternals = Agent & { totalSocketCount?: number; maxTotalSockets?: number; keepAlive?: boolean };

/** Watches `agent`'s `'free'` events (once per agent); `requestOf` finds a request's tracer. */
export function watchPool(agent: Agent, requestOf: (req: ClientRequest) => PooledRequest | undefined): void {
  if (watched.has(agent)) return;
  watched.add(agent);
  const internals = agent as AgentInternals;
  const getName = (options: unknown): string => agent.getName(options as never);
  let snapshot: Snapshot | undefined;

  agent.prependListener('free', (socket: Socket, options: unknown) => {
    const req = socketRequest(socket);
    const request = req ? requestOf(req) : undefined;
    const name = getName(options);
    const freeLen = agent.freeSockets[name]?.length ?? 0;
    snapshot = {
      socket,
      request: request?.socket === socket ? request : undefined,
      writable: socket.writable,
      keepAlive: Boolean(req?.shouldKeepAlive) && internals.keepAlive !== false,
      freeLen,
      count: freeLen + (agent.sockets[name]?.length ?? 0),
      queued: agent.requests[name]?.length ?? 0,
    };
  });

  agent.on('free', (socket: Socket, options: unknown) => {
    const snap = snapshot;
    snapshot = undefined;
    if (snap === undefined || snap.socket !== socket) return;
    const name = getName(options);
    const pooled = agent.freeSockets[name]?.includes(socket) === true;
    if (pooled) socketState(socket).idleSince = performance.now();
    const request = snap.request;
    if (request === undefined) return;
    if (!socket.destroyed) return request.putIdleConn(null);
    if (!snap.writable) return request.putIdleConn(refused('connection is in bad state'));
    if (snap.queued > 0) return request.putIdleConn(null);
    if (!snap.keepAlive) return; // keep-alive disabled: Go stays silent too
    if ((internals.totalSocketCount ?? 0) > (internals.maxTotalSockets ?? Infinity)) {
      return request.putIdleConn(refused('too many connections in total (maxTotalSockets)'));
    }
    if (snap.count > agent.maxSockets) return request.putIdleConn(refused('too many connections for host (maxSockets)'));
    if (snap.freeLen >= agent.maxFreeSockets) {
      return request.putIdleConn(refused('too many idle connections for host (maxFreeSockets)'));
    }
    request.putIdleConn(refused('keepSocketAlive() refused the connection (server keep-alive hint too short)'));
  });
}
