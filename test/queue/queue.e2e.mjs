#!/usr/bin/env node
// Queue mode ("scaling mode"): this package in a real n8n 2.41 split across processes, as production runs it.
//   Redis (Debian's redis-server; scripts/install-redis.sh installs it when missing), PostgreSQL (Debian's;
//   scripts/install-postgres.sh), both throwaway, on loopback; `n8n start` (main: REST, activation), `n8n
//   webhook` (receives the webhooks), two `n8n worker`s (run the executions); one user folder (the package
//   installed once in .n8n/nodes), one encryption key. n8n's defaults otherwise.
// Checks:
//   a. a signed Rankr signup webhook, sent to the webhook process, runs on a worker to success; the sandboxes
//      hold the profile, the Email API user and one welcome email
//   b. a 20,000-user bulk sync (examples/bulk-sync.json, Code node count 20000, started by a webhook) runs on a
//      worker and leaves 20,000 users in ActivatePro
//   c. the worker running that bulk sync is SIGKILLed half-way; the sync is run again (the other worker takes
//      it): exactly 20,000 users, each with its own email; what n8n did with the killed execution
//   d. 5,000 signed webhooks at concurrency 50 into trigger → "Skip redeliveries" (the signup flow's Remove
//      Duplicates node) → ActivatePro upsert (records each event that got past the de-dup step), 10% redelivered
//      to the same webhook process after the first delivery was acknowledged: the trigger turns every
//      redelivery away, exactly one execution and one pass per distinct event
//   d3. the same with the redeliveries sent to main instead (another process, as behind a round-robin load
//      balancer): only "Skip redeliveries" (n8n's database) is left; how often a copy gets through is measured
//   d2. the signup flow itself, every signup redelivered to main right after its ack: every execution
//      succeeds, no second Email API user, no second welcome email; second passes measured
//   e. the package on every process: a webhook process and a worker without it fail; installed, it runs
// The webhook process pays ~0.15 CPU-s per delivery: n8n 2.41 acquires an expression isolate (engine "vm", the
// default) for every webhook whose node is not its own Webhook node, so 2 cores take ~6 deliveries/s and d
// runs ~15 minutes. --env N8N_EXPRESSION_ENGINE=legacy shows the same checks several times faster.
//   node test/queue/queue.e2e.mjs [--events N] [--concurrency C] [--redeliver-share F] [--bulk N]
//        [--signup-events N] [--cross-events N] [--only a,b,c,d,d3,d2,e] [--db postgres|sqlite] [--pool-size N]
//        [--env NAME=value]… [--verbose] [--keep]
// Needs the package built (npm run build). Loopback only; bounded to 45 minutes. Ends with "N passed, M failed";
// exit 1 on any failure.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { Checks } from '../../scripts/lib/checks.mjs';
import {
	builtPackage,
	exampleCredentialRefs,
	exampleWorkflow,
	FINISHED,
	freePort,
	importAll,
	installN8n,
	N8nRest,
	n8nCli,
	n8nEnvironment,
	prepareUserFolder,
} from '../../scripts/lib/n8n.mjs';
import { Failure, keepTemporaryFolders, onShutdown, seconds, shutdown, sleep, temporaryFolder, waitFor } from '../../scripts/lib/proc.mjs';
import { executionsEnqueuedBy, executionsStartedBy, groupCpuSeconds, installPackageInto, installPostgres, installRedis, queueEnvironment, startN8nProcess, startPostgres, startRedis } from '../../scripts/lib/queue.mjs';
import { closeSandboxes, sandboxCredentials, startSandboxes } from '../../scripts/lib/sandboxes.mjs';
import { webhookOf } from '../../scripts/lib/stack.mjs';

const TOTAL_TIMEOUT_MS = 45 * 60_000;
/** Webhooks in d (the issue's number); d3 sends --cross-events (500), d2 --signup-events (100). */
const DEFAULT_EVENTS = 5000;
const WORKER_CONCURRENCY = 5;
/** Bull's job lock, shorter than n8n's defaults (60 s lock, 30 s stalled check) so a dead worker's job is
 * declared stalled within a minute; renewal every 5 s leaves a busy worker plenty of margin. */
const LOCK = { durationMs: 30_000, renewMs: 5_000, stalledIntervalMs: 10_000 };
const OWNER = { email: 'queue@example.com', password: 'RankrQueue1', firstName: 'Queue', lastName: 'Owner' };

const checks = new Checks();
const results = []; // the table: { key, what, ok, numbers }
const say = (text = '') => console.log(text);
const started = Date.now();

async function main() {
	const args = parseArgs({
		options: {
			events: { type: 'string', default: String(DEFAULT_EVENTS) },
			concurrency: { type: 'string', default: '50' },
			'redeliver-share': { type: 'string', default: '0.1' },
			bulk: { type: 'string', default: '20000' },
			db: { type: 'string', default: 'postgres' },
			only: { type: 'string', default: 'a,b,c,d,d3,d2,e' },
			'signup-events': { type: 'string', default: '100' },
			'cross-events': { type: 'string', default: '500' },
			'pool-size': { type: 'string', default: '10' },
			env: { type: 'string', multiple: true, default: [] },
			verbose: { type: 'boolean', default: false },
			keep: { type: 'boolean', default: false },
		},
	}).values;
	const options = {
		events: positiveInt(args.events, '--events'),
		concurrency: positiveInt(args.concurrency, '--concurrency'),
		redeliverShare: Number(args['redeliver-share']),
		bulk: positiveInt(args.bulk, '--bulk'),
		signupEvents: positiveInt(args['signup-events'], '--signup-events'),
		crossEvents: positiveInt(args['cross-events'], '--cross-events'),
		db: args.db,
		only: new Set(args.only.split(',').map((x) => x.trim())),
		poolSize: positiveInt(args['pool-size'], '--pool-size'),
		extraEnv: Object.fromEntries(
			args.env.map((pair) => {
				const at = pair.indexOf('=');
				if (at < 1) throw new Failure(`--env wants NAME=value, got "${pair}"`);
				return [pair.slice(0, at), pair.slice(at + 1)];
			}),
		),
		verbose: args.verbose,
	};
	if (!(options.redeliverShare >= 0 && options.redeliverShare <= 1)) throw new Failure(`--redeliver-share must be a number from 0 to 1, got "${args['redeliver-share']}"`);
	if (!['postgres', 'sqlite'].includes(options.db)) throw new Failure(`--db must be postgres or sqlite, got "${options.db}"`);
	keepTemporaryFolders(args.keep);
	setTimeout(() => {
		report(`queue: still running after ${TOTAL_TIMEOUT_MS / 60_000} minutes, giving up`);
		void shutdown(1);
	}, TOTAL_TIMEOUT_MS).unref();

	say(`queue mode: n8n main + webhook process + 2 workers, Redis, ${options.db === 'postgres' ? 'PostgreSQL' : 'one sqlite file'}, the package on every process`);
	const stack = await startQueueStack(options);
	say(`  ready in ${seconds(Date.now() - started)}`);

	if (options.only.has('a')) await signupOnWorker(stack);
	if (options.only.has('b')) await bulkSync(stack, options);
	if (options.only.has('c')) await killedWorker(stack, options);
	if (options.only.has('d')) await redeliveries(stack, options, { key: 'd', acrossProcesses: false });
	if (options.only.has('d3')) await redeliveries(stack, { ...options, events: options.crossEvents }, { key: 'd3', acrossProcesses: true });
	if (options.only.has('d2')) await signupRedeliveries(stack, options);
	if (options.only.has('e')) await packageOnEveryProcess(stack);

	section('n8n\'s logs');
	const crashes = stack.processes().filter((p) => p.hasExited() && !p.endedOnPurpose);
	checks.check(crashes.length === 0, 'no n8n process died on its own', crashes.map((p) => p.name).join(', '));
	printSection();
	const errorLines = stack.processes().map((p) => `${p.name} ${p.lines().filter((l) => l.level === 'error').length}`);
	say(`  error lines per process (the failures above and the processes killed or left without the package account for them): ${errorLines.join(', ')}`);
	for (const proc of stack.processes()) {
		const tally = new Map();
		for (const line of proc.lines()) if (line.level === 'error') tally.set(line.message.slice(0, 140), (tally.get(line.message.slice(0, 140)) ?? 0) + 1);
		const top = [...tally].sort((a, b) => b[1] - a[1]).slice(0, 3);
		for (const [message, n] of top) say(`    ${proc.name} ×${n}: ${stack.redact(message)}`);
	}
	await stack.stop();
	return report();
}

function positiveInt(value, name) {
	const n = Number(value);
	if (!Number.isInteger(n) || n < 1) throw new Failure(`${name} must be a positive integer, got "${value}"`);
	return n;
}

function section(name) {
	checks.group = name;
	say(`\n${name}`);
}

function printSection() {
	checks.print(say, checks.group);
}

/** One line of the closing table. */
function result(key, what, ok, numbers) {
	results.push({ key, what, ok, numbers });
}

// ---------- the stack ----------

/** The three workflows this test runs, written into `dir`: { signup, bulk, dedupe } with { file, workflow, url }. */
function queueWorkflows(dir, bulkCount) {
	fs.mkdirSync(dir, { recursive: true });
	const signup = exampleWorkflow('signup').workflow;

	// The bulk sync, as in examples/bulk-sync.json, with two changes: the Code node makes `bulkCount` users, and
	// it starts from a production webhook instead of the manual trigger and the nightly schedule, because only
	// production executions go to the workers (the editor's manual runs stay on main unless
	// OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS=true), and a schedule would fire on main's clock.
	const bulk = structuredClone(exampleWorkflow('bulk-sync').workflow);
	const code = bulk.nodes.find((n) => n.type === 'n8n-nodes-base.code');
	const jsCode = code.parameters.jsCode.replace(/const count = \d+;/, `const count = ${bulkCount};`);
	if (jsCode === code.parameters.jsCode && bulkCount !== 2500) throw new Failure('examples/bulk-sync.json: no "const count = N;" in the Code node');
	code.parameters.jsCode = jsCode;
	const manual = bulk.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger');
	const schedule = bulk.nodes.find((n) => n.type === 'n8n-nodes-base.scheduleTrigger');
	const start = { id: randomUUID(), name: 'Start sync (webhook)', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: manual.position, webhookId: randomUUID(), parameters: { httpMethod: 'POST', path: 'queue-bulk-sync', responseMode: 'onReceived', options: {} } };
	bulk.nodes = [start, ...bulk.nodes.filter((n) => n !== manual && n !== schedule)];
	bulk.connections[start.name] = bulk.connections[manual.name];
	delete bulk.connections[manual.name];
	delete bulk.connections[schedule.name];
	bulk.name = `${bulk.name} — queue test, ${bulkCount} users`;
	bulk.active = true;

	// The de-dup flow: the signup flow's trigger and its "Skip redeliveries" (Remove Duplicates on webhookId,
	// unchanged), then one cheap step that leaves a trace per event: an ActivatePro upsert without waiting.
	const trigger = structuredClone(signup.nodes.find((n) => n.type === 'n8n-nodes-rankr.rankrTrigger'));
	trigger.id = randomUUID();
	trigger.webhookId = 'rankr-queue-dedupe';
	const skip = structuredClone(signup.nodes.find((n) => n.type === 'n8n-nodes-base.removeDuplicates'));
	skip.id = randomUUID();
	const upsert = structuredClone(signup.nodes.find((n) => n.name === 'ActivatePro: create profile'));
	upsert.id = randomUUID();
	upsert.name = 'ActivatePro: record the event';
	upsert.parameters = {
		...upsert.parameters,
		attributesJson: "={{ { lastRankrEvent: $json.event, lastRankrEventAt: $json.timestamp, source: $json.webhookId } }}",
		options: { waitForCompletion: false },
	};
	const dedupe = {
		id: 'rankrQueueDedupe01',
		name: 'Queue test: Rankr signup → Skip redeliveries → ActivatePro',
		active: true,
		nodes: [trigger, skip, upsert],
		connections: {
			[trigger.name]: { main: [[{ node: skip.name, type: 'main', index: 0 }]] },
			[skip.name]: { main: [[{ node: upsert.name, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};

	const out = {};
	for (const [key, workflow] of Object.entries({ signup, bulk, dedupe })) {
		const file = path.join(dir, `${key}.json`);
		fs.writeFileSync(file, `${JSON.stringify(workflow, null, 2)}\n`);
		const trig = workflow.nodes.find((n) => webhookOf(n));
		out[key] = { file, workflow, ...webhookOf(trig) };
	}
	return out;
}

async function startQueueStack(options) {
	const stage = async (label, work) => {
		const t = Date.now();
		const value = await work();
		say(`  ${label.padEnd(52)} ${seconds(Date.now() - t)}`);
		return value;
	};
	const pkg = builtPackage();
	const runtime = await stage('n8n installed (cached in ~/.cache)', () => installN8n());
	const redisBinary = await stage('redis-server present', () => installRedis());
	const { tmp, userFolder } = prepareUserFolder(pkg);
	const workflows = queueWorkflows(path.join(tmp, 'workflows-src'), options.bulk);
	const refs = exampleCredentialRefs(Object.values(workflows).map(({ workflow }) => ({ name: workflow.id, workflow })));

	const keys = { activatepro: `ap-run-${randomBytes(12).toString('hex')}`, emailapi: `pit-run-${randomBytes(12).toString('hex')}` };
	const secrets = Object.values(keys);
	const redact = (text) => secrets.reduce((out, secret) => out.split(secret).join('<secret>'), String(text));

	const processes = [];
	let redis;
	let postgres;
	let sandboxes;
	let stopping;
	const stop = () => {
		// workers first (they hold jobs), then the webhook process and main, then Redis and the sandboxes
		stopping ??= (async () => {
			const alive = processes.filter((p) => !p.hasExited());
			await Promise.allSettled(alive.filter((p) => p.role === 'worker').map((p) => p.stop()));
			await Promise.allSettled(alive.filter((p) => p.role !== 'worker').map((p) => p.stop()));
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
				{ name: 'rankr', options: { retryBaseMs: 2000 } },
			]),
		);
		if (options.db === 'postgres') {
			const bindir = await stage('PostgreSQL present', () => installPostgres());
			const pgPort = await freePort();
			postgres = await stage(`PostgreSQL throwaway cluster on 127.0.0.1:${pgPort}`, () => startPostgres({ bindir, port: pgPort, logFile: path.join(tmp, 'postgres.log') }));
			secrets.push(postgres.password);
			// n8n's default is 2 connections per process; a burst of webhooks then queues the DB ping behind them,
			// the ping times out (5 s) and the process answers every request "503 Database is not ready!".
			postgres.env.DB_POSTGRESDB_POOL_SIZE = String(options.poolSize);
		}
		const encryptionKey = randomBytes(24).toString('hex');
		const envFor = async ({ port, home = userFolder } = {}) => ({
			...queueEnvironment(n8nEnvironment(runtime, home, { brokerPort: await freePort(), port: port ?? (await freePort()) }), { redisPort, encryptionKey, db: postgres?.env, lock: LOCK }),
			...options.extraEnv,
		});

		const cliEnv = await envFor();
		const cli = n8nCli({ runtime, env: cliEnv, cwd: tmp, say: options.verbose ? say : () => {}, redact, verbose: options.verbose });
		await stage('credentials + 3 workflows imported', () =>
			importAll(cli, tmp, { credentials: sandboxCredentials(sandboxes, refs), workflowFiles: Object.values(workflows).map((w) => w.file) }),
		);

		const common = { runtime, cwd: tmp, say, redact, verbose: options.verbose };
		const mainPort = await freePort();
		const main = await stage(`n8n start (main, queue mode) on port ${mainPort}`, () =>
			startN8nProcess({ ...common, env: { ...cliEnv, N8N_PORT: String(mainPort) }, args: ['start'], name: 'main', url: `http://localhost:${mainPort}`, readyUrl: `http://localhost:${mainPort}/healthz/readiness`, logFile: path.join(tmp, 'main.log') }),
		);
		main.role = 'main';
		processes.push(main);
		const rest = new N8nRest(main.url);
		await stage('owner account set up', () => rest.setupOwner(OWNER));
		await stage('3 workflows activated (on main)', async () => {
			for (const { workflow } of Object.values(workflows)) await rest.activate(workflow.id);
		});

		let workerCount = 0;
		/** A worker; `home` another user folder (e.g. one without the package), `name` its label. */
		const startWorker = async ({ home, name } = {}) => {
			const n = ++workerCount;
			const healthPort = await freePort();
			const env = { ...(await envFor({ home })), QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(healthPort), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' };
			const worker = await startN8nProcess({
				...common,
				env,
				args: ['worker', `--concurrency=${WORKER_CONCURRENCY}`],
				name: name ?? `worker${n}`,
				url: `http://127.0.0.1:${healthPort}`,
				readyUrl: `http://127.0.0.1:${healthPort}/healthz/readiness`,
				logFile: path.join(tmp, `${name ?? `worker${n}`}.log`),
			});
			worker.role = 'worker';
			processes.push(worker);
			return worker;
		};
		/** A webhook process; `home` and `name` as for startWorker. */
		const startWebhook = async ({ home, name = 'webhook' } = {}) => {
			const port = await freePort();
			const proc = await startN8nProcess({ ...common, env: await envFor({ home, port }), args: ['webhook'], name, url: `http://localhost:${port}`, readyUrl: `http://localhost:${port}/healthz/readiness`, logFile: path.join(tmp, `${name}.log`) });
			proc.role = 'webhook';
			processes.push(proc);
			return proc;
		};
		const [webhook] = await stage('n8n webhook + 2 n8n workers ready', () => Promise.all([startWebhook(), startWorker(), startWorker()]));
		const url = (key) => `${webhook.url}/webhook/${workflows[key].path}`;
		await stage('the webhook process serves the 3 webhooks', () => waitForWebhooks(workflows, url));

		return {
			runtime,
			tmp,
			userFolder,
			redis,
			postgres,
			sandboxes,
			rankr: sandboxes.rankr.sandbox,
			activatepro: sandboxes.activatepro.sandbox,
			emailapi: sandboxes.emailapi.sandbox,
			main,
			webhook,
			workers: () => processes.filter((p) => p.role === 'worker'),
			processes: () => processes,
			startWorker,
			startWebhook,
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

/** Waits until the webhook process answers a CORS preflight for every workflow's webhook (nothing runs). */
async function waitForWebhooks(workflows, url) {
	const missing = new Set(Object.keys(workflows));
	await waitFor(
		async () => {
			for (const key of [...missing]) {
				try {
					const response = await fetch(url(key), {
						method: 'OPTIONS',
						headers: { origin: 'http://localhost', 'access-control-request-method': workflows[key].method },
						signal: AbortSignal.timeout(2000),
					});
					if (response.status < 300 && (response.headers.get('access-control-allow-methods') ?? '').includes(workflows[key].method)) missing.delete(key);
				} catch {
					// not yet
				}
			}
			return missing.size === 0;
		},
		{ timeoutMs: 60_000, intervalMs: 300 },
	);
	if (missing.size) throw new Failure(`the webhook process did not serve the webhooks of ${[...missing].join(', ')} within 60 s`);
}

// ---------- helpers ----------

/**
 * A read from main's REST API, tried up to 3 times: a GET that meets a keep-alive connection the server is
 * just closing fails with "terminated" / ECONNRESET and is safe to repeat.
 */
async function restGet(stack, route) {
	for (let attempt = 1; ; attempt++) {
		try {
			return await stack.rest.request('GET', route);
		} catch (error) {
			if (attempt >= 3 || error instanceof Failure) throw error;
			await sleep(250 * attempt);
		}
	}
}

async function getExecution(stack, id) {
	for (let attempt = 1; ; attempt++) {
		try {
			return await stack.rest.execution(id);
		} catch (error) {
			if (attempt >= 3 || error instanceof Failure) throw error;
			await sleep(250 * attempt);
		}
	}
}

/** { count, results } of a workflow's executions, optionally only those in `status`. */
async function executionPage(stack, workflowId, { status, limit = 100 } = {}) {
	const filter = encodeURIComponent(JSON.stringify(status ? { workflowId, status } : { workflowId }));
	const data = await restGet(stack, `/executions?filter=${filter}&limit=${limit}`);
	return { count: data?.count ?? 0, results: data?.results ?? [] };
}

/** Waits until an execution of `workflowId` not in `before` exists and has finished; returns it (with data). */
async function nextFinishedExecution(stack, workflowId, before, timeoutMs) {
	const found = await waitFor(
		async () => {
			const { results } = await executionPage(stack, workflowId, { limit: 20 });
			const fresh = results.filter((e) => !before.has(e.id));
			return fresh.length > 0 && fresh.every((e) => FINISHED.has(e.status)) ? fresh : undefined;
		},
		{ timeoutMs, intervalMs: 500 },
	);
	if (!found) return undefined;
	return Promise.all(found.map((e) => getExecution(stack, e.id)));
}

async function executionIds(stack, workflowId) {
	return new Set((await executionPage(stack, workflowId, { limit: 100 })).results.map((e) => e.id));
}

/** Which processes' logs say they ran execution `id`: { ranOn: [worker names], enqueuedBy: [names] }. */
function whereItRan(stack, id) {
	return {
		ranOn: stack.processes().filter((p) => executionsStartedBy(p).includes(id)).map((p) => p.name),
		enqueuedBy: stack.processes().filter((p) => executionsEnqueuedBy(p).includes(id)).map((p) => p.name),
	};
}

function itemsOut(execution, node) {
	return (execution?.data?.resultData?.runData?.[node] ?? []).reduce((n, r) => n + (r.data?.main?.[0]?.length ?? 0), 0);
}

function problemOf(execution) {
	const error = execution?.data?.resultData?.error;
	return error ? `${error.node?.name ? `node "${error.node.name}": ` : ''}${error.message}` : '';
}

// ---------- a. the signup flow on a worker ----------

async function signupOnWorker(stack) {
	section('a. signup webhook → webhook process → queue → worker');
	const t = Date.now();
	const { workflow } = stack.workflows.signup;
	const user = { id: 'rk_queue_ada', email: 'ada.queue@example.com', firstName: 'Ada', lastName: 'Lovelace' };
	const before = await executionIds(stack, workflow.id);
	const event = stack.rankr.event('UserCreate', user);
	const delivery = await stack.rankr.deliver(stack.url('signup'), event);
	const last = delivery.attempts.at(-1);
	checks.check(delivery.delivered && delivery.attempts.length === 1, `the webhook process acknowledged the signed delivery at once (${last.status})`, JSON.stringify(delivery.attempts));
	const [execution, ...more] = (await nextFinishedExecution(stack, workflow.id, before, 60_000)) ?? [];
	checks.check(execution && more.length === 0, 'exactly one execution started', `${execution ? 1 + more.length : 0} executions`);
	checks.check(execution?.status === 'success', `it finished with success (#${execution?.id}, ${execution?.status})`, problemOf(execution));
	const where = execution ? whereItRan(stack, execution.id) : { ranOn: [], enqueuedBy: [] };
	checks.check(where.enqueuedBy.length === 1 && where.enqueuedBy[0] === 'webhook', `the webhook process enqueued it ("Enqueued execution ${execution?.id}")`, `enqueued by: ${where.enqueuedBy.join(', ') || 'nobody'}`);
	checks.check(where.ranOn.length === 1 && where.ranOn[0].startsWith('worker'), `a worker ran it: ${where.ranOn.join(', ') || 'none'} logged "Worker started execution ${execution?.id}"`, `ran on: ${where.ranOn.join(', ') || 'none'}`);
	const mainRan = executionsStartedBy(stack.main).length + executionsStartedBy(stack.webhook).length;
	checks.check(mainRan === 0, 'main and the webhook process ran no execution themselves', `${mainRan}`);

	const profile = stack.activatepro.users.get(user.id);
	const emailUsers = [...stack.emailapi.users.values()].filter((u) => u.email.toLowerCase() === user.email);
	const welcome = stack.emailapi.emailsSent.filter((e) => e.to.toLowerCase() === user.email);
	checks.check(profile?.email === user.email && profile.firstName === 'Ada' && profile.emailApiUserId === emailUsers[0]?.id, 'ActivatePro holds the profile, linked to the Email API user', JSON.stringify(profile));
	checks.check(emailUsers.length === 1 && !emailUsers[0].deleted, 'the Email API holds exactly one user', `${emailUsers.length} users`);
	checks.check(welcome.length === 1 && welcome[0].workflowName === 'Welcome', 'exactly one email: the welcome', welcome.map((e) => e.workflowName).join(', ') || 'none');
	printSection();
	const ok = checks.list.filter((c) => c.group === checks.group).every((c) => c.ok);
	result('a', 'signup via webhook process runs on a worker', ok, `#${execution?.id} ${execution?.status} on ${where.ranOn.join(',') || '?'} (enqueued by ${where.enqueuedBy.join(',') || '?'}); profile ${profile ? 1 : 0}, Email API users ${emailUsers.length}, welcome emails ${welcome.length}; ${seconds(Date.now() - t)}`);
}

// ---------- b. 20,000 users ----------

function syncIdsState(stack, count) {
	let present = 0;
	let mismatched = 0;
	let stray = 0;
	for (const [id, user] of stack.activatepro.users) {
		const match = /^sync-(\d{6})$/.exec(id);
		if (!match) continue;
		const i = Number(match[1]);
		if (i >= count) stray++;
		else present++;
		if (user.email !== `member${i}@example.com` || user.lastName !== String(i)) mismatched++;
	}
	const emails = new Set([...stack.activatepro.users.values()].filter((u) => /^sync-/.test(u.id)).map((u) => u.email.toLowerCase()));
	return { present, mismatched, stray, distinctEmails: emails.size };
}

function batchTraffic(stack) {
	const batches = stack.activatepro.requests('POST /users/batch');
	const entries = batches.reduce((n, r) => {
		try {
			return n + (JSON.parse(r.rawBody).updated?.length ?? 0);
		} catch {
			return n;
		}
	}, 0);
	return { requests: batches.length, entries, trackingIds: stack.activatepro.tracking.size, trackingPolls: stack.activatepro.requests('GET /users/track/').length };
}

async function runBulk(stack) {
	const { workflow } = stack.workflows.bulk;
	const before = await executionIds(stack, workflow.id);
	const response = await fetch(stack.url('bulk'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(30_000) });
	return { before, status: response.status, workflow };
}

async function bulkSync(stack, options) {
	section(`b. a ${options.bulk.toLocaleString('en-US')}-user bulk sync on a worker`);
	const t = Date.now();
	stack.activatepro.reset();
	const { before, status, workflow } = await runBulk(stack);
	checks.check(status === 200, `the webhook process accepted the start (${status})`, '');
	const [execution] = (await nextFinishedExecution(stack, workflow.id, before, 5 * 60_000)) ?? [];
	const ms = Date.now() - t;
	const where = execution ? whereItRan(stack, execution.id) : { ranOn: [], enqueuedBy: [] };
	const synced = itemsOut(execution, 'Synced');
	const rejected = itemsOut(execution, 'Rejected users');
	checks.check(execution?.status === 'success', `the sync finished with success (#${execution?.id}, ${execution?.status ?? 'not within 5 minutes'}, ${seconds(ms)})`, problemOf(execution));
	checks.check(where.ranOn.length === 1 && where.ranOn[0].startsWith('worker'), `a worker ran it (${where.ranOn.join(', ') || 'none'})`, `ran on: ${where.ranOn.join(', ') || 'none'}`);
	checks.check(synced === options.bulk && rejected === 0, `${synced} items out of "Synced", ${rejected} out of "Rejected users"`, '');
	const state = syncIdsState(stack, options.bulk);
	const traffic = batchTraffic(stack);
	checks.check(state.present === options.bulk && state.stray === 0 && state.mismatched === 0, `ActivatePro holds ${state.present.toLocaleString('en-US')} users, each with its own email`, JSON.stringify(state));
	const expectedBatches = Math.ceil(options.bulk / 1000);
	checks.check(traffic.requests === expectedBatches && traffic.entries === options.bulk, `${traffic.requests} batch requests (1000 per request) carrying ${traffic.entries} entries, ${traffic.trackingIds} tracking ids`, JSON.stringify(traffic));
	printSection();
	const ok = checks.list.filter((c) => c.group === checks.group).every((c) => c.ok);
	result('b', `${options.bulk.toLocaleString('en-US')}-user bulk sync on a worker`, ok, `#${execution?.id} ${execution?.status} on ${where.ranOn.join(',') || '?'} in ${seconds(ms)}; users ${state.present}, batch requests ${traffic.requests}, entries ${traffic.entries}, tracking ids ${traffic.trackingIds}`);
}

// ---------- c. a worker dies mid-sync ----------

async function killedWorker(stack, options) {
	section('c. the worker running the bulk sync is SIGKILLed half-way; the sync runs again');
	const t = Date.now();
	stack.activatepro.reset();
	const expectedBatches = Math.ceil(options.bulk / 1000);
	const killAt = Math.max(1, Math.floor(expectedBatches / 2));
	// Each batch answer is held 300 ms, so the sends (4 at a time) take a few seconds and "half-way" is a moment.
	stack.activatepro.faults.add({ route: 'POST /users/batch', kind: 'delay', ms: 300, times: expectedBatches });
	let batchesSeen = 0;
	let reached;
	const reachedKillPoint = new Promise((resolve) => {
		reached = resolve;
	});
	const onRequest = (entry) => {
		if (entry.method === 'POST' && entry.path === '/users/batch' && ++batchesSeen === killAt) reached();
	};
	stack.activatepro.on('request', onRequest);
	const startedBefore = new Map(stack.workers().map((w) => [w.name, new Set(executionsStartedBy(w))]));
	const first = await runBulk(stack);
	const hit = await Promise.race([reachedKillPoint.then(() => true), sleep(4 * 60_000).then(() => false)]);
	if (!hit) throw new Failure(`the bulk sync never reached ${killAt} batch requests`);
	const running = stack.workers().find((w) => executionsStartedBy(w).some((id) => !startedBefore.get(w.name)?.has(id)));
	if (!running) throw new Failure('no worker log names the bulk sync execution');
	const killedExecution = executionsStartedBy(running).find((id) => !startedBefore.get(running.name).has(id));
	const usersAtKill = syncIdsState(stack, options.bulk).present;
	running.endedOnPurpose = true;
	await running.kill('SIGKILL');
	const batchesAtKill = batchesSeen;
	say(`  killed ${running.name} (pid ${running.pid}, SIGKILL to its process group) running execution #${killedExecution} after ${batchesAtKill} of ${expectedBatches} batch requests; ActivatePro had ${usersAtKill} users`);
	await sleep(1000);
	const batchesAfterKill = batchesSeen;
	checks.check(first.status === 200, 'the first start was accepted', `${first.status}`);
	checks.check(batchesAtKill >= killAt && batchesAtKill < expectedBatches, `the worker died half-way: ${batchesAtKill} of ${expectedBatches} batch requests sent, ${usersAtKill.toLocaleString('en-US')} users in ActivatePro`, '');

	// The operator runs the sync again; the remaining worker takes it.
	const rerunStarted = Date.now();
	const before = new Set([...(await executionIds(stack, first.workflow.id))]);
	const again = await runBulk(stack);
	const [rerun] = (await nextFinishedExecution(stack, first.workflow.id, new Set([...before, killedExecution]), 5 * 60_000)) ?? [];
	const rerunMs = Date.now() - rerunStarted;
	const where = rerun ? whereItRan(stack, rerun.id) : { ranOn: [] };
	checks.check(again.status === 200 && rerun?.status === 'success', `the re-run finished with success (#${rerun?.id}, ${seconds(rerunMs)})`, problemOf(rerun) || `${again.status} ${rerun?.status}`);
	checks.check(where.ranOn.length === 1 && where.ranOn[0] !== running.name, `the remaining worker ran it (${where.ranOn.join(', ') || 'none'})`, `ran on: ${where.ranOn.join(', ') || 'none'}`);

	stack.activatepro.off('request', onRequest);
	const state = syncIdsState(stack, options.bulk);
	const traffic = batchTraffic(stack);
	checks.check(state.present === options.bulk && state.stray === 0, `exactly ${options.bulk.toLocaleString('en-US')} users in ActivatePro (ids unique by construction; none beyond sync-${String(options.bulk - 1).padStart(6, '0')})`, JSON.stringify(state));
	checks.check(state.mismatched === 0 && state.distinctEmails === options.bulk, `no user with a mismatched email or name; ${state.distinctEmails.toLocaleString('en-US')} distinct emails`, JSON.stringify(state));
	checks.check(traffic.requests === batchesAfterKill + expectedBatches, `batch requests: ${batchesAfterKill} before the kill + ${traffic.requests - batchesAfterKill} by the re-run = ${traffic.requests}; ${traffic.entries.toLocaleString('en-US')} entries; ${traffic.trackingIds} tracking ids`, JSON.stringify(traffic));

	// What n8n makes of the killed execution: the job's lock expires, the other worker's stalled check fails the
	// job (n8n allows no stalled retries), and the process that enqueued it marks the execution failed.
	const deadline = Date.now() + LOCK.durationMs + LOCK.stalledIntervalMs * 3 + 20_000;
	const killedFinal = await waitFor(
		async () => {
			const e = await getExecution(stack, killedExecution).catch(() => undefined);
			return e && FINISHED.has(e.status) ? e : undefined;
		},
		{ timeoutMs: Math.max(0, deadline - Date.now()), intervalMs: 1000 },
	);
	const killedStatus = killedFinal?.status ?? (await getExecution(stack, killedExecution).catch(() => undefined))?.status ?? 'unknown';
	checks.check(Boolean(killedFinal) && killedFinal.status !== 'success', `n8n ended the killed execution #${killedExecution}: ${killedStatus}${killedFinal ? ` (${problemOf(killedFinal) || 'no message'})` : ` (still not finished ${seconds(deadline - t)} after the kill)`}`, '');
	const restarted = await stack.startWorker();
	checks.check(Boolean(restarted), `a replacement worker started (${restarted.name}, ${seconds(restarted.ms)})`, '');
	printSection();
	const ok = checks.list.filter((c) => c.group === checks.group).every((c) => c.ok);
	result('c', 'worker SIGKILLed mid-sync, sync run again', ok, `killed ${running.name} after ${batchesAtKill}/${expectedBatches} batches (${usersAtKill} users then); re-run #${rerun?.id} ${rerun?.status} on ${where.ranOn.join(',') || '?'}; users ${state.present}, mismatched ${state.mismatched}, batch requests ${traffic.requests}, tracking ids ${traffic.trackingIds}; killed execution → ${killedStatus}`);
}

// ---------- d. redeliveries under load ----------

/** CPU seconds so far per process of the stack (each with its children), and of this test process. */
function cpuSnapshot(stack) {
	const snapshot = {};
	for (const p of stack.processes()) if (!p.hasExited()) snapshot[p.name] = groupCpuSeconds(p.pid);
	if (stack.postgres) snapshot.postgres = groupCpuSeconds(stack.postgres.child.pid);
	snapshot.redis = groupCpuSeconds(stack.redis.child.pid);
	const own = process.cpuUsage();
	snapshot['test (sandboxes, Rankr signing)'] = (own.user + own.system) / 1e6;
	return snapshot;
}

/**
 * d / d3: `acrossProcesses` false sends each redelivery to the webhook process that took the first delivery
 * (one webhook process, or a load balancer with sticky routing): the trigger's own memory must turn every one
 * away, so exactly one execution per distinct event. true sends it to main instead (main serves production
 * webhooks too), as a round-robin load balancer over several webhook processes would: only "Skip redeliveries"
 * (n8n's database) stands between the copies, and a redelivery whose execution overlaps the first one's can get
 * through; measured, not failed.
 */
async function redeliveries(stack, options, { key, acrossProcesses }) {
	const { events: total, concurrency, redeliverShare } = options;
	section(`${key}. ${total.toLocaleString('en-US')} signed webhooks at concurrency ${concurrency}, ${Math.round(redeliverShare * 100)}% redelivered ${acrossProcesses ? 'to another process (main)' : 'to the same webhook process'}`);
	const { workflow } = stack.workflows.dedupe;
	const url = stack.url('dedupe');
	const redeliveryUrl = acrossProcesses ? `${stack.main.url}/webhook/${stack.workflows.dedupe.path}` : url;
	const prefix = `rk_${key}_`;
	stack.activatepro.reset();
	const beforeCount = (await executionPage(stack, workflow.id, { limit: 1 })).count;
	const countsBefore = await statusCountsOf(stack, workflow.id);
	const cpuBefore = cpuSnapshot(stack);

	// Which events get redelivered: every 1/share-th, spread over the run.
	const redeliver = new Set();
	const step = redeliverShare > 0 ? 1 / redeliverShare : Infinity;
	for (let x = step / 2; x < total; x += step) redeliver.add(Math.floor(x));
	const events = new Array(total);
	const redeliveredAt = new Map(); // event index -> when its redelivery went out
	const outcome = { delivered: 0, failed: 0, ignored: 0, attempts: 0, retried: 0, redeliveries: 0, redeliveriesDelivered: 0, redeliveriesTurnedAway: 0, statuses: {} };
	// Never past the time budget: what is not sent by then is reported as not sent.
	const sendDeadline = started + TOTAL_TIMEOUT_MS - 6 * 60_000; // left for the drain, d2, e and the shutdown
	const sendStarted = Date.now();
	let next = 0;
	let outOfTime = false;
	const queue = []; // redeliveries, sent before the next fresh event
	const progressTimer = setInterval(() => {
		const s = (Date.now() - sendStarted) / 1000;
		say(`  … ${next} of ${total} events sent (+${outcome.redeliveries} redeliveries) in ${s.toFixed(0)} s, ${((next + outcome.redeliveries) / s).toFixed(1)}/s; statuses ${JSON.stringify(outcome.statuses)}`);
	}, 30_000);
	const sender = async () => {
		for (;;) {
			let task = queue.shift();
			if (!task && next < total) {
				if (Date.now() > sendDeadline) {
					outOfTime = true;
					return;
				}
				task = { i: next++, redelivery: false };
			}
			if (!task) return;
			const user = { id: `${prefix}${String(task.i).padStart(6, '0')}`, email: `${key}-load${task.i}@example.com`, firstName: 'Load', lastName: String(task.i) };
			if (!task.redelivery) events[task.i] = stack.rankr.event('UserCreate', user);
			else redeliveredAt.set(task.i, Date.now());
			// Rankr's contract: redelivery on non-2xx, up to 5 times, exponential backoff (here from 2 s).
			const record = await stack.rankr.deliver(task.redelivery ? redeliveryUrl : url, events[task.i], { retries: 5, timeoutMs: 30_000 });
			const last = record.attempts.at(-1);
			outcome.attempts += record.attempts.length;
			if (record.attempts.length > 1) outcome.retried++;
			outcome.statuses[last.status] = (outcome.statuses[last.status] ?? 0) + 1;
			if (task.redelivery) outcome.redeliveries++;
			if (!record.delivered) outcome.failed++;
			else if (task.redelivery && /"ignored":"redelivery/.test(last.body)) outcome.redeliveriesTurnedAway++;
			else if (/"ignored"/.test(last.body)) outcome.ignored++;
			else if (task.redelivery) outcome.redeliveriesDelivered++;
			else outcome.delivered++;
			// Acknowledged: Rankr sends it again (same body, same webhookId), as after a lost acknowledgement.
			if (!task.redelivery && record.delivered && redeliver.has(task.i)) queue.push({ i: task.i, redelivery: true });
		}
	};
	try {
		await Promise.all(Array.from({ length: concurrency }, () => sender()));
		while (queue.length) await sender(); // a redelivery queued by the last sender to finish
	} finally {
		clearInterval(progressTimer);
	}
	const sent = next;
	const sendMs = Date.now() - sendStarted;
	const deliveries = outcome.delivered + outcome.redeliveriesDelivered;
	say(`  sent ${sent} events + ${outcome.redeliveries} redeliveries in ${seconds(sendMs)} (${(((sent + outcome.redeliveries) * 1000) / sendMs).toFixed(1)}/s); last answers ${JSON.stringify(outcome.statuses)}`);

	// Wait until n8n has run everything it accepted.
	const drainStarted = Date.now();
	let progress = { count: 0, open: 0 };
	const drained = await waitFor(
		async () => {
			const all = await executionPage(stack, workflow.id, { limit: 1 });
			const open = await executionPage(stack, workflow.id, { limit: 1, status: ['new', 'running', 'waiting'] });
			progress = { count: all.count - beforeCount, open: open.count };
			return progress.count >= deliveries && progress.open === 0;
		},
		{ timeoutMs: Math.max(30_000, TOTAL_TIMEOUT_MS - (Date.now() - started) - 90_000), intervalMs: 2000 },
	);
	const drainMs = Date.now() - drainStarted;
	const cpuAfter = cpuSnapshot(stack);
	const wallS = (Date.now() - sendStarted) / 1000;
	const cpu = Object.entries(cpuAfter)
		.map(([name, s]) => [name, s - (cpuBefore[name] ?? 0)])
		.sort((a, b) => b[1] - a[1]);
	const cpuTotal = cpu.reduce((n, [, s]) => n + s, 0);
	const countsAfter = await statusCountsOf(stack, workflow.id);
	const statusCounts = Object.fromEntries(Object.entries(countsAfter).map(([k, n]) => [k, n - (countsBefore[k] ?? 0)]).filter(([, n]) => n > 0));
	const failures = statusCounts.error || statusCounts.crashed ? await failureTally(stack, workflow.id, 30) : {};
	await sleep(500); // the last upserts' requests

	// Passes past "Skip redeliveries": the upserts ActivatePro received, per event (with when the first came).
	const passes = new Map();
	for (const r of stack.activatepro.requests('PUT /users')) {
		try {
			const { id } = JSON.parse(r.rawBody);
			const seen = passes.get(id);
			if (seen) seen.n++;
			else passes.set(id, { n: 1, firstAt: r.at });
		} catch {
			// not ours
		}
	}
	let once = 0;
	let never = 0;
	let twice = 0;
	let redeliveredTwice = 0;
	let freshTwice = 0;
	let afterFirstPass = 0; // duplicates whose redelivery went out after the first pass had reached ActivatePro
	for (let i = 0; i < sent; i++) {
		const seen = passes.get(`${prefix}${String(i).padStart(6, '0')}`);
		const n = seen?.n ?? 0;
		if (n === 0) never++;
		else if (n === 1) once++;
		else {
			twice++;
			if (redeliver.has(i)) redeliveredTwice++;
			else freshTwice++;
			if (redeliveredAt.get(i) > seen.firstAt) afterFirstPass++;
		}
	}
	const worker = stack.workers().map((w) => `${w.name}${w.endedOnPurpose ? ' (killed in c)' : ''} ${executionsStartedBy(w).length}`).join(', ');
	say(`  n8n: ${progress.count} executions ${JSON.stringify(statusCounts)}, drained ${seconds(drainMs)} after the last send; executions started per worker (whole run): ${worker}`);
	say(`  CPU over ${wallS.toFixed(0)} s (2 cores = ${(2 * wallS).toFixed(0)} CPU s): ${cpu.map(([name, s]) => `${name} ${s.toFixed(0)}`).join(', ')}; total ${cpuTotal.toFixed(0)} (${((100 * cpuTotal) / (2 * wallS)).toFixed(0)}%)`);
	checks.check(!outOfTime && sent === total, `all ${total.toLocaleString('en-US')} events were sent within the time budget`, `only ${sent} by the deadline (${seconds(sendMs)} of sending)`);
	checks.check(outcome.failed === 0 && outcome.ignored === 0, `every delivery was acknowledged, with Rankr's retries (${sent + outcome.redeliveries - outcome.failed} of ${sent + outcome.redeliveries}; ${outcome.retried} needed a retry, ${outcome.attempts} attempts in all)`, JSON.stringify(outcome));
	if (!acrossProcesses) {
		checks.check(outcome.redeliveriesTurnedAway === outcome.redeliveries, `the trigger turned every redelivery away before a workflow started (${outcome.redeliveriesTurnedAway} of ${outcome.redeliveries}: 200 "ignored": "redelivery…")`, JSON.stringify(outcome));
	}
	checks.check(drained && progress.count === deliveries, `one execution per delivery that was not turned away, all finished (${progress.count} for ${deliveries}; ${progress.open} still open)`, `drained: ${Boolean(drained)}`);
	checks.check((statusCounts.success ?? 0) === progress.count, `all of them succeeded (${JSON.stringify(statusCounts)})`, `how they failed (first 30): ${JSON.stringify(failures)}`);
	checks.check(never === 0, `every distinct event got past "Skip redeliveries" (${once + twice} of ${sent})`, `${never} never did`);
	const twiceLine = `${redeliveredTwice} of ${outcome.redeliveries} redeliveries got through a second time (${pct(redeliveredTwice, outcome.redeliveries)}); ${freshTwice} events never redelivered passed twice`;
	if (acrossProcesses) {
		say(`  measured: ${twiceLine}; ${afterFirstPass} of the duplicates had their redelivery sent after the first pass reached ActivatePro`);
		checks.check(freshTwice === 0, 'an event delivered once never passes twice', `${freshTwice} did`);
	} else {
		checks.check(twice === 0, `no event got past it twice: ${twiceLine}`, `${afterFirstPass} of them had their redelivery sent after the first pass had reached ActivatePro`);
	}
	printSection();
	const ok = checks.list.filter((c) => c.group === checks.group).every((c) => c.ok);
	result(
		key,
		`${sent} of ${total} webhooks @${concurrency}, ${outcome.redeliveries} redelivered ${acrossProcesses ? 'to main (another process)' : 'to the same webhook process'}`,
		ok,
		`sent in ${seconds(sendMs)} (${(((sent + outcome.redeliveries) * 1000) / sendMs).toFixed(1)}/s), ${outcome.retried} retried by Rankr, ${outcome.failed} never acknowledged; redeliveries turned away by the trigger ${outcome.redeliveriesTurnedAway}/${outcome.redeliveries}; drained +${seconds(drainMs)}; executions ${progress.count} ${JSON.stringify(statusCounts)}; past de-dup once ${once}, never ${never}, twice+ ${twice} (redeliveries through twice: ${redeliveredTwice}/${outcome.redeliveries} = ${pct(redeliveredTwice, outcome.redeliveries)}, ${afterFirstPass} of them sent after the first pass)`,
	);
}

// ---------- d2. the same race in the signup flow: what it costs ----------

/** { status: count } of a workflow's finished executions. */
async function statusCountsOf(stack, workflowId) {
	const counts = {};
	for (const status of ['success', 'error', 'crashed', 'canceled']) {
		const page = await executionPage(stack, workflowId, { limit: 1, status: [status] });
		if (page.count) counts[status] = page.count;
	}
	return counts;
}

/** How the failed executions of `workflowId` (at most `max` of them) failed: { "node: message": count }. */
async function failureTally(stack, workflowId, max = 50) {
	const tally = {};
	const { results } = await executionPage(stack, workflowId, { limit: Math.min(100, max), status: ['error', 'crashed'] });
	for (const e of results.slice(0, max)) {
		const full = await getExecution(stack, e.id).catch(() => undefined);
		const key = (problemOf(full) || `(${e.status}, no message)`).split('\n')[0].replace(/[^\s"]+@[^\s"]+/g, '<email>').slice(0, 140);
		tally[key] = (tally[key] ?? 0) + 1;
	}
	return tally;
}

async function signupRedeliveries(stack, options) {
	const total = options.signupEvents;
	const concurrency = Math.min(options.concurrency, 20);
	section(`d2. the signup flow: ${total} signups at concurrency ${concurrency}, each redelivered to another process (main) right after its acknowledgement`);
	const { workflow } = stack.workflows.signup;
	const url = stack.url('signup');
	// The worst case for the flow: the copy reaches a process whose trigger never saw the first delivery, while
	// the first execution may still be running, so only "Skip redeliveries" and the steps' own idempotency remain.
	const redeliveryUrl = `${stack.main.url}/webhook/${stack.workflows.signup.path}`;
	const before = (await executionPage(stack, workflow.id, { limit: 1 })).count;
	const countsBefore = await statusCountsOf(stack, workflow.id);
	const t = Date.now();
	let next = 0;
	const outcome = { acknowledged: 0, failed: 0 };
	const sender = async () => {
		while (next < total) {
			const i = next++;
			const user = { id: `rk_resend_${String(i).padStart(5, '0')}`, email: `resend${i}@example.com`, firstName: 'Resend', lastName: String(i) };
			const event = stack.rankr.event('UserCreate', user);
			for (const target of [url, redeliveryUrl]) {
				const record = await stack.rankr.deliver(target, event, { retries: 5, timeoutMs: 30_000 });
				if (record.delivered) outcome.acknowledged++;
				else outcome.failed++;
			}
		}
	};
	await Promise.all(Array.from({ length: concurrency }, () => sender()));
	let progress = { count: 0, open: 0 };
	const drained = await waitFor(
		async () => {
			const all = await executionPage(stack, workflow.id, { limit: 1 });
			const open = await executionPage(stack, workflow.id, { limit: 1, status: ['new', 'running', 'waiting'] });
			progress = { count: all.count - before, open: open.count };
			return progress.count >= outcome.acknowledged && progress.open === 0;
		},
		{ timeoutMs: Math.max(30_000, TOTAL_TIMEOUT_MS - (Date.now() - started) - 90_000), intervalMs: 2000 },
	);
	const ms = Date.now() - t;
	await sleep(500);

	// Per user: how often the flow got past "Skip redeliveries" (the ActivatePro create-profile upserts that
	// carry status 'active'), how many Email API users and welcome emails exist.
	const passes = new Map();
	for (const r of stack.activatepro.requests('PUT /users')) {
		try {
			const body = JSON.parse(r.rawBody);
			if (body.id?.startsWith('rk_resend_') && body.status === 'active') passes.set(body.id, (passes.get(body.id) ?? 0) + 1);
		} catch {
			// not ours
		}
	}
	let passedTwice = 0;
	let duplicateUsers = 0;
	let duplicateWelcome = 0;
	let noWelcome = 0;
	const emailUsers = new Map();
	for (const u of stack.emailapi.users.values()) if (!u.deleted) emailUsers.set(u.email.toLowerCase(), (emailUsers.get(u.email.toLowerCase()) ?? 0) + 1);
	const welcome = new Map();
	for (const e of stack.emailapi.emailsSent) if (e.workflowName === 'Welcome') welcome.set(e.to.toLowerCase(), (welcome.get(e.to.toLowerCase()) ?? 0) + 1);
	for (let i = 0; i < total; i++) {
		if ((passes.get(`rk_resend_${String(i).padStart(5, '0')}`) ?? 0) > 1) passedTwice++;
		if ((emailUsers.get(`resend${i}@example.com`) ?? 0) > 1) duplicateUsers++;
		const w = welcome.get(`resend${i}@example.com`) ?? 0;
		if (w > 1) duplicateWelcome++;
		if (w === 0) noWelcome++;
	}
	const countsAfter = await statusCountsOf(stack, workflow.id);
	const statusCounts = Object.fromEntries(Object.entries(countsAfter).map(([k, n]) => [k, n - (countsBefore[k] ?? 0)]).filter(([, n]) => n > 0));
	const failures = statusCounts.error || statusCounts.crashed ? await failureTally(stack, workflow.id, 30) : {};
	say(`  ${outcome.acknowledged} deliveries acknowledged in ${seconds(ms)}; ${progress.count} executions ${JSON.stringify(statusCounts)}; failures (first 30): ${JSON.stringify(failures)}`);
	checks.check(drained && outcome.failed === 0, `all ${2 * total} deliveries acknowledged, all executions finished (${progress.count}, ${progress.open} open)`, JSON.stringify(outcome));
	checks.check((statusCounts.success ?? 0) === progress.count, `every execution succeeded, second passes included (${JSON.stringify(statusCounts)})`, `how they failed (first 30): ${JSON.stringify(failures)}`);
	checks.check(noWelcome === 0, `every user got the welcome email (${total - noWelcome} of ${total})`, `${noWelcome} did not`);
	checks.check(duplicateUsers === 0 && duplicateWelcome === 0, `no user has two Email API users or two welcome emails (${duplicateUsers} / ${duplicateWelcome})`, '');
	say(`  measured: ${passedTwice} of ${total} signups got past "Skip redeliveries" a second time (${pct(passedTwice, total)}): the copy's execution overlapped the first one's`);
	printSection();
	const ok = checks.list.filter((c) => c.group === checks.group).every((c) => c.ok);
	result('d2', `signup flow, ${total} signups each redelivered after the ack`, ok, `${seconds(ms)}; executions ${progress.count} ${JSON.stringify(statusCounts)}; past de-dup twice ${passedTwice}/${total} (${pct(passedTwice, total)}); duplicate Email API users ${duplicateUsers}, duplicate welcome emails ${duplicateWelcome}, missing welcome ${noWelcome}`);
}

// ---------- e. the package on every process ----------

/** The text of the first log line of `proc` that matches `pattern`, shortened; '' when none does. */
function firstLogLine(proc, pattern) {
	const line = proc.lines().find((l) => pattern.test(l.message));
	return line ? line.message.split('\n')[0].slice(0, 200) : '';
}

async function packageOnEveryProcess(stack) {
	section('e. the package on every n8n process: a webhook process and a worker without it, then with it');
	const t = Date.now();
	const bare = temporaryFolder('n8n-nodes-rankr-bare-');
	const { workflow, path: webhookPath } = stack.workflows.signup;
	const userNamed = (name) => ({ id: `rk_queue_${name}`, email: `${name}.queue@example.com`, firstName: name, lastName: 'Queue' });

	// e1. A webhook process whose user folder lacks the package (same DB, Redis, key): the signup webhook.
	const bareWebhook = await stack.startWebhook({ home: path.join(bare, 'webhook-home'), name: 'webhook-without-package' });
	const before1 = await executionIds(stack, workflow.id);
	const delivery1 = await stack.rankr.deliver(`${bareWebhook.url}/webhook/${webhookPath}`, stack.rankr.event('UserCreate', userNamed('nowebhookpkg')), { retries: 0 });
	const answer1 = delivery1.attempts.at(-1);
	await sleep(2000);
	const new1 = [...(await executionIds(stack, workflow.id))].filter((id) => !before1.has(id));
	const said1 = firstLogLine(bareWebhook, /Unrecognized node type|n8n-nodes-rankr|not installed|not known/i);
	checks.check(!delivery1.delivered && new1.length === 0, `without the package the webhook process refuses the delivery (${answer1.status} ${answer1.body.slice(0, 80)}) and starts nothing`, `${answer1.status} ${answer1.body}; ${new1.length} executions`);
	bareWebhook.endedOnPurpose = true;
	await bareWebhook.stop();

	// e2. Only a worker without the package is left to take the job.
	for (const w of stack.workers().filter((p) => !p.hasExited())) {
		w.endedOnPurpose = true;
		await w.stop();
	}
	const workerHome = path.join(bare, 'worker-home');
	const bareWorker = await stack.startWorker({ home: workerHome, name: 'worker-without-package' });
	const before2 = await executionIds(stack, workflow.id);
	const delivery2 = await stack.rankr.deliver(stack.url('signup'), stack.rankr.event('UserCreate', userNamed('noworkerpkg')));
	const [failed] = (await nextFinishedExecution(stack, workflow.id, before2, 60_000)) ?? [];
	const where2 = failed ? whereItRan(stack, failed.id) : { ranOn: [] };
	const said2 = failed ? problemOf(failed) || firstLogLine(bareWorker, /Unrecognized node type|n8n-nodes-rankr/) : '';
	checks.check(
		delivery2.delivered && failed && failed.status !== 'success' && !stack.activatepro.users.get('rk_queue_noworkerpkg'),
		`a worker without the package fails the execution (#${failed?.id} ${failed?.status ?? 'none within 60 s'} on ${where2.ranOn.join(', ') || '?'}: ${said2.slice(0, 120) || 'no message'}); nothing reached ActivatePro`,
		JSON.stringify({ delivered: delivery2.delivered, status: failed?.status, problem: said2 }),
	);

	// e3. Install the package into that worker's user folder, restart it: the next signup runs.
	const installedAt = installPackageInto(workerHome, stack.pkg);
	bareWorker.endedOnPurpose = true;
	await bareWorker.stop();
	const fixed = await stack.startWorker({ home: workerHome, name: 'worker-package-installed' });
	const before3 = await executionIds(stack, workflow.id);
	const user3 = userNamed('workerpkg');
	const delivery3 = await stack.rankr.deliver(stack.url('signup'), stack.rankr.event('UserCreate', user3));
	const [ok3] = (await nextFinishedExecution(stack, workflow.id, before3, 60_000)) ?? [];
	const where3 = ok3 ? whereItRan(stack, ok3.id) : { ranOn: [] };
	const welcome3 = stack.emailapi.emailsSent.filter((e) => e.to.toLowerCase() === user3.email);
	checks.check(
		delivery3.delivered && ok3?.status === 'success' && where3.ranOn.includes(fixed.name) && stack.activatepro.users.get(user3.id) && welcome3.length === 1,
		`after copying the package into ${path.relative(bare, installedAt)} and restarting, the worker runs the signup (#${ok3?.id} ${ok3?.status} on ${where3.ranOn.join(', ') || '?'}; profile + 1 welcome email)`,
		problemOf(ok3) || JSON.stringify({ status: ok3?.status, ranOn: where3.ranOn, welcome: welcome3.length }),
	);
	printSection();
	const ok = checks.list.filter((c) => c.group === checks.group).every((c) => c.ok);
	result('e', 'the package is needed on the webhook process and on every worker', ok, `webhook without it: ${answer1.status}${said1 ? ` ("${said1.slice(0, 80)}")` : ''}; worker without it: #${failed?.id} ${failed?.status} ("${said2.slice(0, 80)}"); installed + restarted: #${ok3?.id} ${ok3?.status}; ${seconds(Date.now() - t)}`);
}

const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(1)}%` : 'n/a');

// ---------- the end ----------

function report(problem) {
	if (problem) say(`\n${problem}`);
	const failures = checks.list.filter((c) => !c.ok);
	if (failures.length) {
		say('\nfailed:');
		for (const f of failures) say(`  ${f.group}: ${f.label}${f.detail ? `\n    ${f.detail}` : ''}`);
	}
	if (results.length) {
		say('\nresults');
		for (const r of results) say(`  ${r.ok ? 'PASS' : 'FAIL'}  ${r.key}. ${r.what}\n          ${r.numbers}`);
	}
	say(`\nqueue test took ${seconds(Date.now() - started)}`);
	say(`${checks.passed} passed, ${checks.failed + (problem ? 1 : 0)} failed`);
	return checks.failed || problem ? 1 : 0;
}

main().then(
	(code) => shutdown(code),
	(error) => {
		const message = error instanceof Failure ? error.message : error.stack ?? String(error);
		report(`queue: stopped: ${message}`);
		return shutdown(1);
	},
);

