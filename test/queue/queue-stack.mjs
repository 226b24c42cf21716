// Queue-mode stack (Redis, PostgreSQL, main, webhook process, workers, sandboxes); for the test/queue scenarios.
// The queue-mode stack of test/queue/: Redis, PostgreSQL, n8n main + a webhook process + 2 workers with the
// package, the sandboxes, the three workflows the scenarios run; and how the scenarios read executions from main.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { builtPackage, exampleCredentialRefs, exampleWorkflow, freePort, importAll, installN8n, N8nRest, n8nCli, n8nEnvironment, prepareUserFolder, redactor, startN8n } from '../../scripts/lib/n8n.mjs';
import { Failure, onShutdown, seconds, sleep } from '../../scripts/lib/proc.mjs';
import { executionsEnqueuedBy, executionsStartedBy, installPostgres, installRedis, queueEnvironment, startPostgres, startRedis } from '../../scripts/lib/queue-mode.mjs';
import { closeSandboxes, sandboxCredentials, startSandboxes } from '../../scripts/lib/sandboxes.mjs';
import { newPageKey, pageKeyCredential, pagedSyncWorkflow, psql, seedUsers, SOURCE_TABLE } from '../../scripts/lib/paged-sync.mjs';
import { startProxy } from '../../scripts/lib/proxy.mjs';
import { intakeWorkflow } from '../../scripts/lib/restart-stream.mjs';
import { stageSayer, waitForWebhooks, webhookOf } from '../../scripts/lib/stack.mjs';

/** The whole suite's time budget (the redelivery scenarios send only while it lasts). */
export const TOTAL_TIMEOUT_MS = 45 * 60_000;
const WORKER_CONCURRENCY = 5;
/** The database the paged bulk sync reads its users from (beside n8n's own). */
const SOURCE_DATABASE = 'app';
/** The bulk sync's page lease: a page a killed worker held is handed out again this long after it was taken. */
export const LEASE_SECONDS = 30;
/** Bull's job lock, shorter than n8n's defaults (60 s lock, 30 s stalled check) so a dead worker's job is
 * declared stalled within a minute; renewal every 5 s leaves a busy worker plenty of margin. */
export const LOCK = { durationMs: 30_000, renewMs: 5_000, stalledIntervalMs: 10_000 };
const OWNER = { email: 'queue@example.com', password: 'RankrQueue1', firstName: 'Queue', lastName: 'Owner' };

/** The three workflows this test runs, written into `dir`: { signup, bulk, dedupe } with { file, workflow, url }. */
function queueWorkflows(dir, pageSize) {
	fs.mkdirSync(dir, { recursive: true });
	const signup = exampleWorkflow('signup').workflow;

	// The paged bulk sync of examples/bulk-sync.json, started by webhooks instead of its manual trigger and
	// schedules (see scripts/lib/paged-sync.mjs); pages of `pageSize`, a short lease so a dead worker's page is
	// handed out again within the test.
	const bulk = pagedSyncWorkflow({ settings: { pageSize, leaseMinutes: LEASE_SECONDS / 60 }, name: 'Queue test: paged bulk sync' });

	// The de-dup flow: the signup flow's trigger and its "Skip redeliveries", then an ActivatePro upsert per run.
	const dedupe = intakeWorkflow(signup, { id: 'rankrQueueDedupe01', name: 'Queue test: Rankr signup → Skip redeliveries → ActivatePro', webhookId: 'rankr-queue-dedupe' });

	const out = {};
	for (const [key, workflow] of Object.entries({ signup, bulk, dedupe })) {
		const file = path.join(dir, `${key}.json`);
		fs.writeFileSync(file, `${JSON.stringify(workflow, null, 2)}\n`);
		out[key] = { file, workflow, ...workflow.nodes.map(webhookOf).find(Boolean) };
	}
	return out;
}

/**
 * Brings the queue-mode stack up (see queue.e2e.mjs); `say` gets one line per stage. Returns the handle the
 * scenarios use: the processes, the sandboxes, REST on main, url(key[, proc]) of a workflow's webhook through the
 * proxy in front of the webhook process (or straight on `proc`), start(role, …) of another process (e.g. with
 * another user folder), redact, stop().
 */
export async function startQueueStack(options, say) {
	const stage = stageSayer(say, 52);
	const pkg = builtPackage();
	const runtime = await stage('n8n installed (cached in ~/.cache)', () => installN8n());
	const redisBinary = await stage('redis-server present', () => installRedis());
	const { tmp, userFolder } = prepareUserFolder(pkg);
	const workflows = queueWorkflows(path.join(tmp, 'workflows-src'), options.pageSize);
	const refs = exampleCredentialRefs(Object.values(workflows).map(({ workflow }) => ({ name: workflow.id, workflow })));

	const keys = { activatepro: `ap-run-${randomBytes(12).toString('hex')}`, emailapi: `pit-run-${randomBytes(12).toString('hex')}` };
	const secrets = Object.values(keys);
	const redact = redactor(secrets);

	const processes = [];
	let redis;
	let postgres;
	let source;
	let sandboxes;
	let proxy;
	const webhookPort = await freePort();
	let stopping;
	const stop = () => {
		// workers first (they hold jobs), then the webhook process and main, then Redis and the sandboxes
		stopping ??= (async () => {
			const alive = processes.filter((p) => !p.hasExited());
			await Promise.allSettled(alive.filter((p) => p.role === 'worker').map((p) => p.stop()));
			await Promise.allSettled(alive.filter((p) => p.role !== 'worker').map((p) => p.stop()));
			await proxy?.stop();
			await redis?.stop();
			await postgres?.stop();
			if (sandboxes) await closeSandboxes(sandboxes);
		})();
		return stopping;
	};
	onShutdown(stop);

	try {
		const redisPort = await freePort();
		redis = await stage(`Redis on 127.0.0.1:${redisPort} (no persistence)`, () => startRedis({ binary: redisBinary, port: redisPort, dir: path.join(tmp, 'redis'), logFile: path.join(tmp, 'redis.log') }));
		sandboxes = await stage('sandboxes listening', () =>
			startSandboxes([
				{ name: 'activatepro', apiKey: keys.activatepro },
				{ name: 'emailapi', apiKey: keys.emailapi },
				// Redeliveries 2, 4, 8, 16, 32 s after a failed attempt (Rankr's schedule is in seconds): an n8n webhook
				// process saturated by c=50 on 2 cores answers "503 Database is not ready!" for seconds at a time (its
				// DB ping, 5 s timeout, waits behind the busy event loop); a compressed 0.5 s schedule gave up on 2
				// events of 550 in one run, which a real sender would have delivered.
				{ name: 'rankr', options: { retryIntervalMs: 3000, retryJitterMs: 1000 } },
			]),
		);
		// PostgreSQL: the users the paged bulk sync reads (database `app`), and n8n's own database unless --db sqlite.
		const bindir = await stage('PostgreSQL present', () => installPostgres());
		const pgPort = await freePort();
		postgres = await stage(`PostgreSQL throwaway cluster on 127.0.0.1:${pgPort}`, () => startPostgres({ bindir, port: pgPort, logFile: path.join(tmp, 'postgres.log') }));
		secrets.push(postgres.password);
		const pgLogin = { bindir, port: pgPort, user: postgres.env.DB_POSTGRESDB_USER, password: postgres.password };
		await psql({ ...pgLogin, database: postgres.env.DB_POSTGRESDB_DATABASE }).exec(`CREATE DATABASE ${SOURCE_DATABASE}`);
		source = { ...pgLogin, database: SOURCE_DATABASE };
		const seeded = await stage(`${options.bulk.toLocaleString('en-US')} users in ${SOURCE_DATABASE}.${SOURCE_TABLE}`, () => seedUsers(source, options.bulk));
		say(`    (seeded in ${seconds(seeded.ms)})`);
		if (options.db === 'postgres') {
			// n8n's default is 2 connections per process; a burst of webhooks then queues the DB ping behind them,
			// the ping times out (5 s) and the process answers every request "503 Database is not ready!".
			postgres.env.DB_POSTGRESDB_POOL_SIZE = String(options.poolSize);
		}
		const encryptionKey = randomBytes(24).toString('hex');
		// The bulk sync's page webhook answers only with this key (Header Auth), made per run.
		const pageKey = newPageKey();
		secrets.push(pageKey);
		const envFor = async ({ port, home = userFolder } = {}) => ({
			...queueEnvironment(n8nEnvironment(runtime, home, { brokerPort: await freePort(), port: port ?? (await freePort()) }), { redisPort, encryptionKey, db: options.db === 'postgres' ? postgres.env : undefined, lock: LOCK }),
			// The public URL of webhooks, as in production: the bulk sync hands its pages to the webhook process.
			WEBHOOK_URL: `http://localhost:${webhookPort}/`,
			...options.extraEnv,
		});

		const cli = n8nCli({ runtime, env: await envFor(), cwd: tmp, say: options.verbose ? say : () => {}, redact, verbose: options.verbose });
		await stage('credentials + 3 workflows imported', () =>
			importAll(cli, tmp, {
				credentials: [...sandboxCredentials(sandboxes, refs), pageKeyCredential(refs, pageKey), { ...refs.postgres, type: 'postgres', data: { host: '127.0.0.1', port: pgPort, database: SOURCE_DATABASE, user: pgLogin.user, password: pgLogin.password, ssl: 'disable' } }].filter(Boolean),
				workflowFiles: Object.values(workflows).map((w) => w.file),
			}),
		);

		let workerCount = 0;
		/**
		 * An n8n process of `role`: main (`n8n start`: REST, activation), webhook, or worker (its /healthz on its
		 * `port`); `home` another user folder (e.g. one without the package), `name` its label.
		 */
		const start = async (role, { home, name = role === 'worker' ? `worker${++workerCount}` : role, port } = {}) => {
			port ??= await freePort();
			const health = role === 'worker' ? { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(port), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' } : {};
			const args = { main: ['start'], webhook: ['webhook'], worker: ['worker', `--concurrency=${WORKER_CONCURRENCY}`] }[role];
			const proc = await startN8n({ runtime, cwd: tmp, say, redact, verbose: options.verbose, env: { ...(await envFor({ home, port })), ...health }, args, name, url: `http://localhost:${port}`, logFile: path.join(tmp, `${name}.log`) });
			proc.role = role;
			processes.push(proc);
			return proc;
		};
		const mainPort = await freePort();
		const main = await stage(`n8n start (main, queue mode) on port ${mainPort}`, () => start('main', { port: mainPort }));
		const rest = new RetryingRest(main.url);
		await stage('owner account set up', () => rest.setupOwner(OWNER));
		await stage('3 workflows activated (on main)', async () => {
			for (const { workflow } of Object.values(workflows)) await rest.activate(workflow.id);
		});
		const [webhook] = await stage('n8n webhook + 2 n8n workers ready', () => Promise.all([start('webhook', { port: webhookPort }), start('worker'), start('worker')]));
		// Rankr reaches the webhook process through the proxy recipe (examples/proxy/nginx-queue.conf), as
		// docs/reliability.md says to run it: Rankr retries only what is answered 429.
		proxy = await stage('nginx (examples/proxy/nginx-queue.conf) in front', async () => startProxy('queue', { port: await freePort(), mainPort, webhookPorts: [webhookPort] }));
		/** A workflow's production webhook: through the proxy, or straight on `proc` (another process). */
		const url = (key, proc) => `${proc ? proc.url : proxy.url}/webhook/${workflows[key].path}`;
		await stage('the webhook process serves the 3 webhooks', () =>
			waitForWebhooks(Object.entries(workflows).map(([key, { method }]) => ({ name: key, method, url: url(key, webhook) })), 60_000),
		);

		return {
			redis,
			postgres,
			pageKey,
			source,
			rankr: sandboxes.rankr.sandbox,
			activatepro: sandboxes.activatepro.sandbox,
			emailapi: sandboxes.emailapi.sandbox,
			main,
			webhook,
			webhookPort,
			proxy,
			workers: () => processes.filter((p) => p.role === 'worker'),
			processes: () => processes,
			start,
			pkg,
			rest,
			workflows,
			url,
			redact,
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

// ---------- reading executions from main ----------

/**
 * main's REST API, whose reads are tried up to 3 times: a GET that meets a keep-alive connection the server is
 * just closing fails with "terminated" / ECONNRESET and is safe to repeat.
 */
class RetryingRest extends N8nRest {
	async request(method, route, body) {
		for (let attempt = 1; ; attempt++) {
			try {
				return await super.request(method, route, body);
			} catch (error) {
				if (method !== 'GET' || attempt >= 3 || error instanceof Failure) throw error;
				await sleep(250 * attempt);
			}
		}
	}
}

/** { count, results } of a workflow's executions, optionally only those in `status`. */
export async function executionPage(stack, workflowId, { status, limit = 100 } = {}) {
	const filter = encodeURIComponent(JSON.stringify(status ? { workflowId, status } : { workflowId }));
	const data = await stack.rest.request('GET', `/executions?filter=${filter}&limit=${limit}`);
	return { count: data?.count ?? 0, results: data?.results ?? [] };
}

export async function executionIds(stack, workflowId) {
	return new Set((await executionPage(stack, workflowId, { limit: 100 })).results.map((e) => e.id));
}

/**
 * A signed UserCreate for `user` to the signup webhook on the webhook process, and the executions it started,
 * finished (waited for 60 s at most): { delivery, executions, where (the first one ran) }.
 */
export async function signUp(stack, user) {
	const { workflow } = stack.workflows.signup;
	const before = await executionIds(stack, workflow.id);
	const delivery = await stack.rankr.deliver(stack.url('signup'), stack.rankr.event('UserCreate', user));
	const executions = (await stack.rest.finishedAfter(workflow.id, before, { timeoutMs: 60_000, intervalMs: 500 })) ?? [];
	return { delivery, executions, where: whereItRan(stack, executions[0]) };
}

/** Which processes' logs say they ran `execution` (none when undefined): { ranOn: [worker names], enqueuedBy: [names] }. */
export function whereItRan(stack, execution) {
	const named = (read) => stack.processes().filter((p) => execution && read(p).includes(execution.id)).map((p) => p.name);
	return { ranOn: named(executionsStartedBy), enqueuedBy: named(executionsEnqueuedBy) };
}

export function problemOf(execution) {
	const error = execution?.data?.resultData?.error;
	return error ? `${error.node?.name ? `node "${error.node.name}": ` : ''}${error.message}` : '';
}
