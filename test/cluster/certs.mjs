// Credentials for the test cluster, written into its state dir:
//   pki/ca.crt, ca.key            a throw-away CA (openssl)
//   pki/apiserver.crt, .key       the API server's serving cert for 127.0.0.1/localhost, signed by the CA
//   pki/sa.key, sa.pub            the service-account signing key pair (node:crypto)
//   tokens.csv                    static bearer tokens: admin (system:masters) and mesh-user (no groups)
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function openssl(args, cwd) {
  try {
    await run('openssl', args, { cwd });
  } catch (e) {
    if (e.code === 'ENOENT') throw new Error('openssl is not installed (Debian: apt-get install -y openssl)');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr || e.message}`);
  }
}

/** Users of the test cluster: name → groups. */
export const USERS = {
  admin: ['system:masters'],
  'mesh-user': [],
};

export async function writeCredentials(stateDir) {
  const pki = path.join(stateDir, 'pki');
  mkdirSync(pki, { recursive: true, mode: 0o700 });

  await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '30',
      '-subj',
      '/CN=kubectl-mesh-test-ca',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
    ],
    pki,
  );
  writeFileSync(
    path.join(pki, 'apiserver.ext'),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc',
      '',
    ].join('\n'),
  );
  await openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=kube-apiserver', '-keyout', 'apiserver.key', '-out', 'apiserver.csr'],
    pki,
  );
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      'apiserver.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '30',
      '-extfile',
      'apiserver.ext',
      '-out',
      'apiserver.crt',
    ],
    pki,
  );

  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  writeFileSync(path.join(pki, 'sa.key'), privateKey, { mode: 0o600 });
  writeFileSync(path.join(pki, 'sa.pub'), publicKey);

  const tokens = {};
  const lines = Object.entries(USERS).map(([user, groups], i) => {
    tokens[user] = randomBytes(24).toString('hex');
    return `${tokens[user]},${user},uid-${i + 1}${groups.length ? `,"${groups.join(',')}"` : ''}`;
  });
  writeFileSync(path.join(stateDir, 'tokens.csv'), lines.join('\n') + '\n', { mode: 0o600 });

  return {
    caFile: path.join(pki, 'ca.crt'),
    caPem: readFileSync(path.join(pki, 'ca.crt'), 'utf8'),
    certFile: path.join(pki, 'apiserver.crt'),
    keyFile: path.join(pki, 'apiserver.key'),
    saKey: path.join(pki, 'sa.key'),
    saPub: path.join(pki, 'sa.pub'),
    tokenFile: path.join(stateDir, 'tokens.csv'),
    tokens,
  };
}
