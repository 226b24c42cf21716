// Benchmark scenario (signed Rankr webhooks into a real n8n's Rankr Trigger workflows); run by run.mjs.
// Scenario: webhook intake in real n8n. Signed Rankr `UserCreate` events POSTed to the production webhook of
// an active Rankr Trigger workflow (trigger → No Op, so the workflow itself is cheap), in a real n8n 2.41
// (`n8n start`, main process only, sqlite, executions saved as by default) started like the demo starts it.
// Three workflows, each with its own credential: Ed25519 verification (as Rankr signs), HMAC, none. For each concurrency
// (1, 10, 50) and each variant, a fixed number of events is sent with plain fetch from this process
// (keep-alive), every event with a unique webhookId and a fresh timestamp, signed before the clock starts.
// Measured: events per second (responses), p50/p99 response time, the responses by status, and n8n's stored
// executions (polled until all of a cell's have finished: the end-to-end rate). Target: verification costs
// under 10% of the throughput (Ed25519 and HMAC against none at the same concurrency).
// n8n is booted as the demo boots its own (scripts/lib/stack.mjs), with the package and these workflows.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { builtPackage, freePort, installN8n } from '../../lib/n8n.mjs';
import { temporaryFolder } from '../../lib/proc.mjs';
import { bootN8n, publish } from '../../lib/stack.mjs';
import { cellRow, measure, runNumbers } from '../lib/bench-harness.mjs';
import { fixed, fmtInt, percentile, round, spreadOf, sum, verdict } from '../lib/stats.mjs';
import { mapWithConcurrency } from '../lib/worker.cjs';

const require = createRequire(import.meta.url);
const { RankrSandbox } = require('../../sandbox/rankr-sandbox.js');

// floor: n8n's own Webhook node (POST, respond on received) → No Op in the same n8n: what any webhook costs there.
// The others: the Rankr Trigger with its own credential, verifying the signature (or not: none).
const VARIANTS = [
	{ id: 'floor', label: "n8n's Webhook node (floor)" },
	{ id: 'none', label: 'none', credential: () => ({ method: 'none' }) },
	{ id: 'hmac', label: 'HMAC-SHA256', credential: (rankr) => ({ method: 'hmac', secret: rankr.hmacSecret }) },
	{ id: 'ed25519', label: 'Ed25519 (2 keys)', credential: (rankr) => ({ method: 'ed25519', publicPem: rankr.ed25519PublicKeysPem }) },
];
const WARMUP = 20;
const REQUEST_TIMEOUT_MS = 60_000;
const DRAIN_TIMEOUT_MS = 180_000;
const TARGET_COST = 0.1;
const OWNER = { email: 'bench@example.com', password: 'RankrBench1', firstName: 'Bench', lastName: 'Owner' };

/** The variant's workflow (trigger → No Op) and its credential (none for the floor). */
function workflowOf(variant, rankr) {
	const { id } = variant;
	const credential = variant.credential && { id: `benchRkCred${id}`, name: `bench Rankr webhook (${id})`, type: 'rankrWebhookApi', data: { ...variant.credential(rankr), replayWindowSeconds: 300 } };
	const node = (name, type, x, fields) => ({ id: crypto.randomUUID(), name, type, typeVersion: 1, position: [x, 0], parameters: {}, ...fields });
	const trigger = credential
		? node('Rankr Trigger', 'n8n-nodes-rankr.rankrTrigger', 0, {
				parameters: { events: ['UserCreate'] },
				credentials: { rankrWebhookApi: { id: credential.id, name: credential.name } },
				webhookId: `bench-intake-${id}`,
			})
		: node('Rankr Trigger', 'n8n-nodes-base.webhook', 0, {
				typeVersion: 2,
				parameters: { httpMethod: 'POST', path: 'bench-intake-floor', responseMode: 'onReceived', options: {} },
				webhookId: crypto.randomUUID(),
			});
	const workflow = {
		id: `benchIntake${id[0].toUpperCase()}${id.slice(1)}`,
		name: `bench: webhook intake (${id})`,
		active: false,
		nodes: [trigger, node('No Op', 'n8n-nodes-base.noOp', 220)],
		connections: { 'Rankr Trigger': { main: [[{ node: 'No Op', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
	return { workflow, credential };
}

/** n signed UserCreate deliveries: { body, headers }, each with a unique webhookId and a timestamp of now. */
function signedEvents(rankr, variant, n, offset) {
	return Array.from({ length: n }, (_, i) => {
		const k = offset + i;
		const body = JSON.stringify(rankr.event('UserCreate', { id: `bench-user-${variant}-${k}`, email: `bench-${variant}-${k}@example.com` }));
		return { body, headers: { 'content-type': 'application/json', ...rankr.sign(body, variant === 'floor' ? 'none' : variant) } };
	});
}

/** Sends the events with `concurrency` requests in flight; responses counted by status, latencies in ms. */
async function fire(url, events, concurrency) {
	const byStatus = {};
	const problems = [];
	let ignored = 0;
	const started = performance.now();
	const latencies = await mapWithConcurrency(events, concurrency, async ({ body, headers }) => {
		const t = performance.now();
		let [status, text] = ['error', ''];
		try {
			const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
			[status, text] = [String(response.status), await response.text()];
		} catch (error) {
			text = String(error?.cause?.code ?? error?.message ?? error);
		}
		const ms = performance.now() - t;
		byStatus[status] = (byStatus[status] ?? 0) + 1;
		const isIgnored = status === '200' && text.includes('"ignored"');
		if (isIgnored) ignored++;
		if ((status !== '200' || isIgnored) && problems.length < 3) problems.push(`${isIgnored ? '200 but ignored' : status}: ${text.slice(0, 200)}`);
		return ms;
	});
	const wallMs = performance.now() - started;
	latencies.sort((a, b) => a - b);
	return { wallMs, eventsPerSec: (events.length / wallMs) * 1000, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), byStatus, ignored, problems, latencies };
}

/** Polls n8n (executions()) until the workflow has `expected` successful executions (or nothing moves for 20 s). */
async function drain(executions, expected) {
	const deadline = Date.now() + DRAIN_TIMEOUT_MS;
	let last;
	let lastChange = Date.now();
	for (;;) {
		const counts = await executions();
		if (counts.success >= expected) return { ...counts, done: true };
		if (JSON.stringify(counts) !== JSON.stringify(last)) lastChange = Date.now();
		last = counts;
		if (Date.now() > deadline || Date.now() - lastChange > 20_000) return { ...counts, done: false };
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

async function run(ctx) {
	if (ctx.noN8n) {
		ctx.log('  skipped (--no-n8n): it needs a real n8n');
		return { rows: [], info: { skipped: '--no-n8n' } };
	}
	// The cell's events go in ctx.runs rounds (3, or 1 with --quick), the variants interleaved round by round,
	// so a change in the machine's load hits every variant alike; percentiles pool the rounds' latencies.
	const rounds = Math.max(1, ctx.runs);
	const n = Math.ceil((ctx.quick ? 60 : 300) / rounds);
	const concurrencies = ctx.quick ? [1, 10] : [1, 10, 50];
	const rankr = new RankrSandbox(); // only to build and sign events like Rankr; it does not listen
	const variants = VARIANTS.map((v) => ({ ...v, ...workflowOf(v, rankr), sent: 0 }));
	const workflows = variants.map((v) => v.workflow);
	const credentials = variants.map((v) => v.credential).filter(Boolean);

	ctx.log(`  starting real n8n (install check, import of ${credentials.length} credentials + ${workflows.length} workflows, n8n start, activation)…`);
	const started = Date.now();
	const runtime = await installN8n();
	const info = { n8n: { version: runtime.n8nVersion, node: runtime.nodeVersion, env: ctx.n8nEnv, installMs: Date.now() - started, stagesMs: {} }, eventsPerCell: n * rounds, rounds, concurrencies, warmupPerVariant: WARMUP };
	const stage = async (label, work) => {
		const t = Date.now();
		const result = await work();
		info.n8n.stagesMs[label] = Date.now() - t;
		return result;
	};
	const tmp = temporaryFolder('rankr-bench-workflows-');
	const workflowFiles = workflows.map((workflow) => path.join(tmp, `${workflow.id}.json`));
	workflows.forEach((workflow, i) => fs.writeFileSync(workflowFiles[i], JSON.stringify(workflow)));
	const { server, rest } = await bootN8n({ runtime, pkg: builtPackage(), credentials, workflowFiles, port: await freePort(), owner: OWNER, stage, logLevel: 'info', extraEnv: ctx.n8nEnv });
	let cells;
	try {
		const urls = await publish({ rest, serverUrl: server.url, workflows, stage });
		ctx.log(`  n8n ${info.n8n.version} (Node ${info.n8n.node}) ready in ${round(sum(Object.values(info.n8n.stagesMs)) / 1000, 1)} s`);
		/** How many executions n8n has stored for the variant's workflow, in total and finished successfully. */
		const executions = async (v) => {
			const count = async (filter) => (await rest.request('GET', `/executions?filter=${encodeURIComponent(JSON.stringify(filter))}&limit=1`))?.count;
			const [total, success] = await Promise.all([count({ workflowId: v.workflow.id }), count({ workflowId: v.workflow.id, status: ['success'] })]);
			return { total, success };
		};
		const send = async (v, count, concurrency) => {
			const result = await fire(urls[v.workflow.id], signedEvents(rankr, v.id, count, v.sent), concurrency);
			v.sent += count;
			return result;
		};
		/** One measured round of a cell: n events, then n8n's executions polled until every accepted one succeeded. */
		const measureRound = async (v, c) => {
			const load1 = round(os.loadavg()[0], 2);
			const before = await executions(v);
			const t0 = performance.now();
			const result = await send(v, n, c);
			// Every event answered 200 (and not ignored) must become one successful execution.
			const accepted = (result.byStatus['200'] ?? 0) - result.ignored;
			const after = await drain(() => executions(v), before.success + accepted);
			const endToEndMs = performance.now() - t0; // until n8n had stored every execution as a success (100 ms polls)
			const stored = { accepted, succeeded: after.success - before.success, started: after.total - before.total, done: after.done };
			ctx.log(
				`    ${result.eventsPerSec.toFixed(1)} ev/s, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, status ${JSON.stringify(result.byStatus)}` +
					`${result.ignored ? `, ${result.ignored} ignored` : ''}, executions ${stored.succeeded}/${accepted}${stored.done ? '' : ' (NOT all finished)'}`,
			);
			return { ...result, endToEndMs, endToEndEventsPerSec: (n / endToEndMs) * 1000, executions: stored, load1 };
		};
		// Warm-up: JIT, the credential cache, the first connections; not measured.
		for (const v of variants) {
			const result = await send(v, WARMUP, 5);
			if (result.byStatus['200'] !== WARMUP) throw new Error(`warm-up of ${v.id}: ${JSON.stringify(result.byStatus)}; ${result.problems.join(' | ')}`);
			await drain(() => executions(v), v.sent);
		}
		// Rotate the order of the variants from cell to cell, so no variant always follows the same one.
		const steps = runNumbers(rounds).flatMap((r) =>
			concurrencies.flatMap((c, ci) =>
				variants.map((_, i) => variants[(i + r - 1 + ci) % variants.length]).map((v) => ({ cell: `${v.id}|${c}`, say: `c=${c} round ${r}/${rounds} ${v.label}: ${n} events`, run: () => measureRound(v, c) })),
			),
		);
		cells = await measure(ctx.log, steps);
		// every event sent, warm-up included, against what n8n stored in the end
		info.executions = Object.fromEntries(await Promise.all(variants.map(async (v) => [v.id, { ...(await executions(v)), sent: v.sent }])));
	} finally {
		await server.stop();
	}
	return { rows: buildRows(cells, concurrencies, n, ctx, info), info };
}

function buildRows(cells, concurrencies, n, ctx, info) {
	const eventsPerSec = (runs) => (runs?.length ? (runs.length * n * 1000) / sum(runs.map((r) => r.wallMs)) : undefined);
	return concurrencies.flatMap((c) => {
		const noneEps = eventsPerSec(cells.get(`none|${c}`)?.runs);
		return VARIANTS.filter((v) => cells.has(`${v.id}|${c}`)).map((v) => {
			const cell = cells.get(`${v.id}|${c}`);
			const { runs } = cell;
			const byStatus = {};
			for (const run of runs) for (const [k, count] of Object.entries(run.byStatus)) byStatus[k] = (byStatus[k] ?? 0) + count;
			const non200 = sum(Object.entries(byStatus).map(([k, count]) => (k === '200' ? 0 : count)));
			const ignored = sum(runs.map((r) => r.ignored));
			const undrained = runs.filter((r) => !r.executions.done).length;
			const problems = [...new Set(runs.flatMap((r) => r.problems))].slice(0, 5).join(' | ');
			if (non200) cell.errors.push(`${non200} of ${runs.length * n} responses were not 200: ${JSON.stringify(byStatus)}; ${problems}`);
			if (ignored) cell.errors.push(`${ignored} events answered 200 but ignored by the trigger: ${problems}`);
			if (undrained) cell.errors.push(`${undrained} run(s): not every accepted event became a successful execution in n8n`);
			const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
			const eps = eventsPerSec(runs);
			const ratio = v.id !== 'none' && eps && noneEps ? eps / noneEps : undefined;
			const executions = (key) => sum(runs.map((r) => r.executions[key]));
			return {
				scenario: 'webhook-intake',
				variant: v.id,
				label: v.label,
				n: latencies.length,
				concurrency: c,
				...cellRow(cell, ctx),
				eventsPerSec: eps,
				eventsPerSecByRound: spreadOf(runs, (r) => r.eventsPerSec),
				p50Ms: percentile(latencies, 50),
				p99Ms: percentile(latencies, 99),
				maxMs: latencies.at(-1),
				meanMs: latencies.length ? sum(latencies) / latencies.length : undefined,
				endToEndEventsPerSec: runs.length ? (latencies.length * 1000) / sum(runs.map((r) => r.endToEndMs)) : undefined,
				byStatus,
				ignored,
				executions: { accepted: executions('accepted'), succeeded: executions('succeeded'), started: executions('started') },
				ratioToNone: ratio,
				verificationCost: ratio === undefined || v.id === 'floor' ? undefined : 1 - ratio,
				node: `${info.n8n.node} (n8n ${info.n8n.version})`,
				raw: runs.map(({ latencies: _, ...r }) => ({ ...r, problems: r.problems.length ? r.problems : undefined })),
			};
		});
	});
}

const table = {
	no: 4,
	title: (intake) => `Webhook intake in real n8n (${intake[0].n} signed UserCreate events per cell → Rankr Trigger → No Op, n8n main process, executions saved)`,
	rows: (rows) => rows.filter((r) => r.scenario === 'webhook-intake'),
	columns: [
		['conc.', (r) => fmtInt(r.concurrency)],
		['<verification', (r) => r.label],
		['events/s', (r) => fixed(r.eventsPerSec, 1)],
		['by round (min–max)', (r) => (r.eventsPerSecByRound && r.runs > 1 ? `${r.eventsPerSecByRound.min.toFixed(1)}–${r.eventsPerSecByRound.max.toFixed(1)}` : '')],
		['÷ none', (r) => (r.variant === 'none' ? '1.00×' : fixed(r.ratioToNone, 2, '×'))],
		['p50 ms', (r) => fixed(r.p50Ms, 1)],
		['p99 ms', (r) => fixed(r.p99Ms, 1)],
		['executed/s', (r) => fixed(r.endToEndEventsPerSec, 1)],
		['<responses', (r) => Object.entries(r.byStatus).map(([k, count]) => `${fmtInt(count)} × ${k}`).join(', ') || '–'],
		['executions', (r) => `${fmtInt(r.executions.succeeded)}/${fmtInt(r.executions.accepted)}`],
		['<status', (r) => (r.ok ? 'ok' : r.runs ? `ERROR: ${r.errors[0]?.split('\n')[0].slice(0, 80)}` : 'ERROR')],
	],
	notes: (intake) => [
		`${Math.max(...intake.map((r) => r.runs))} round(s) per cell, variants interleaved; events/s = events ÷ time until the last response, summed over the rounds`,
		"(sent with fetch from the bench process, keep-alive, signed beforehand); p50/p99 over all the cell's responses;",
		"floor = n8n's own Webhook node (respond on received) → No Op: not a Rankr Trigger, the price of any webhook in this n8n;",
		"executed/s = events ÷ time until n8n had stored all of the cell's executions as successful (polled every 100 ms over REST);",
		'executions = successful executions n8n stored during the cell / events it answered 200 (each must run once).',
	],
};

function targets(rows) {
	const intake = rows.filter((r) => r.scenario === 'webhook-intake' && (r.variant === 'ed25519' || r.variant === 'hmac'));
	if (!intake.length) return [];
	const costs = intake.map((r) => r.verificationCost).filter((v) => v !== undefined);
	const pct = (v) => fixed(v === undefined ? undefined : v * 100, 1, '%');
	return [
		{
			name: 'webhook intake: signature verification costs < 10% of the throughput (Ed25519 and HMAC vs none, same concurrency)',
			status: verdict(costs.length ? Math.max(...costs) : undefined, (worst) => worst < TARGET_COST),
			detail: `${intake.map((r) => `c=${r.concurrency} ${r.variant}: ${pct(r.verificationCost)} (${r.eventsPerSec?.toFixed(1)} ev/s)`).join('; ')} — negative: faster than none (noise)`,
		},
	];
}

export const webhookIntake = {
	id: 'webhook',
	title: 'Webhook intake: signed Rankr UserCreate events into an active Rankr Trigger workflow in real n8n',
	run,
	tables: [table],
	targets,
};
