// A tiny DNS server on 127.0.0.1 (UDP) for the CLI's --dns-server tests: answers A and AAAA
// questions from a table, NXDOMAIN for unknown names, optionally after a delay. Torn down with `t.after`.
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import type { AfterHook } from './test-server.js';

/** Options of {@link startDnsServer}. */
export interface DnsServerOptions {
  /** Answer after this many ms (per query). Default 0. */
  delayMs?: number;
}

/** A running DNS server. */
export interface DnsServer {
  /** `127.0.0.1:PORT`, for --dns-server. */
  address: string;
  /** Names asked for, with the record type: `localhost.test/A`. */
  queries: string[];
}

function readName(msg: Buffer, offset: number): [string, number] {
  const labels: string[] = [];
  while (msg[offset] !== 0 && offset < msg.length) {
    const len = msg[offset]!;
    labels.push(msg.subarray(offset + 1, offset + 1 + len).toString('ascii'));
    offset += len + 1;
  }
  return [labels.join('.'), offset + 1];
}

function rdata(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
  const [head = '', tail = ''] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

function reply(query: Buffer, table: Record<string, string[]>): { response: Buffer; asked: string } {
  const [name, end] = readName(query, 12);
  const type = query.readUInt16BE(end);
  const question = query.subarray(12, end + 4);
  const known = table[name.toLowerCase()];
  const family = type === 1 ? 4 : type === 28 ? 6 : 0;
  const addrs = (known ?? []).filter((a) => isIP(a) === family);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  header.writeUInt16BE(known === undefined ? 0x8183 : 0x8180, 2); // response, RD+RA, NOERROR or NXDOMAIN
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addrs.length, 6);
  const answers = addrs.map((a) => {
    const data = rdata(a);
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0);
    rr.writeUInt16BE(type, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(60, 6);
    rr.writeUInt16BE(data.length, 10);
    return Buffer.concat([rr, data]);
  });
  return { response: Buffer.concat([header, question, ...answers]), asked: `${name}/${type === 1 ? 'A' : type === 28 ? 'AAAA' : type}` };
}

/** Starts the server on 127.0.0.1, port 0. `table` maps names (lower case) to addresses. */
export async function startDnsServer(t: AfterHook, table: Record<string, string[]>, options: DnsServerOptions = {}): Promise<DnsServer> {
  const socket = dgram.createSocket('udp4');
  const timers = new Set<NodeJS.Timeout>();
  const queries: string[] = [];
  socket.on('message', (msg, rinfo) => {
    const { response, asked } = reply(msg, table);
    queries.push(asked);
    const send = () => socket.send(response, rinfo.port, rinfo.address);
    if (!options.delayMs) return send();
    const timer = setTimeout(() => {
      timers.delete(timer);
      send();
    }, options.delayMs);
    timers.add(timer);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const timer of timers) clearTimeout(timer);
    socket.close();
  });
  return { address: `127.0.0.1:${socket.address().port}`, queries };
}
