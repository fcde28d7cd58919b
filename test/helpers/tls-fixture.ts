// TLS fixture material for the tests: the test CA and the localhost server
// certificate/key committed in test/fixtures/ (made by generate-certs.sh).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Walks up from this module's folder to the first folder holding a package.json. */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('tls-fixture: no package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** Absolute path of the repository's `test/fixtures/` folder. */
export const fixturesDir: string = join(findRepoRoot(), 'test', 'fixtures');

const read = (name: string): string => readFileSync(join(fixturesDir, name), 'utf8');

/** PEM of the test CA ("httptrace test CA"); pass it as `ca` to trust the test server. */
export const ca: string = read('ca.pem');
/** PEM private key (EC P-256) of the test server certificate. */
export const key: string = read('server.key');
/** PEM server certificate: CN=localhost, SAN DNS:localhost, IP:127.0.0.1, IP:::1. */
export const cert: string = read('server.pem');
