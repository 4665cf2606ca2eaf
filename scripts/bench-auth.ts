// `npm run bench:auth`: what sign-in costs, each figure beside a raw baseline.
//  1. bcrypt at cost 10 and 12: our worker pool vs bcryptjs on the main thread
//  2. the event loop's worst stall while hashing: worker vs main thread
//  3. the door's per-call authentication (JWT verify + live-session lookup) vs jose's jwtVerify alone
//  4. a correct sign-in during 100 parallel wrong ones from another address (cost 12), idle vs burst,
//     beside the raw baseline: one worker and a first-come queue (before issue #16)
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

console.log('4. a correct sign-in while 100 wrong ones arrive at once from another address (cost 12)');
const burstDir = tempDir();
const burstConfig = loadConfig({
  face: 'headless',
  // the per-address limit off, so the figure is the queue's fairness alone
  env: { LEXDESK_DATA_DIR: burstDir, LEXDESK_BCRYPT_COST: '12', LEXDESK_SIGNIN_LIMIT: '100000', LEXDESK_WHATSAPP: 'simulator' },
  envFile: null,
});
const burstCore = createCore(burstConfig, { log: silentLogger });
await burstCore.start();
const maria = await createUser(burstCore, { role: 'lawyer' });
const login = (username: string, pw: string, address: string) =>
  burstCore.dispatcher.dispatch('auth.login', { username, password: pw }, { face: 'headless', address });
const timed = async (fn: () => Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};
await login(maria.username, maria.password, '203.0.113.5'); // workers and the dummy hash ready
const idle: number[] = [];
for (let i = 0; i < 3; i++) idle.push(await timed(() => login(maria.username, maria.password, '203.0.113.5')));
const idleMs = idle.sort((a, b) => a - b)[1]!;
const during: number[] = [];
let refusedAtOnce = 0;
for (let round = 0; round < 3; round++) {
  const burst = Array.from({ length: 100 }, (_, i) =>
    login(`nobody-${round}-${i}`, 'a wrong password', '198.51.100.9').then((r) => {
      if (!r.ok && r.error.code === 'rate_limited') refusedAtOnce++;
    }),
  );
  await new Promise((r) => setTimeout(r, 50));
  during.push(await timed(() => login(maria.username, maria.password, '203.0.113.5')));
  await Promise.all(burst);
}
const duringMs = during.sort((a, b) => a - b)[1]!;
await burstCore.stop();
rmSync(burstDir, { recursive: true, force: true });

// the raw baseline: one worker, first come first served, with the 30 wrong attempts the per-address limit let through
const fifo = new PasswordWorkers({ size: 1, maxQueue: 64 });
const wrongHash = await fifo.hash('something else entirely', 12);
const rightHash = await fifo.hash(password, 12);
const fifoIdle = await timed(() => fifo.verify(password, rightHash));
const queued = Array.from({ length: 30 }, () => fifo.verify('a wrong password', wrongHash).catch(() => false));
const fifoDuring = await timed(() => fifo.verify(password, rightHash));
await Promise.all(queued);
await fifo.close();
row('   idle correct sign-in (median of 3)', ms(idleMs), `${ms(fifoIdle)} (one worker, first come first served)`);
row('   during the burst (median of 3 bursts)', ms(duringMs), `${ms(fifoDuring)} (the same, 30 wrong ones queued first)`);
row('   during / idle', `${(duringMs / idleMs).toFixed(2)}×`, `${(fifoDuring / fifoIdle).toFixed(2)}× (goal: within 2×)`);
console.log(`   wrong attempts refused at once (rate_limited) instead of queued: ${refusedAtOnce} of 300`);
