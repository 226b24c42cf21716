#!/usr/bin/env node
// npm run bench:scale: the nightly sync at scale. examples/bulk-sync.json (PostgreSQL source, one execution per
// page) in n8n's queue mode — PostgreSQL, Redis, n8n main, a webhook process, 1 then 2 workers — against the
// ActivatePro sandbox in its own process (processingDelayMs 0, so the client's cost shows), at 100,000 and
// 1,000,000 users; beside each N the bare-client floor (scripts/bench/floor.cjs, same N, same sandbox, same run).
// Then a run that SIGKILLs a worker mid-sync: the sandbox still holds exactly N, the re-run pages are listed.
// Prints a table, writes .bench/scale-<time>.json and ends with one JSON line (the largest N on the most workers):
//   {"users","workers","ms","requests","held","peakRssMb":{"main","webhook","worker1",…},"floorMs","ratio"} (ratio = ms ÷ floorMs)
// Measures and reports; exit 1 only when a run did not do its work (a page not done, the sandbox not holding N).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { builtPackage, freePort, importAll, installN8n, N8nRest, n8nCli, n8nEnvironment, prepareUserFolder, redactor, ROOT, startN8n } from '../lib/n8n.mjs';
import { checkpointPages, newPageKey, pageKeyCredential, pagedSyncWorkflow, psql, resetCheckpoint, seedUsers, SOURCE_TABLE, START_PATH, waitForSyncDone } from '../lib/paged-sync.mjs';
import { Failure, onShutdown, seconds, sleep, waitFor } from '../lib/proc.mjs';
import { cpuSecondsByRole, executionsStartedBy, groupRssMb, installPostgres, installRedis, queueEnvironment, startPostgres, startRedis } from '../lib/queue-mode.mjs';
import { envPairs, parseFlags, positiveInt, runSuite } from '../lib/suite.mjs';
import { benchSandbox, benchWorker, MINUTE } from './lib/bench-harness.mjs';
import { printTable } from './lib/stats.mjs';
import { clientSettings } from './scenarios/bulk-upsert.mjs';

const USAGE = `usage: npm run bench:scale [-- --users 100000,1000000] [--workers 1,2] [--page-size 10000] [--concurrency 5]
  [--worker-heap-mb 600] [--kill-users N | --no-kill] [--env NAME=value]… [--verbose] [--keep]`;
const API_KEY = 'bench-scale-activatepro-key';
/**
 * The workers' V8 heap limit (MB). Without one, V8 lets a long-running worker's heap grow towards its default
 * limit before collecting hard: peak RSS then grows with the run's length (measured: 1,358 MB at 1,000,000 users
 * against 899 MB at 100,000, one worker), though nothing is kept. With a limit it stays flat at the same speed.
 */
const WORKER_HEAP_MB = 600;
/** A page's lease in the benchmark: a killed worker's pages are handed out again this long after they were taken. */
const LEASE_MINUTES = 1;
const fmt = (n) => (n === undefined ? '–' : Math.round(n).toLocaleString('en-US'));

async function main(checks) {
	const args = parseFlags(USAGE, {
		users: { type: 'string', default: '100000,1000000' },
		workers: { type: 'string', default: '1,2' },
		'page-size': { type: 'string', default: '10000' },
		concurrency: { type: 'string', default: '5' },
		'worker-heap-mb': { type: 'string', default: String(WORKER_HEAP_MB) },
		'kill-users': { type: 'string' },
		'no-kill': { type: 'boolean', default: false },
		env: { type: 'string', multiple: true, default: [] },
	});
	const list = (text, flag) => text.split(',').map((x) => positiveInt(x.trim(), flag));
	const sizes = list(args.users, '--users').sort((a, b) => a - b);
	const workerCounts = list(args.workers, '--workers').sort((a, b) => a - b);
	const pageSize = positiveInt(args['page-size'], '--page-size');
	const concurrency = positiveInt(args.concurrency, '--concurrency');
	const killUsers = args['no-kill'] ? undefined : args['kill-users'] ? positiveInt(args['kill-users'], '--kill-users') : sizes.at(-1);
	const say = checks.say;
	const workerHeapMb = positiveInt(args['worker-heap-mb'], '--worker-heap-mb');
	const stack = await startScaleStack({ pageSize, concurrency, workerHeapMb, say, verbose: args.verbose, extraEnv: envPairs(args.env, '--env') });
	const rows = [];
	try {
		for (const users of [...new Set([...sizes, ...(killUsers ? [killUsers] : [])])].sort((a, b) => a - b)) {
			const seeded = await seedUsers(stack.source, users);
			say(`\n${fmt(users)} users in ${SOURCE_TABLE} (seeded in ${seconds(seeded.ms)})`);
			if (!sizes.includes(users) && users !== killUsers) continue;
			const floorMs = await floor(stack, users);
			say(`  floor (plain Node, same requests): ${seconds(floorMs)}`);
			if (sizes.includes(users)) {
				for (const workers of workerCounts) {
					const row = await syncRun(stack, { users, workers, floorMs });
					rows.push(row);
					say(`  ${workers} worker(s): ${seconds(row.ms)}, ${fmt(row.requests)} batch requests, ${fmt(row.held)} held, pages ${row.pages} (${row.ranOn}), peak RSS MB ${JSON.stringify(row.peakRssMb)}`);
					checks.check(row.done && row.held === users && row.requests === Math.ceil(users / 1000) && row.onceEach, `${fmt(users)} users on ${workers} worker(s): every page done once, ${fmt(row.held)} held, ${fmt(row.requests)} requests`, JSON.stringify(row));
				}
			}
			if (users === killUsers) {
				const row = await syncRun(stack, { users, workers: Math.max(2, workerCounts.at(-1)), floorMs, kill: true });
				rows.push(row);
				say(`  killed ${row.killed.worker} holding pages ${row.killed.pages.join(', ')}: re-run pages ${row.rerunPages.join(', ')}; ${fmt(row.held)} held; ${fmt(row.requests)} batch requests (${fmt(row.requests - Math.ceil(users / 1000))} again)`);
				checks.check(
					row.done && row.held === users && row.rerunPages.join() === row.killed.pages.join(),
					`a worker killed mid-sync at ${fmt(users)}: ${fmt(row.held)} held, re-run pages = the killed worker's (${row.rerunPages.join(', ')})`,
					JSON.stringify(row),
				);
			}
		}
	} finally {
		await stack.stop();
	}
	const summary = report(rows, { pageSize, concurrency, workerHeapMb, say });
	checks.print();
	const code = checks.report('bench:scale');
	if (summary) console.log(summary); // the last line, for machines
	return code;
}

// ---------- the stack ----------

async function startScaleStack({ pageSize, concurrency, workerHeapMb, say, verbose, extraEnv }) {
	const pkg = builtPackage();
	const runtime = await installN8n();
	const [redisBinary, bindir] = [await installRedis(), await installPostgres()];
	const { tmp, userFolder } = prepareUserFolder(pkg);
	const processes = [];
	let redis;
	let postgres;
	let sandbox;
	const stop = async () => {
		await Promise.allSettled(processes.filter((p) => !p.hasExited()).map((p) => p.stop()));
		await redis?.stop();
		await postgres?.stop();
		await sandbox?.close();
	};
	onShutdown(stop);
	const redisPort = await freePort();
	redis = await startRedis({ binary: redisBinary, port: redisPort, dir: path.join(tmp, 'redis'), logFile: path.join(tmp, 'redis.log') });
	const pgPort = await freePort();
	postgres = await startPostgres({ bindir, port: pgPort, logFile: path.join(tmp, 'postgres.log') });
	const login = { bindir, port: pgPort, user: postgres.env.DB_POSTGRESDB_USER, password: postgres.password };
	await psql({ ...login, database: postgres.env.DB_POSTGRESDB_DATABASE }).exec('CREATE DATABASE app');
	const source = { ...login, database: 'app' };
	sandbox = await benchSandbox('activatepro', { apiKey: API_KEY, processingDelayMs: 0 });
	const pageKey = newPageKey();
	const redact = redactor([API_KEY, postgres.password, pageKey]);

	const webhookPort = await freePort();
	const encryptionKey = randomBytes(24).toString('hex');
	const envFor = async (port) => ({
		...queueEnvironment(n8nEnvironment(runtime, userFolder, { brokerPort: await freePort(), port }), { redisPort, encryptionKey, db: { ...postgres.env, DB_POSTGRESDB_POOL_SIZE: '10' } }),
		WEBHOOK_URL: `http://localhost:${webhookPort}/`,
		...extraEnv,
	});
	const workflow = pagedSyncWorkflow({ settings: { pageSize, leaseMinutes: LEASE_MINUTES }, name: 'bench:scale paged bulk sync' });
	const workflowFile = path.join(tmp, 'bulk-sync.json');
	fs.writeFileSync(workflowFile, JSON.stringify(workflow));
	const refs = Object.fromEntries(workflow.nodes.flatMap((n) => Object.entries(n.credentials ?? {})));
	const cli = n8nCli({ runtime, env: await envFor(await freePort()), cwd: tmp, say: verbose ? say : () => {}, redact, verbose });
	await importAll(cli, tmp, {
		credentials: [
			{ ...refs.activateProApi, type: 'activateProApi', data: { apiKey: API_KEY, baseUrl: sandbox.url } },
			pageKeyCredential(refs, pageKey),
			{ ...refs.postgres, type: 'postgres', data: { host: '127.0.0.1', port: pgPort, database: 'app', user: login.user, password: login.password, ssl: 'disable' } },
		].filter(Boolean),
		workflowFiles: [workflowFile],
	});
	let workerNo = 0;
	const start = async (role, port) => {
		port ??= await freePort();
		const name = role === 'worker' ? `worker${++workerNo}` : role;
		const args = { main: ['start'], webhook: ['webhook'], worker: ['worker', `--concurrency=${concurrency}`] }[role];
		const health = role === 'worker' ? { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(port), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1', NODE_OPTIONS: `--max-old-space-size=${workerHeapMb} ${process.env.BENCH_N8N_WORKER_ARGS ?? ''}` } : {};
		const proc = await startN8n({ runtime, cwd: tmp, say, redact, verbose, env: { ...(await envFor(port)), ...health }, args, name, url: `http://localhost:${port}`, logFile: path.join(tmp, `${name}.log`) });
		proc.role = role;
		processes.push(proc);
		return proc;
	};
	const main = await start('main');
	const rest = new N8nRest(main.url);
	await rest.setupOwner({ email: 'scale@example.com', password: 'RankrScale1', firstName: 'Scale', lastName: 'Bench' });
	await rest.activate(workflow.id);
	const webhook = await start('webhook', webhookPort);
	say(`stack: PostgreSQL, Redis, n8n ${runtime.n8nVersion} main + webhook process; workers of concurrency ${concurrency}, heap limit ${workerHeapMb} MB; pages of ${fmt(pageSize)}; ActivatePro sandbox (own process)`);
	return {
		source,
		sandbox,
		main,
		webhook,
		/** Exactly `count` fresh workers (the others stopped), so each run's peak memory is its own. */
		workers: async (count) => {
			await Promise.all(processes.filter((p) => p.role === 'worker' && !p.hasExited()).map((p) => p.stop()));
			const fresh = [];
			for (let i = 0; i < count; i++) fresh.push(await start('worker'));
			return fresh;
		},
		startUrl: `${webhook.url}/webhook/${START_PATH}`,
		concurrency,
		stop,
	};
}

// ---------- one measured run ----------

/** The bare-client floor for `users` (floor.cjs against the same sandbox), in ms; the sandbox is emptied after. */
async function floor(stack, users) {
	await stack.sandbox.call('reset');
	const result = await benchWorker('floor.cjs', { ...clientSettings(path.join(ROOT, 'dist')), n: users, url: stack.sandbox.url, apiKey: API_KEY, warmup: 0 }, { timeoutMs: 30 * MINUTE });
	if (!result.ok) throw new Failure(`the floor processed ${result.processed} of ${users}`);
	await stack.sandbox.call('reset');
	return result.nodeMs;
}

/** Peak RSS (MB) of each process group (n8n with its task runner) while `work` runs, sampled every 250 ms. */
async function withPeakRss(processes, work) {
	const peak = Object.fromEntries(processes.map((p) => [p.name, 0]));
	const sample = () => {
		for (const p of processes) if (!p.hasExited()) peak[p.name] = Math.max(peak[p.name], groupRssMb(p.pid));
	};
	const timer = setInterval(sample, 250);
	try {
		sample();
		return { result: await work(), peakRssMb: Object.fromEntries(Object.entries(peak).map(([k, v]) => [k, Math.round(v)])) };
	} finally {
		clearInterval(timer);
	}
}

async function syncRun(stack, { users, workers, floorMs, kill = false }) {
	const fresh = await stack.workers(workers);
	await stack.sandbox.call('reset');
	await resetCheckpoint(stack.source);
	const expectedRequests = Math.ceil(users / 1000);
	let killed;
	// Reported as worker1…workerN of this run (the processes' own names count every worker the bench started).
	const label = (name) => name.replace(/^worker\d+$/, (n) => `worker${fresh.findIndex((w) => w.name === n) + 1}`);
	const cpuBefore = cpuSecondsByRole();
	const { result, peakRssMb: peakByName } = await withPeakRss([stack.main, stack.webhook, ...fresh], async () => {
		const started = Date.now();
		const answer = await fetch(stack.startUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(60_000) });
		if (answer.status !== 200) throw new Failure(`the start webhook answered ${answer.status}`);
		if (kill) killed = await killMidSync(stack, fresh, expectedRequests);
		const run = await waitForSyncDone(stack.source, { timeoutMs: 60 * MINUTE, intervalMs: 250 });
		const [[lastFinished]] = await psql(stack.source).query('SELECT (extract(epoch FROM max(finished_at)) * 1000)::bigint FROM rankr_sync_pages');
		return { run, ms: Number(lastFinished) - started, stages: await stagesOf(stack.source, started, workers * stack.concurrency) };
	});
	const cpuAfter = cpuSecondsByRole();
	const cpuSeconds = Object.fromEntries(Object.entries(cpuAfter).map(([role, after]) => [role, Number((after - cpuBefore[role]).toFixed(1))]));
	const peakRssMb = Object.fromEntries(Object.entries(peakByName).map(([name, mb]) => [label(name), mb]));
	const counts = await stack.sandbox.call('counts');
	const pages = result.run.pages;
	const byExecution = new Map(fresh.flatMap((w) => executionsStartedBy(w).map((id) => [id, w.name])));
	const ranOn = {};
	for (const p of pages) {
		const worker = label(byExecution.get(p.executionId) ?? '?');
		ranOn[worker] = (ranOn[worker] ?? 0) + 1;
	}
	const rerunPages = pages.filter((p) => p.attempts > 1).map((p) => p.page);
	return {
		users,
		workers,
		ms: result.ms,
		ratio: Number((result.ms / floorMs).toFixed(2)),
		stages: result.stages,
		cpuSeconds,
		requests: counts.byRoute['POST /users/batch'] ?? 0,
		polls: counts.byRoute['GET /users/track/:id'] ?? 0,
		held: counts.users,
		peakRssMb,
		floorMs,
		pages: pages.length,
		done: result.run.done,
		onceEach: pages.every((p) => p.attempts === 1),
		ranOn: Object.entries(ranOn)
			.map(([w, n]) => `${w}: ${n}`)
			.join(', '),
		...(kill ? { killed: { ...killed, worker: label(killed.worker) }, rerunPages } : {}),
	};
}

/**
 * Where a run's time went, from the checkpoint's own timestamps (the PostgreSQL clock, ms): planned and handed out
 * (the start until *Note the hand-out* wrote its first row, which it does once every page is handed out), the
 * first claim, a page's wait (noted as handed out until an execution claimed it: the queue, a free worker slot,
 * n8n starting the execution; negative when a page was claimed before the note), a page's work (claimed until
 * done: reading, sending, recording), and how busy the `slots` (workers × concurrency) were with page work.
 */
async function stagesOf(source, started, slots) {
	const [row] = await psql(source).query(
		`SELECT (extract(epoch FROM min(dispatched_at)) * 1000)::bigint, (extract(epoch FROM max(dispatched_at)) * 1000)::bigint,
		        (extract(epoch FROM avg(claimed_at - dispatched_at)) * 1000)::bigint, (extract(epoch FROM max(claimed_at - dispatched_at)) * 1000)::bigint,
		        (extract(epoch FROM avg(finished_at - claimed_at)) * 1000)::bigint, (extract(epoch FROM sum(finished_at - claimed_at)) * 1000)::bigint,
		        (extract(epoch FROM min(claimed_at)) * 1000)::bigint, (extract(epoch FROM max(finished_at)) * 1000)::bigint
		 FROM rankr_sync_pages WHERE run_id = (SELECT max(run_id) FROM rankr_sync_pages)`,
	);
	const [firstOut, lastOut, waitAvg, waitMax, workAvg, workSum, firstClaim, lastDone] = row.map(Number);
	return {
		handedOutMs: firstOut - started,
		handingOutMs: lastOut - firstOut,
		firstClaimMs: firstClaim - started,
		pageWaitAvgMs: waitAvg,
		pageWaitMaxMs: waitMax,
		pageWorkAvgMs: workAvg,
		pageWorkSumMs: workSum,
		slotBusyShare: Number((workSum / (slots * (lastDone - firstClaim))).toFixed(2)),
	};
}

/**
 * Once 40% of the batch requests are in, SIGKILLs the worker that holds the most running pages; waits until
 * their lease has run out and starts the sync again (as the next sweep or night would). Returns { worker, pages }.
 */
async function killMidSync(stack, workers, expectedRequests) {
	const reached = await waitFor(async () => ((await stack.sandbox.call('counts')).byRoute['POST /users/batch'] ?? 0) >= expectedRequests * 0.4, { timeoutMs: 30 * MINUTE, intervalMs: 100 });
	if (!reached) throw new Failure('the sync never reached 40% of its batch requests');
	const running = (await checkpointPages(stack.source)).filter((p) => p.state === 'running');
	const holder = (w) => running.filter((p) => executionsStartedBy(w).includes(p.executionId));
	const victim = [...workers].sort((a, b) => holder(b).length - holder(a).length)[0];
	if (holder(victim).length === 0) throw new Failure('no worker holds a running page');
	await victim.kill('SIGKILL');
	await sleep(LEASE_MINUTES * MINUTE + 2000);
	// The pages it held, read once it is long dead: it may have claimed another between the look above and the kill.
	const pages = (await checkpointPages(stack.source)).filter((p) => p.state === 'running' && executionsStartedBy(victim).includes(p.executionId)).map((p) => p.page);
	const answer = await fetch(stack.startUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(60_000) });
	if (answer.status !== 200) throw new Failure(`the second start answered ${answer.status}`);
	return { worker: victim.name, pages };
}

// ---------- the report ----------

function report(rows, { pageSize, concurrency, workerHeapMb, say }) {
	say('');
	say(`Scale: the paged bulk sync in queue mode (pages of ${fmt(pageSize)}, worker concurrency ${concurrency}, worker heap limit ${workerHeapMb} MB, ${os.cpus().length} cores, Node ${process.version} for the floor)`);
	printTable(
		[
			['users', (r) => fmt(r.users)],
			['workers', (r) => `${r.workers}${r.killed ? ' (1 killed)' : ''}`],
			['handed out', (r) => seconds(r.stages.handedOutMs)],
			['first claim', (r) => seconds(r.stages.firstClaimMs)],
			['page wait avg/max', (r) => `${seconds(r.stages.pageWaitAvgMs)} / ${seconds(r.stages.pageWaitMaxMs)}`],
			['page work avg', (r) => seconds(r.stages.pageWorkAvgMs)],
			['slots busy', (r) => `${Math.round(r.stages.slotBusyShare * 100)}%`],
			['<CPU s by process (2 cores)', (r) => Object.entries(r.cpuSeconds).filter(([, v]) => v >= 0.5).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')],
		],
		rows,
	);
	printTable(
		[
			['users', (r) => fmt(r.users)],
			['workers', (r) => `${r.workers}${r.killed ? ' (1 killed)' : ''}`],
			['wall', (r) => seconds(r.ms)],
			['users/s', (r) => fmt((r.users * 1000) / r.ms)],
			['floor', (r) => seconds(r.floorMs)],
			['÷ floor', (r) => `${(r.ms / r.floorMs).toFixed(2)}×`],
			['batch requests', (r) => fmt(r.requests)],
			['held', (r) => fmt(r.held)],
			['<pages per worker', (r) => r.ranOn],
			['<peak RSS MB', (r) => Object.entries(r.peakRssMb).map(([k, v]) => `${k} ${v}`).join(', ')],
			['<re-run pages', (r) => (r.killed ? `${r.rerunPages.join(', ')} (killed ${r.killed.worker})` : '')],
		],
		rows,
	);
	const file = path.join(ROOT, '.bench', `scale-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, `${JSON.stringify({ rows, pageSize, concurrency, workerHeapMb, cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, load: os.loadavg() }, null, 2)}\n`);
	say(`written: ${path.relative(ROOT, file)}`);
	const normal = rows.filter((r) => !r.killed);
	const last = normal.sort((a, b) => a.users - b.users || a.workers - b.workers).at(-1);
	if (!last) return undefined;
	const { users, workers, ms, requests, held, peakRssMb, floorMs, ratio } = last;
	return JSON.stringify({ users, workers, ms, requests, held, peakRssMb, floorMs, ratio });
}

runSuite('bench:scale', main, { timeoutMs: 4 * 60 * MINUTE });
