// A structural check of a HAR 1.2 document against the spec
// (http://www.softwareishard.com/blog/har-12-spec/): required fields, their types, the
// timings rules (-1 only for blocked/dns/connect/ssl; entry time = sum of the timings that apply).
// Returns the problems found; an empty list means valid.

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function validateHar(doc: unknown): string[] {
  const problems: string[] = [];
  const need = (cond: boolean, what: string) => {
    if (!cond) problems.push(what);
  };
  const str = (o: Obj, k: string, at: string) => need(typeof o[k] === 'string', `${at}.${k} must be a string`);
  const num = (o: Obj, k: string, at: string) => need(typeof o[k] === 'number' && Number.isFinite(o[k]), `${at}.${k} must be a number`);
  const nameValues = (o: Obj, k: string, at: string) => {
    const list = o[k];
    need(Array.isArray(list), `${at}.${k} must be an array`);
    if (Array.isArray(list)) list.forEach((nv, i) => {
      need(isObj(nv) && typeof nv['name'] === 'string' && typeof nv['value'] === 'string', `${at}.${k}[${i}] must be {name, value} strings`);
    });
  };

  if (!isObj(doc) || !isObj(doc['log'])) return ['the document must be {log: {...}}'];
  const log = doc['log'];
  need(log['version'] === '1.2', 'log.version must be "1.2"');
  need(isObj(log['creator']) && typeof log['creator']['name'] === 'string' && typeof log['creator']['version'] === 'string', 'log.creator must be {name, version}');
  need(Array.isArray(log['entries']), 'log.entries must be an array');
  const entries = Array.isArray(log['entries']) ? log['entries'] : [];
  entries.forEach((e: unknown, i: number) => {
    const at = `entries[${i}]`;
    if (!isObj(e)) return need(false, `${at} must be an object`);
    str(e, 'startedDateTime', at);
    need(typeof e['startedDateTime'] === 'string' && !Number.isNaN(Date.parse(e['startedDateTime'])) && /T.*(Z|[+-]\d\d:\d\d)$/.test(e['startedDateTime']), `${at}.startedDateTime must be ISO 8601 with a zone`);
    num(e, 'time', at);
    need(isObj(e['cache']), `${at}.cache must be an object`);
    for (const k of Object.keys(e)) {
      need(['startedDateTime', 'time', 'request', 'response', 'cache', 'timings', 'serverIPAddress', 'connection', 'comment', 'pageref'].includes(k) || k.startsWith('_'), `${at}.${k} is not a HAR field (custom fields start with _)`);
    }
    const rq = e['request'];
    if (!isObj(rq)) need(false, `${at}.request must be an object`);
    else {
      for (const k of ['method', 'url', 'httpVersion']) str(rq, k, `${at}.request`);
      for (const k of ['cookies', 'headers', 'queryString']) nameValues(rq, k, `${at}.request`);
      for (const k of ['headersSize', 'bodySize']) num(rq, k, `${at}.request`);
      if (rq['postData'] !== undefined) need(isObj(rq['postData']) && typeof rq['postData']['mimeType'] === 'string', `${at}.request.postData needs mimeType`);
    }
    const rs = e['response'];
    if (!isObj(rs)) need(false, `${at}.response must be an object`);
    else {
      num(rs, 'status', `${at}.response`);
      for (const k of ['statusText', 'httpVersion', 'redirectURL']) str(rs, k, `${at}.response`);
      for (const k of ['cookies', 'headers']) nameValues(rs, k, `${at}.response`);
      for (const k of ['headersSize', 'bodySize']) num(rs, k, `${at}.response`);
      const c = rs['content'];
      need(isObj(c) && typeof c['size'] === 'number' && typeof c['mimeType'] === 'string', `${at}.response.content must have size and mimeType`);
    }
    const t = e['timings'];
    if (!isObj(t)) return need(false, `${at}.timings must be an object`);
    for (const k of ['send', 'wait', 'receive']) {
      num(t, k, `${at}.timings`);
      need((t[k] as number) >= 0, `${at}.timings.${k} must be >= 0 (required, -1 not allowed)`);
    }
    for (const k of ['blocked', 'dns', 'connect', 'ssl']) {
      if (t[k] === undefined) continue;
      num(t, k, `${at}.timings`);
      need((t[k] as number) === -1 || (t[k] as number) >= 0, `${at}.timings.${k} must be -1 or >= 0`);
    }
    if (typeof t['ssl'] === 'number' && t['ssl'] >= 0) need(typeof t['connect'] === 'number' && t['connect'] >= t['ssl'], `${at}.timings.connect must include ssl`);
    const sum = ['blocked', 'dns', 'connect', 'send', 'wait', 'receive'].map((k) => t[k]).filter((v): v is number => typeof v === 'number' && v > 0).reduce((a, b) => a + b, 0);
    need(typeof e['time'] === 'number' && Math.abs(e['time'] - sum) < 0.01, `${at}.time must be the sum of the timings (${String(e['time'])} vs ${sum})`);
  });
  return problems;
}
