// `npm run bench:auth`: what sign-in costs, each figure beside a raw baseline.
//  1. bcrypt at cost 10 and 12: our worker pool vs bcryptjs on the main thread
//  2. the event loop's worst stall while hashing: worker vs main thread
//  3. the door's per-call authentication (JWT verify + live-session lookup) vs jose's jwtVerify alone
import { rmSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import bcrypt from 'bcryptjs';
import { jwtVerify } from 'jose';
import { createCore } from '../main/core/app.js';
import { prehash } from '../main/core/auth/password-worker.js';
import { PasswordWorkers } from '../main/core/auth/passwords.js';
import { JWT_SECRET_NAME } from '../main/core/auth/service.js';
import { loadConfig } from '../main/core/config.js';
import { silentLogger } from '../main/core/log.js';
import { createUser, signIn } from '../tests/support/auth.js';
import { tempDir } from '../tests/support/server.js';

const ms = (n: number) => `${n.toFixed(1)} ms`;
const row = (label: string, ours: string, baseline: string) => console.log(`${label.padEnd(46)} ${ours.padStart(12)}   baseline ${baseline}`);

async function timeEach(n: number, fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return (performance.now() - started) / n;
}

async function stall(fn: () => Promise<unknown>): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await fn();
  histogram.disable();
  return histogram.max / 1e6;
}

const workers = new PasswordWorkers({ size: 1 });
const password = 'Ample lantern quartz 73 harbor';
await workers.hash(password, 4); // start the worker

console.log('1. bcrypt (per operation, mean of 3)');
for (const cost of [10, 12]) {
  const hash = await workers.hash(password, cost);
  const viaWorker = await timeEach(3, () => workers.verify(password, hash));
  const mainThread = await timeEach(3, () => bcrypt.compare(prehash(password), hash));
  row(`   verify, cost ${cost}, worker thread`, ms(viaWorker), `${ms(mainThread)} (bcryptjs async on the main thread)`);
}

console.log('2. worst event-loop stall during 3 verifies at cost 12');
const hash12 = await workers.hash(password, 12);
const workerStall = await stall(async () => {
  for (let i = 0; i < 3; i++) await workers.verify(password, hash12);
});
const mainStall = await stall(async () => {
  for (let i = 0; i < 3; i++) await bcrypt.compare(prehash(password), hash12);
});
row('   max loop delay, worker thread', ms(workerStall), `${ms(mainStall)} (bcryptjs async on the main thread)`);
await workers.close();

console.log('3. authentication at the door, per call (mean of 2000)');
const dataDir = tempDir();
const config = loadConfig({ face: 'headless', env: { LEXDESK_DATA_DIR: dataDir, LEXDESK_BCRYPT_COST: '4' }, envFile: null });
const core = createCore(config, { log: silentLogger });
await core.start();
const session = await signIn(core, await createUser(core, { role: 'lawyer' }));
const key = new TextEncoder().encode((await core.services.secrets.get(JWT_SECRET_NAME))!);
const authenticator = core.services.auth.authenticator;
const ours = await timeEach(2000, () => authenticator.authenticate({ face: 'headless', token: session.token }));
const raw = await timeEach(2000, () => jwtVerify(session.token, key, { algorithms: ['HS256'] }));
row('   authenticate (verify + session check)', `${(ours * 1000).toFixed(0)} µs`, `${(raw * 1000).toFixed(0)} µs (jose jwtVerify alone)`);
const fullCall = await timeEach(500, () => session.call('auth.sessions.list'));
const publicCall = await timeEach(500, () => core.dispatcher.dispatch('system.info', {}, { face: 'headless' }));
row('   auth.sessions.list through the door', `${(fullCall * 1000).toFixed(0)} µs`, `${(publicCall * 1000).toFixed(0)} µs (system.info, no token)`);
await core.stop();
rmSync(dataDir, { recursive: true, force: true });
